import type { ResourceRef } from '@backstage-gitops/plugin-gitops-common';

/** A key unique within an application: the same kind name can exist in two API groups. */
export function resourceKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace}/${ref.name}`;
}
