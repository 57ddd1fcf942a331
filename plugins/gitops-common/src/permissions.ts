import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Read an entity's GitOps status, resources, drift, history and change requests. Scoped to the catalog entity. */
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

/** Propose a change to an entity's applications (a change request: a branch and a PR on the config repo). */
export const gitopsChangeCreatePermission = createPermission({
  name: 'gitops.change.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Approve (and so let merge) a change request on an entity's applications. */
export const gitopsChangeApprovePermission = createPermission({
  name: 'gitops.change.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Apply an entity's application to its cluster now ("sync now"). */
export const gitopsSyncTriggerPermission = createPermission({
  name: 'gitops.sync.trigger',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const gitopsPermissions = [
  gitopsEntityReadPermission,
  gitopsFleetReadPermission,
  gitopsChangeCreatePermission,
  gitopsChangeApprovePermission,
  gitopsSyncTriggerPermission,
];
