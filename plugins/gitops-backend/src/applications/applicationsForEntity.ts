import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  GITOPS_APPLICATIONS_ANNOTATION,
  type ApplicationSpec,
} from '@backstage-gitops/plugin-gitops-common';
import { posix } from 'node:path';

/**
 * The applications of a catalog entity: those whose `spec.entityRef` names it, plus those its
 * `gitops.backstage.io/applications` annotation lists by name or by declaring file.
 */
export function applicationsForEntity(
  entity: Entity,
  applications: readonly ApplicationSpec[],
): ApplicationSpec[] {
  const ref = stringifyEntityRef(entity);
  const names = new Set<string>();
  const files = new Set<string>();
  for (const item of (
    entity.metadata.annotations?.[GITOPS_APPLICATIONS_ANNOTATION] ?? ''
  ).split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (trimmed.includes('/') || /\.ya?ml$/i.test(trimmed)) {
      files.add(posix.normalize(trimmed.replace(/^\.\//, '')));
    } else {
      names.add(trimmed);
    }
  }
  return applications.filter(
    application =>
      application.entityRef === ref ||
      names.has(application.name) ||
      files.has(application.declaredIn),
  );
}
