/** Label the engine puts on every object it applies; its value is the application name (N16). */
export const TRACKING_LABEL = 'gitops.backstage.io/application';

/** Annotation that keeps an object alive when Git stops declaring it: `gitops.backstage.io/prune: disabled`. */
export const PRUNE_ANNOTATION = 'gitops.backstage.io/prune';

/** Field manager name the engine applies with, unless configured otherwise. */
export const DEFAULT_FIELD_MANAGER = 'backstage-gitops';

/** Written by client-side `kubectl apply`; may embed Secret values, so it never leaves the engine. */
export const LAST_APPLIED_ANNOTATION =
  'kubectl.kubernetes.io/last-applied-configuration';

export const DEPLOYMENT_REVISION_ANNOTATION =
  'deployment.kubernetes.io/revision';

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** Hook annotations of Argo CD and Helm: such objects run once and are never diffed (N24). */
export const HOOK_ANNOTATIONS: readonly string[] = [
  'argocd.argoproj.io/hook',
  'helm.sh/hook',
];
