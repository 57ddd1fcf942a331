import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type { ChangeRequest, ChangeRequestState } from '@backstage-gitops/plugin-gitops-common';
import knexFactory, { type Knex } from 'knex';
import { join } from 'node:path';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { KubeHttpClient } from '../cluster/KubeHttpClient';
import { describeWithCluster, startTestCluster, type TestCluster } from '../cluster/__testUtils__/startTestCluster';
import { DatabaseChangeStore } from '../database/DatabaseChangeStore';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { DatabaseSyncStore } from '../database/DatabaseSyncStore';
import { ConfigRepository } from '../git';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { Reconciler } from '../reconcile/Reconciler';
import { waitUntil } from '../reconcile/__testUtils__/waitUntil';
import { ApplicationRenderer } from '../render';
import { readEnvironmentPolicies } from '../sync/readEnvironmentPolicies';
import { Syncer } from '../sync/Syncer';
import { alice, bob, kustomizeUnavailable, readExampleRepo } from './__testUtils__/changeTestbed';
import { CATALOG_USERS } from './__testUtils__/catalogUsers';
import { ChangeService } from './ChangeService';
import { CatalogForgeIdentityResolver } from './ForgeIdentityResolver';
import { LocalScmProvider } from './scm/LocalScmProvider';

jest.setTimeout(180_000);

const FIELD_MANAGER = 'backstage-gitops';
// report-worker is a CronJob: healthy without pods. (ledger's StatefulSet claims volumes, and the local control
// plane has no volume provisioner, so it never turns ready there.)
const DEV_NS = 'reports-dev';
const STAGING_NS = 'reports-staging';

function quietLogger(): LoggerService {
  const logger: LoggerService = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, child: () => logger };
  return logger;
}

const auditor: AuditorService = {
  createEvent: async () => ({ success: async () => {}, fail: async () => {} }),
};

/**
 * The whole loop on the embedded default: the example config repo in a real Git remote, the local provider,
 * the reconciler and automated sync on a real control plane. A change request goes from proposal through
 * approval and merge to applied, synced and healthy with nobody touching the cluster.
 */
