import { createApiFactory, createPlugin } from '@backstage/core-plugin-api';
import { coreApis } from '@backstage/frontend-plugin-api';
import { gitopsApiRef } from '../api/GitOpsApi';
import { GitOpsClient } from '../api/GitOpsClient';
import { changeRequestsRouteRef, rootRouteRef } from '../routes';

/** The plugin for apps still on the legacy frontend system; it registers the GitOps client and its routes. */
export const legacyGitOpsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitOpsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    changes: changeRequestsRouteRef,
  },
});
