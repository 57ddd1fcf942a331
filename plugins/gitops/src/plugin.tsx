import {
  ApiBlueprint,
  coreApis,
  createFrontendPlugin,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { GITOPS_APPLICATIONS_ANNOTATION } from '@backstage-gitops/plugin-gitops-common';
import { gitopsApiRef } from './api/GitOpsApi';
import { GitOpsClient } from './api/GitOpsClient';

// A predicate object rather than a function, so apps can override it in app-config.
const hasApplications = {
  [`metadata.annotations.${GITOPS_APPLICATIONS_ANNOTATION}`]: { $exists: true },
};

export const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitOpsClient({ discoveryApi, fetchApi }),
    }),
});

export const gitopsEntityCard = EntityCardBlueprint.make({
  params: {
    type: 'content',
    filter: hasApplications,
    loader: () =>
      import('./components/GitOpsOverviewCard').then(m => (
        <m.GitOpsOverviewCard />
      )),
  },
});

export const gitopsEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/gitops',
    title: 'GitOps',
    group: 'deployment',
    filter: hasApplications,
    loader: () =>
      import('./components/GitOpsContent').then(m => <m.GitOpsContent />),
  },
});

/** Entity overview card and entity tab for GitOps status, drift and history. */
export const gitopsPlugin = createFrontendPlugin({
  pluginId: 'gitops',
  info: { packageJson: () => import('../package.json') },
  extensions: [gitopsApi, gitopsEntityCard, gitopsEntityContent],
});
