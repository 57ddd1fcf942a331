import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCreateApplicationAction } from './actions/createApplication';
import { createProposeChangeAction } from './actions/proposeChange';
import { createWaitForChangeAction } from './actions/waitForChange';

/** Adds the GitOps template actions to the scaffolder: propose, wait, create an application. */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(
          createProposeChangeAction({ discovery, auth }),
          createWaitForChangeAction({ discovery, auth }),
          createCreateApplicationAction({ discovery, auth }),
        );
      },
    });
  },
});
