import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Read an entity's GitOps status, resources, drift and history. Scoped to the catalog entity. */
export const gitopsEntityReadPermission = createPermission({
  name: 'gitops.entity.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** List the whole fleet (the governance view). Items are still filtered by entity read access. */
export const gitopsFleetReadPermission = createPermission({
  name: 'gitops.fleet.read',
  attributes: { action: 'read' },
});

export const gitopsPermissions = [
  gitopsEntityReadPermission,
  gitopsFleetReadPermission,
];
