/**
 * The pure GitOps engine: Kubernetes-aware YAML parsing, normalization, drift diff, health, inventory,
 * CEL policies, comment-preserving patches, rendering and the images workloads declare.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './types';
export * from './yaml';
export * from './schema';
export * from './normalize';
export * from './diff';
export * from './health';
export * from './inventory';
export * from './live';
export * from './policy';
export * from './patch';
export * from './render';
export * from './cli';
export * from './windows';
export * from './workload';

// `diff` and `patch` both name a path helper; the diff's keeps the plain name, the patcher's is prefixed.
export { formatPath, type PathSegment } from './diff';
export {
  formatPath as formatPatchPath,
  type PathSegment as PatchPathSegment,
} from './patch';
