export {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  quantitiesEqual,
  tryParseQuantity,
} from './quantity';
export type { Quantity, QuantityFormat } from './quantity';
export {
  canonicalDuration,
  durationsEqual,
  formatDuration,
  parseDuration,
  tryParseDuration,
} from './duration';
export { scalarEquals } from './scalarEquals';
export {
  hashSecretValue,
  mergeStringData,
  secretValuesEqual,
} from './secretData';
export { dedupeMetrics } from './hpaMetrics';
export {
  autoscaledTargets,
  normalizeDesired,
  objectIgnorePaths,
  skipReason,
} from './normalizeDesired';
export type { DesiredNormalization } from './normalizeDesired';
export {
  DEFAULT_FIELD_MANAGER,
  HOOK_ANNOTATIONS,
  LAST_APPLIED_ANNOTATION,
  PRUNE_ANNOTATION,
  TRACKING_LABEL,
} from './trackingMetadata';
