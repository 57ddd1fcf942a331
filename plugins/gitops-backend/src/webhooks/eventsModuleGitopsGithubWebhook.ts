import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { githubSignatureValidator } from './githubSignatureValidator';

/** The events topic GitHub push webhooks are published on (`POST /api/events/http/github`). */
export const GITHUB_WEBHOOK_TOPIC = 'github';

/**
 * Receives GitHub webhooks through Backstage's events system, checking their signature, so a push to a
 * config repo is reconciled at once instead of at the next poll.
 */
export const eventsModuleGitopsGithubWebhook = createBackendModule({
  pluginId: 'events',
  moduleId: 'gitops-github-webhook',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        events: eventsExtensionPoint,
      },
      async init({ config, logger, events }) {
        const secrets = [
          config.getOptionalString('gitops.webhooks.github.secret'),
          ...(config.getOptionalStringArray('gitops.webhooks.github.previousSecrets') ?? []),
        ].filter((s): s is string => !!s);
        if (secrets.length === 0) {
          logger.info(
            'No gitops.webhooks.github.secret configured: GitHub push webhooks are not accepted, config repos are polled',
          );
          return;
        }
        events.addHttpPostIngress({
          topic: GITHUB_WEBHOOK_TOPIC,
          validator: githubSignatureValidator(secrets),
        });
      },
    });
  },
});
