/*
 * One backend replica for the webhook fan-out process test: `replicaBackend`'s gitops plugin and stubs (empty
 * catalog, every request alice's, all allowed), plus the events backend and the GitHub webhook module as
 * packages/backend installs them, so a push webhook enters through `POST /api/events/http/github` and other
 * replicas hear of it through the events bus in PostgreSQL. Started by `ReplicaProcess` as its own node process.
 *
 *   GITOPS_REPLICA_CONFIG   app-config as JSON (backend.*, events.useEventBus, gitops.*)
 *
 * With `gitopsTest.sharedPushSubscription: true` in that config the gitops plugin's push subscription gets
 * the one id every replica used before the fix (`gitops-config-repos`): the control of the test.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DefaultEventsService,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { gitopsPlugin } from '../../plugin';
import { eventsModuleGitopsGithubWebhook } from '../../webhooks/eventsModuleGitopsGithubWebhook';

/** The default events service, except that the push subscription's per-replica id is made the shared one. */
const sharedPushSubscriptionEvents = createServiceFactory({
  service: eventsServiceRef,
  deps: {
    pluginMetadata: coreServices.pluginMetadata,
    rootLogger: coreServices.rootLogger,
    discovery: coreServices.discovery,
    logger: coreServices.logger,
    lifecycle: coreServices.lifecycle,
    auth: coreServices.auth,
    config: coreServices.rootConfig,
  },
  async createRootContext({ rootLogger, config }) {
    return DefaultEventsService.create({ logger: rootLogger, config });
  },
  async factory({ pluginMetadata, discovery, logger, lifecycle, auth }, root) {
    const events = root.forPlugin(pluginMetadata.getId(), {
      discovery,
      logger,
      lifecycle,
      auth,
    });
    return {
      publish: params => events.publish(params),
      subscribe: options =>
        events.subscribe({
          ...options,
          id: options.id.replace(
            /^gitops-config-repos-.+$/,
            'gitops-config-repos',
          ),
        }),
    };
  },
});

async function main() {
  const config = JSON.parse(process.env.GITOPS_REPLICA_CONFIG ?? '{}');
  const backend = createBackend();
  backend.add(mockServices.rootConfig.factory({ data: config }));
  // Mock tokens: the events service's calls to the events backend (service credentials) pass as well.
  backend.add(
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.user('user:default/alice'),
    }),
  );
  backend.add(mockServices.auth.factory());
  backend.add(mockServices.permissions.factory());
  backend.add(mockServices.userInfo.factory());
  backend.add(catalogServiceMock.factory({ entities: [] }));
  if (config.gitopsTest?.sharedPushSubscription) {
    backend.add(sharedPushSubscriptionEvents);
  }
  backend.add(import('@backstage/plugin-events-backend'));
  backend.add(eventsModuleGitopsGithubWebhook);
  backend.add(gitopsPlugin);
  await backend.start();
  // The parent waits for this line.
  process.stdout.write(
    `${JSON.stringify({ ready: true, pid: process.pid })}\n`,
  );
  const stop = () => {
    backend.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`replica failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
