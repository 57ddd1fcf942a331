import { createRoutableExtension } from '@backstage/core-plugin-api';
import { changeRequestsRouteRef } from '../routes';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/**
 * The change request pages for legacy apps:
 * `<Route path="/gitops/changes" element={<GitOpsChangeRequestPage />} />` serves `new` and `:id` below it.
 */
export const GitOpsChangeRequestPage = legacyGitOpsPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsChangeRequestPage',
    component: () =>
      import('../components/ChangeRequestPage').then(m => m.ChangeRequestPage),
    mountPoint: changeRequestsRouteRef,
  }),
);
