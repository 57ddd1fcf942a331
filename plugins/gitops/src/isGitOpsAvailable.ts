import type { Entity } from '@backstage/catalog-model';
import { GITOPS_APPLICATIONS_ANNOTATION } from '@backstage-gitops/plugin-gitops-common';

/** True when the entity points at its applications in a config repo, so the GitOps views apply to it. */
export function isGitOpsAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[GITOPS_APPLICATIONS_ANNOTATION]);
}
