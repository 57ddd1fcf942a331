import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  GITOPS_APPLICATIONS_ANNOTATION,
  type ApplicationSpec,
} from '@backstage-gitops/plugin-gitops-common';
import { posix } from 'node:path';

/**
 * The applications a `gitops.backstage.io/applications` annotation value lists: comma-separated
 * application names, or files of the config repo (a value with a `/` or ending in `.yaml`/`.yml`)
 * matched against each application's `declaredIn`.
 */
export function applicationsListedBy(
  annotation: string | undefined,
  applications: readonly ApplicationSpec[],
): ApplicationSpec[] {
  const names = new Set<string>();
  const files = new Set<string>();
  for (const item of (annotation ?? '').split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (trimmed.includes('/') || /\.ya?ml$/i.test(trimmed)) {
      files.add(posix.normalize(trimmed.replace(/^\.\//, '')));
    } else {
      names.add(trimmed);
    }
  }
  if (names.size === 0 && files.size === 0) return [];
  return applications.filter(
    application =>
      names.has(application.name) || files.has(application.declaredIn),
  );
}

/**
 * The applications of a catalog entity: those whose `spec.entityRef` names it, plus those its
 * `gitops.backstage.io/applications` annotation lists by name or by declaring file.
 */
export function applicationsForEntity(
  entity: Entity,
  applications: readonly ApplicationSpec[],
): ApplicationSpec[] {
  const ref = stringifyEntityRef(entity);
  const listed = new Set(
    applicationsListedBy(
      entity.metadata.annotations?.[GITOPS_APPLICATIONS_ANNOTATION],
      applications,
    ),
  );
  return applications.filter(
    application => application.entityRef === ref || listed.has(application),
  );
}
