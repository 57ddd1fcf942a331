import {
  ApiBlueprint,
  coreApis,
  coreExtensionData,
  createExtensionInput,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { GITOPS_APPLICATIONS_ANNOTATION } from '@backstage-gitops/plugin-gitops-common';
import { gitopsApiRef } from './api/GitOpsApi';
import { GitOpsClient } from './api/GitOpsClient';
import {
  changeRequestRouteRef,
  changeRequestsRouteRef,
  newChangeRequestRouteRef,
  rootRouteRef,
} from './routes';

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

/**
 * The governance page (`page:gitops`, at `/gitops`): the fleet. Its `sections` input takes further sections
 * (delivery metrics, the audit log), shown below the fleet.
 */
export const gitopsGovernancePage = PageBlueprint.makeWithOverrides({
  inputs: {
    sections: createExtensionInput([coreExtensionData.reactElement]),
  },
  factory(originalFactory, { inputs }) {
    const sections = inputs.sections.map(section =>
      section.get(coreExtensionData.reactElement),
    );
    return originalFactory({
      path: '/gitops',
      title: 'GitOps',
      routeRef: rootRouteRef,
      loader: () =>
        import('./components/GovernancePage').then(m => (
          <m.GovernancePage>{sections}</m.GovernancePage>
        )),
    });
  },
});

/** The change request pages (`page:gitops/changes`): `/gitops/changes/new?…` and `/gitops/changes/:id`. */
export const gitopsChangeRequestPage = PageBlueprint.make({
  name: 'changes',
  params: {
    path: '/gitops/changes',
    title: 'GitOps change requests',
    routeRef: changeRequestsRouteRef,
    loader: () =>
      import('./components/ChangeRequestPage').then(m => (
        <m.ChangeRequestPage />
      )),
  },
});

/** `ui:field: GitOpsApplicationPicker` (`scaffolder-form-field:gitops/application-picker`). */
export const gitopsApplicationPickerField = FormFieldBlueprint.make({
  name: 'application-picker',
  params: {
    field: () =>
      import('./components/ScaffolderFields/formFields').then(
        m => m.gitopsApplicationPickerFormField,
      ),
  },
});

/** `ui:field: GitOpsEnvironmentPicker` (`scaffolder-form-field:gitops/environment-picker`). */
export const gitopsEnvironmentPickerField = FormFieldBlueprint.make({
  name: 'environment-picker',
  params: {
    field: () =>
      import('./components/ScaffolderFields/formFields').then(
        m => m.gitopsEnvironmentPickerFormField,
      ),
  },
});

/**
 * GitOps for catalog entities: the overview card and entity tab, the change request pages and the
 * governance page.
 */
export const gitopsPlugin = createFrontendPlugin({
  pluginId: 'gitops',
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: rootRouteRef,
    changes: changeRequestsRouteRef,
    newChangeRequest: newChangeRequestRouteRef,
    changeRequest: changeRequestRouteRef,
  },
  extensions: [
    gitopsApi,
    gitopsEntityCard,
    gitopsEntityContent,
    gitopsGovernancePage,
    gitopsChangeRequestPage,
    gitopsApplicationPickerField,
    gitopsEnvironmentPickerField,
  ],
});
