import type { ApplicationError } from './loadApplications';

/** One line for logs and status messages: `file, document N, line L:C: message`. */
export function formatApplicationError(error: ApplicationError): string {
  const where = [
    error.file,
    error.document === undefined ? undefined : `document ${error.document}`,
    error.line === undefined
      ? undefined
      : `line ${error.line}${
          error.column === undefined ? '' : `:${error.column}`
        }`,
  ].filter(Boolean);
  return `${where.join(', ')}: ${error.message}`;
}
