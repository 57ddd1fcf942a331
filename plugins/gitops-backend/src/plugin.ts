import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  GITOPS_STATUS_SIGNAL_CHANNEL,
  GitOpsStatusSignal,
  gitopsPermissions,
} from '@backstage-gitops/plugin-gitops-common';
import os from 'node:os';
import path from 'node:path';
import { createRouter } from './api/createRouter';
import { ClusterRegistry } from './cluster/ClusterRegistry';
import { DatabaseGitOpsStore } from './database/DatabaseGitOpsStore';
import { ConfigRepository } from './git';
import { Reconciler } from './reconcile/Reconciler';
import { ApplicationRenderer } from './render';
import { CatalogEntityLookup } from './service/CatalogEntityLookup';
import { GITHUB_WEBHOOK_TOPIC } from './webhooks/eventsModuleGitopsGithubWebhook';
import { createGithubPushHandler } from './webhooks/handleGithubPush';

/** The GitOps backend: reconciles config repos against clusters and serves per-entity status. */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, lifecycle } = deps;
        const workDir =
          config.getOptionalString('gitops.workingDirectory') ??
          path.join(
            config.getOptionalString('backend.workingDirectory') ?? os.tmpdir(),
            'backstage-gitops',
          );
        const fieldManager =
          config.getOptionalString('gitops.fieldManager') ?? 'backstage-gitops';

        const store = await DatabaseGitOpsStore.create({ database: deps.database });
        const repos = ConfigRepository.fromConfig(config, { workDir, logger });
        const clusters = ClusterRegistry.fromConfig(config, { logger, fieldManager });
        const reconciler = new Reconciler({
          store,
          repos,
          clusters: clusters.caches(),
          renderer: new ApplicationRenderer({ logger }),
          catalog: new CatalogEntityLookup(deps.catalog, deps.auth),
          logger,
          fieldManager,
          diffMode:
            config.getOptionalString('gitops.diffMode') === 'assert' ? 'assert' : 'strict',
          onStatusChange: status => {
            const message: GitOpsStatusSignal = {
              entityRef: status.application.entityRef,
              application: status.application.name,
              environment: status.application.environment,
              sync: status.sync,
              health: status.health,
              driftCount: status.driftCount,
            };
            deps.signals
              .publish({
                recipients: { type: 'broadcast' },
                channel: GITOPS_STATUS_SIGNAL_CHANNEL,
                message: { ...message },
              })
              .catch(error => logger.warn(`Publishing a status signal failed: ${error}`));
          },
        });

        deps.permissionsRegistry.addPermissions(gitopsPermissions);
        deps.httpRouter.use(
          await createRouter({
            store,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );

        const poll = config.has('gitops.poll')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('gitops.poll'))
          : { frequency: { seconds: 30 }, timeout: { minutes: 5 }, initialDelay: { seconds: 0 } };

        // A signed push webhook refreshes its config repo at once; polling remains the safety net.
        await deps.events.subscribe({
          id: 'gitops-config-repos',
          topics: [GITHUB_WEBHOOK_TOPIC],
          onEvent: createGithubPushHandler({
            repos,
            refresh: repoId =>
              void reconciler
                .refresh(repoId)
                .catch(error => logger.warn(`Refreshing ${repoId} after a push failed: ${error}`)),
          }),
        });

        // Watches and caches live in this process: every replica polls and reconciles for itself.
        lifecycle.addStartupHook(async () => {
          reconciler.start();
          await clusters.startAll();
          for (const repo of repos) {
            await scheduler.scheduleTask({
              id: `gitops-poll-${repo.id}`,
              scope: 'local',
              ...poll,
              fn: () => reconciler.poll(repo.id),
            });
          }
        });
        lifecycle.addShutdownHook(async () => {
          reconciler.stop();
          await clusters.stopAll();
        });
      },
    });
  },
});
