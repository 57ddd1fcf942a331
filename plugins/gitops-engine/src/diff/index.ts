export { diffObjects } from './diffObjects';
export type { DiffOptions, DiffResult, Drift, DriftType } from './Drift';
export { serverSideDryRun, classifyDryRunError } from './serverDryRun';
export type {
  DryRunClient,
  KubeStatus,
  KubeStatusCause,
  ServerDryRunResult,
} from './serverDryRun';
export { IgnorePath } from './IgnorePath';
export { formatPath } from './FieldPath';
export type { PathSegment } from './FieldPath';
export type { FieldsV1, Ownership } from './fieldOwnership';
