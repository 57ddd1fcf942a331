import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { githubErrorDetails } from './githubErrorDetails';

/**
 * Turns what Octokit threw while trying to `action` (e.g. `read pull request #7 of acme/config`) into a
 * `@backstage/errors` error. Errors that are not GitHub answers pass through. The original error is never
 * attached as a cause: it carries the request, whose headers hold the credentials.
 */
export function mapGithubError(error: unknown, action: string): Error {
  const details = githubErrorDetails(error);
  if (!details) {
    // Retries that gave up name the route only; say which repository it was.
    if (ServiceUnavailableError.is(error)) {
      return new ServiceUnavailableError(
        `Could not ${action}: ${error.message}`,
      );
    }
    return error instanceof Error ? error : new Error(`${action}: ${error}`);
  }
  const { status, message } = details;
  const text = `Could not ${action}: GitHub answered ${status} ${message}`;
  if (!details.answered) {
    return new ServiceUnavailableError(
      `Could not ${action}: GitHub could not be reached (${message})`,
    );
  }
  if (status === 401) {
    return new NotAllowedError(
      `${text}; check the token or GitHub App under integrations.github`,
    );
  }
  if (status === 403) {
    return new NotAllowedError(text);
  }
  if (status === 404) {
    // GitHub answers 404, not 403, for private repositories the credentials cannot see.
    return new NotFoundError(
      `${text} (or the credentials cannot see the repository)`,
    );
  }
  if (status === 405 || status === 409) {
    return new ConflictError(text);
  }
  if (status === 400 || status === 422) {
    return new InputError(text);
  }
  if (status === 429 || status >= 500) {
    return new ServiceUnavailableError(text);
  }
  return new Error(text);
}
