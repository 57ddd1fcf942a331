import type { SchemaRegistry } from '../schema/SchemaRegistry';

/**
 * - `changed`: desired and live both set the field, to different values;
 * - `missing-in-live`: desired sets it, live does not (or the whole object is missing, at path '');
 * - `removed-from-git`: our field manager owns it, Git no longer sets it, so the next apply removes it;
 * - `added-in-live`: a `kubectl` edit added it and desired does not set it (strict mode only).
 */
export type DriftType =
  | 'changed'
  | 'missing-in-live'
  | 'removed-from-git'
  | 'added-in-live';

export interface Drift {
  /** Readable path, e.g. `spec.template.spec.containers[name=web].image` or `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  type: DriftType;
  desired?: unknown;
  live?: unknown;
  /** Secret data: values are omitted, only the fact that they differ is kept. */
  sensitive?: boolean;
  /** The field manager that owns the live value, when managedFields says so: the cause of the drift. */
  manager?: string;
}

export interface DiffResult {
  modified: boolean;
  diffs: Drift[];
  /** Problems that did not stop the comparison, such as duplicate list keys (N14). */
  warnings: string[];
  /** Why the object was not compared at all (N24): `generateName` or a hook annotation. */
  skipped?: string;
}

export interface DiffOptions {
  /** Our server-side apply field manager; default `backstage-gitops`. */
  fieldManager?: string;
  /**
   * `assert` (default) compares what desired sets plus what we own; `strict` also reports fields that
   * `kubectl*` managers added with an Update (kubectl edit, patch, label, scale) and desired does not set.
   */
  mode?: 'assert' | 'strict';
  /** The application's target namespace, filled into namespaced desired objects that omit it (N15). */
  defaultNamespace?: string;
  /** Paths never reported, in drift-path syntax with `*` wildcards: `spec.template.spec.containers[*].image`. */
  ignorePaths?: readonly string[];
  /** Fields owned in live by these managers are not reported (N20), e.g. `vpa-recommender`. */
  ignoreManagers?: readonly string[];
  /** Set when a HorizontalPodAutoscaler targets the object, so `spec.replicas` is the autoscaler's (N19). */
  scaledByAutoscaler?: boolean;
  /** Compare `status` too (off by default, N2); for custom resources whose status is declared in Git. */
  compareStatus?: boolean;
  schema?: SchemaRegistry;
}
