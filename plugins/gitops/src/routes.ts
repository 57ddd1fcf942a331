import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

// Route refs from core-plugin-api work in both frontend systems, so the same components link in either.

/** The governance page: the whole fleet. */
export const rootRouteRef = createRouteRef({ id: 'gitops' });

/** The change request pages; the app mounts them at `/gitops/changes` by default. */
export const changeRequestsRouteRef = createRouteRef({
  id: 'gitops:changes',
});

/** The form that previews and submits a change; prefilled from its query string. */
export const newChangeRequestRouteRef = createSubRouteRef({
  id: 'gitops:changes:new',
  parent: changeRequestsRouteRef,
  path: '/new',
});

/** One change request, followed through its lifecycle. */
export const changeRequestRouteRef = createSubRouteRef({
  id: 'gitops:changes:request',
  parent: changeRequestsRouteRef,
  path: '/:id',
});
