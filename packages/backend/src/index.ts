import { createBackend } from '@backstage/backend-defaults';
import { eventsModuleGitopsGithubWebhook } from '@backstage-gitops/plugin-gitops-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
// Guest sign-in for local use; production configures a real provider.
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// GitOps: reconciles config repos against clusters; pushes arrive through the events system.
backend.add(import('@backstage-gitops/plugin-gitops-backend'));
backend.add(eventsModuleGitopsGithubWebhook);
// Template actions that open GitOps change requests: gitops:change:propose, gitops:change:wait, gitops:application:create.
backend.add(import('@backstage-gitops/plugin-scaffolder-backend-module-gitops'));

backend.start();
