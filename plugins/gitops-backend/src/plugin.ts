import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { gitopsScmProvidersExtensionPoint } from '@backstage-gitops/plugin-gitops-node';
import type { ScmProvider } from '@backstage-gitops/plugin-gitops-node';
import {
  GITOPS_STATUS_SIGNAL_CHANNEL,
  GitOpsStatusSignal,
  gitopsPermissions,
} from '@backstage-gitops/plugin-gitops-common';
import os from 'node:os';
import path from 'node:path';
import { registerGitOpsActions } from './actions/registerGitOpsActions';
import { createRouter } from './api/createRouter';
import { ChangeService } from './changes/ChangeService';
import { CatalogForgeIdentityResolver } from './changes/ForgeIdentityResolver';
import { createChangeListener } from './changes/createChangeListener';
import { createChangeRouter, permissionAuthorizer } from './changes/createChangeRouter';
import { readChangeConfig } from './changes/readChangeConfig';
import { GithubScmProvider } from './changes/scm/GithubScmProvider';
import { LocalScmProvider } from './changes/scm/LocalScmProvider';
import { DatabaseChangeStore } from './database/DatabaseChangeStore';
import { readEnvironmentPolicies } from './sync/readEnvironmentPolicies';
import { createSyncRouter } from './sync/createSyncRouter';
import { createMetricsRouter } from './metrics/createMetricsRouter';
import { DatabaseMetricsStore } from './metrics/DatabaseMetricsStore';
import { readSelfHealBackoff } from './sync/readSelfHealBackoff';
import { Syncer } from './sync/Syncer';
import { DatabaseSyncStore } from './database/DatabaseSyncStore';
import { ClusterRegistry } from './cluster/ClusterRegistry';
import { ClusterLeases } from './replicas/ClusterLeases';
import { DatabaseGitOpsStore } from './database/DatabaseGitOpsStore';
import { ConfigRepository } from './git';
import { Reconciler } from './reconcile/Reconciler';
import { ApplicationRenderer } from './render';
import { CatalogEntityLookup } from './service/CatalogEntityLookup';
import { GITHUB_WEBHOOK_TOPIC } from './webhooks/eventsModuleGitopsGithubWebhook';
import { createGithubPushHandler } from './webhooks/handleGithubPush';
import { createGithubChangeEventHandler } from './webhooks/handleGithubChangeEvents';

