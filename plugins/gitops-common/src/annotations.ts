/**
 * Catalog entity annotation naming where its applications are declared in the config repo:
 * a comma-separated list of files or application names (`applications/shop-api.yaml`, `shop-api-prod`).
 */
export const GITOPS_APPLICATIONS_ANNOTATION = 'gitops.backstage.io/applications';

/** Label put on every object the plugin manages; the live cache watches by it. Value: the application name. */
export const GITOPS_TRACKING_LABEL = 'gitops.backstage.io/application';

/** Object annotation that keeps an object out of pruning even when Git no longer declares it. */
export const GITOPS_PRUNE_ANNOTATION = 'gitops.backstage.io/prune';
