import { createRoutableExtension } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/**
 * The governance page for legacy apps: `<Route path="/gitops" element={<GitOpsGovernancePage />} />`.
 * Children are rendered as further sections below the fleet.
 */
export const GitOpsGovernancePage = legacyGitOpsPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsGovernancePage',
    component: () =>
      import('../components/GovernancePage').then(m => m.GovernancePage),
    mountPoint: rootRouteRef,
  }),
);
