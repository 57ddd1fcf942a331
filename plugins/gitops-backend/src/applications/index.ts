export {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  applicationDocumentSchema,
  type ApplicationDocument,
} from './applicationDocumentSchema';
export { applicationJsonSchema } from './applicationJsonSchema';
export { applicationsForEntity } from './applicationsForEntity';
export { formatApplicationError } from './formatApplicationError';
export {
  loadApplications,
  type ApplicationError,
  type LoadApplicationsOptions,
  type LoadedApplications,
  type ParsedApplicationFiles,
} from './loadApplications';