describeWithCluster('change requests end to end (local Git, local cluster)', () => {
  let skipReason: string | undefined;
  let cluster: TestCluster;
  let client: KubeHttpClient;
  let remote: TestGitRemote;
  let knex: Knex;
  let clusters: ClusterRegistry;
  let reconciler: Reconciler;
  let syncer: Syncer;
  let changes: ChangeService;
  let store: DatabaseGitOpsStore;
  const moves: Array<{ id: string; state: ChangeRequestState }> = [];
  const logger = quietLogger();

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason) return;
    cluster = await startTestCluster();
    client = new KubeHttpClient(cluster.kubeConfig);
    remote = await TestGitRemote.create();
    await remote.commit('seed from examples/config-repo', await readExampleRepo());

    knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    const database = { getClient: async () => knex };
    store = await DatabaseGitOpsStore.create({ database });
    const syncStore = await DatabaseSyncStore.create({ database });
    const changeStore = await DatabaseChangeStore.create({ database, skipMigrations: true });
    const repo = new ConfigRepository({ id: 'demo', url: remote.url, workDir: join(remote.root, 'backend'), logger });
    clusters = new ClusterRegistry([{ name: 'local', kubeConfig: cluster.kubeConfig }], { logger, fieldManager: FIELD_MANAGER });
    const policies = readEnvironmentPolicies(new ConfigReader({}));
    const renderer = new ApplicationRenderer({ logger });
    syncer = new Syncer({
      source: {
        desiredState: name => reconciler.desiredState(name),
        noteSynced: (name, at) => reconciler.noteSynced(name, at),
      },
      clusters,
      store: syncStore,
      policies,
      auditor,
      logger,
      fieldManager: FIELD_MANAGER,
    });
    reconciler = new Reconciler({
      store,
      repos: [repo],
      clusters: clusters.caches(),
      renderer,
      catalog: { info: async () => new Map(), annotatedEntities: async () => [] },
      logger,
      fieldManager: FIELD_MANAGER,
      diffMode: 'strict',
      onVerdict: (name, verdict) => syncer.onVerdict(name, verdict),
      onStatusChange: () => changes.followDeployments(),
    });
    changes = new ChangeService({
      changes: changeStore,
      status: store,
      repos: [repo],
      providers: [new LocalScmProvider()],
      renderer,
      authorizer: { authorize: async () => {} },
      forgeIdentities: new CatalogForgeIdentityResolver(catalogServiceMock({ entities: CATALOG_USERS }), mockServices.auth()),
      logger,
      workDir: join(remote.root, 'backend'),
      clusterNames: ['local'],
      refreshRepo: repoId => void reconciler.refresh(repoId),
      approvalRules: new Map([['staging', { environment: 'staging', count: 1 }]]),
      listener: { onChange: request => moves.push({ id: request.id, state: request.state }) },
    });
    await syncer.start();
    reconciler.start();
    await clusters.startAll();
    await reconciler.poll('demo');
  }, 300_000);

  afterAll(async () => {
    reconciler?.stop();
    syncer?.stop();
    await syncer?.whenIdle();
    await clusters?.stopAll();
    await knex?.destroy();
    await cluster?.stop();
    await remote?.cleanup();
  });


  async function untilHealthy(id: string): Promise<ChangeRequest> {
    return waitUntil(
      () => changes.get(id),
      request => {
        expect(request.reason).toBeUndefined();
        expect(request.state).toBe('healthy');
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  }

  const liveImage = async (namespace: string, kind: 'cronjobs' | 'deployments', name: string) => {
    const group = kind === 'cronjobs' ? 'batch/v1' : 'apps/v1';
    const object: any = await client.request<KubeObject>('GET', `/apis/${group}/namespaces/${namespace}/${kind}/${name}`);
    const pod = kind === 'cronjobs' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec;
    return pod.containers[0].image as string;
  };

  it('an image change: proposed, merged, applied by automated sync, synced and healthy', async () => {

    if (skipReason) return;
    await waitUntil(
      () => store.getApplication('report-worker-dev'),
      detail => expect([detail?.status.sync, detail?.status.health]).toEqual(['Synced', 'Healthy']),
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    const { request } = await changes.submit(
      { changes: [{ type: 'image', application: 'report-worker-dev', tag: '2.2.0' }], idempotencyKey: 'e2e-image' },
      alice,
    );
    expect(request.state).toBe('pr-open');
    // Nothing reaches the cluster before the merge.
    expect(await liveImage(DEV_NS, 'cronjobs', 'report-worker')).toBe('ghcr.io/acme/report-worker:2.1.0');

    const merged = await changes.merge(request.id, alice);
    const done = await untilHealthy(request.id);
    expect(done.events.map(e => e.state)).toEqual(['draft', 'checked', 'pr-open', 'merged', 'synced', 'healthy']);
    expect(await liveImage(DEV_NS, 'cronjobs', 'report-worker')).toBe('ghcr.io/acme/report-worker:2.2.0');
    const status = (await store.getApplication('report-worker-dev'))!.status;
    expect(status.revision?.sha).toBe(merged.pullRequest?.mergeSha);
  });

  it('a promotion dev → staging, approved by someone else, reaches healthy', async () => {

    if (skipReason) return;
    const { request } = await changes.submit(
      { changes: [{ type: 'promote', from: 'report-worker-dev', to: 'report-worker-staging' }] },
      alice,
    );
    await expect(changes.merge(request.id, alice)).rejects.toThrow(/still needs 1 more approval/);
    await changes.approve(request.id, bob);
    await changes.merge(request.id, alice);
    await untilHealthy(request.id);
    expect(await liveImage(STAGING_NS, 'cronjobs', 'report-worker')).toBe('ghcr.io/acme/report-worker:2.2.0');
  });

  it('a new service: its applications appear after the merge and run healthy', async () => {

    if (skipReason) return;
    const { request } = await changes.submit(
      {
        changes: [
          {
            type: 'application',
            name: 'payments',
            entityRef: 'component:default/payments',
            image: 'ghcr.io/acme/payments',
            tag: '0.1.0',
            port: 8080,
            environments: [{ name: 'dev', namespace: 'payments-dev' }],
          },
        ],
      },
      alice,
    );
    expect(request.applications).toEqual([{ name: 'payments-dev', environment: 'dev' }]);
    await changes.merge(request.id, alice);
    await untilHealthy(request.id);
    expect(await liveImage('payments-dev', 'deployments', 'payments')).toBe('ghcr.io/acme/payments:0.1.0');
    expect(moves.filter(m => m.id === request.id).map(m => m.state)).toEqual(['checked', 'pr-open', 'merged', 'synced', 'healthy']);
  });
});