/** The GitOps backend: reconciles config repos against clusters and serves per-entity status. */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    const extraProviders: ScmProvider[] = [];
    env.registerExtensionPoint(gitopsScmProvidersExtensionPoint, {
      addScmProvider(provider) {
        extraProviders.push(provider);
      },
    });
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
        notifications: notificationService,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        actionsRegistry: actionsRegistryServiceRef,
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
        const renderer = new ApplicationRenderer({ logger });
        // Set below: verdict changes move merged change requests on to synced and healthy.
        const following: { changes?: ChangeService } = {};
        // Set below: each verdict may start an automated sync.
        const automation: { syncer?: Syncer } = {};
        // Replicas on one PostgreSQL share the clusters by leases; on SQLite this process holds them all.
        const leases = await ClusterLeases.create({
          database: deps.database,
          config,
          logger,
          clusters: clusters.names(),
          handlers: {
            onAcquire: async cluster => {
              await clusters.startCluster(cluster);
              await automation.syncer?.sweepRuns();
            },
            onRelease: async cluster => {
              await automation.syncer?.whenClusterIdle(cluster);
              await clusters.stopCluster(cluster);
            },
            onRound: () => automation.syncer?.sweepRuns(),
          },
        });
        const reconciler = new Reconciler({
          store,
          repos,
          clusters: clusters.caches(),
          renderer,
          catalog: new CatalogEntityLookup(deps.catalog, deps.auth),
          logger,
          fieldManager,
          owns: cluster => leases.owns(cluster),
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
            following.changes?.followDeployments();
          },
          onVerdict: (name, verdict) => automation.syncer?.onVerdict(name, verdict),
        });

        const changeConfig = readChangeConfig(config);
        const environmentPolicies = readEnvironmentPolicies(config);
        const appBaseUrl = config.getOptionalString('app.baseUrl') ?? '';
        const changeStore = await DatabaseChangeStore.create({ database: deps.database });
        const changeService = new ChangeService({
          changes: changeStore,
          status: store,
          repos,
          providers: [
            ...extraProviders,
            GithubScmProvider.fromConfig(config, { logger }),
            new LocalScmProvider(),
          ],
          renderer,
          authorizer: permissionAuthorizer(deps.permissions),
          forgeIdentities: new CatalogForgeIdentityResolver(deps.catalog, deps.auth, logger),
          logger,
          workDir,
          clusterNames: [...clusters.caches().keys()],
          refreshRepo: repoId =>
            void reconciler
              .refresh(repoId)
              .catch(error => logger.warn(`Refreshing ${repoId} after a merge failed: ${error}`)),
          configPolicies: changeConfig.policies,
          approvalRules: changeConfig.approvalRules,
          windows: {
            report: (environment, at) => environmentPolicies.changeWindowReport(environment, at),
          },
          listener: createChangeListener({
            signals: deps.signals,
            notifications: deps.notifications,
            logger,
            changePath: id => `/gitops/changes/${id}`,
          }),
          changeUrl: id => `${appBaseUrl}/gitops/changes/${id}`,
          commitAuthor: changeConfig.commitAuthor,
          healthTimeoutMs: changeConfig.healthTimeoutMs,
        });
        following.changes = changeService;
        const syncStore = await DatabaseSyncStore.create({ database: deps.database });
        const automatedSync = new Syncer({
          source: reconciler,
          clusters,
          store: syncStore,
          policies: environmentPolicies,
          auditor: deps.auditor,
          logger,
          fieldManager,
          selfHealBackoff: readSelfHealBackoff(config),
          owns: cluster => leases.owns(cluster),
        });
        automation.syncer = automatedSync;

        deps.permissionsRegistry.addPermissions(gitopsPermissions);
        // The same reads and requests for AI clients (the MCP actions backend), with the same permission checks.
        registerGitOpsActions({
          actionsRegistry: deps.actionsRegistry,
          store,
          changeService,
          syncer: automatedSync,
          auth: deps.auth,
          userInfo: deps.userInfo,
          permissions: deps.permissions,
          auditor: deps.auditor,
        });
        deps.httpRouter.use(
          await createRouter({
            store,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );
        deps.httpRouter.use(
          await createChangeRouter({
            service: changeService,
            store: changeStore,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
        deps.httpRouter.use(
          await createMetricsRouter({
            store: await DatabaseMetricsStore.create({ database: deps.database }),
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );
        deps.httpRouter.use(
          await createSyncRouter({
            store,
            syncStore,
            syncer: automatedSync,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );

        const poll = config.has('gitops.poll')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('gitops.poll'))
          : { frequency: { seconds: 30 }, timeout: { minutes: 5 }, initialDelay: { seconds: 0 } };

        // A signed push webhook refreshes its config repo at once; polling remains the safety net.
        // Every replica must refresh (each renders every repo, and the one holding the application's cluster
        // writes its verdict), so this subscription id is per process. The events service hands an event to
        // the subscribers in the receiving process first, then to the bus (events.useEventBus) with their
        // ids as already notified: under one shared id (`gitops.gitops-config-repos`) the bus took the push
        // as consumed, and every other replica only saw the commit at its next poll. A restarted replica
        // subscribes anew from the bus's newest event (nothing is replayed). The row a dead replica leaves in
        // event_bus_subscriptions is deleted by the events backend's cleanup (every 10 s) once the first event
        // it did not read is gone (events are kept a day; past the newest 10,000, ten minutes), or, when the
        // bus holds no events, a day after its `updated_at`; until then it only keeps GitHub events stored.
        await deps.events.subscribe({
          id: `gitops-config-repos-${leases.replicaId}`,
          topics: [GITHUB_WEBHOOK_TOPIC],
          onEvent: createGithubPushHandler({
            repos,
            refresh: repoId =>
              void reconciler
                .refresh(repoId)
                .catch(error => logger.warn(`Refreshing ${repoId} after a push failed: ${error}`)),
          }),
        });

        // GitHub events on change request branches (merged, reviewed, checked) move them at once.
        // One shared id on purpose: one replica acting on a PR event is enough. The requests' state lives in
        // the database and `track` reads every open PR from its forge, so running it on every replica would
        // only multiply forge API calls. The replica that receives the webhook acts on it in process, and the
        // bus then takes it as consumed; the push GitHub sends for a merge commit reaches every replica
        // through the subscription above, so each sees the merged revision at once.
        await deps.events.subscribe({
          id: 'gitops-change-requests',
          topics: [GITHUB_WEBHOOK_TOPIC],
          onEvent: createGithubChangeEventHandler({
            track: () =>
              void changeService
                .track()
                .catch(error => logger.warn(`Tracking change requests after a webhook failed: ${error}`)),
          }),
        });

        // Every replica polls and renders every config repo (each needs all desired states as leases move, and
        // the store writes are idempotent); watches, verdicts and syncs follow the cluster leases.
        lifecycle.addStartupHook(async () => {
          await automatedSync.start({ failInterrupted: !leases.shared });
          reconciler.start();
          await leases.start();
          for (const repo of repos) {
            await scheduler.scheduleTask({
              id: `gitops-poll-${repo.id}`,
              ...poll,
              // After the spread: a schedule read from config carries `scope: undefined`, which means global.
              scope: 'local',
              fn: () => reconciler.poll(repo.id),
            });
          }
          // Open PRs are read from their forge; one replica does it (each step is idempotent anyway).
          await scheduler.scheduleTask({
            id: 'gitops-change-tracker',
            scope: 'global',
            ...(config.has('gitops.changes.track')
              ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('gitops.changes.track'))
              : { frequency: { seconds: 15 }, timeout: { minutes: 5 }, initialDelay: { seconds: 5 } }),
            fn: () => changeService.track(),
          });
          // Requests a killed process left stored but not proposed move on now: a crashed replica's claim on
          // the global tracker only lapses after its timeout.
          void changeService
            .track()
            .catch(error => logger.warn(`Resuming change requests failed: ${error}`));
        });
        lifecycle.addShutdownHook(async () => {
          await leases.stop();
          automatedSync.stop();
          reconciler.stop();
          await clusters.stopAll();
        });
      },
    });
  },
});
