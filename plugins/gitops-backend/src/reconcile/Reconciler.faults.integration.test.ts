import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type { ApplicationDetailResponse } from '@backstage-gitops/plugin-gitops-common';
import knexFactory, { type Knex } from 'knex';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { KubeHttpClient } from '../cluster/KubeHttpClient';
import {
  describeWithCluster,
  startTestCluster,
  uniqueName,
  type TestCluster,
} from '../cluster/__testUtils__/startTestCluster';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { ConfigRepository } from '../git';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { ApplicationRenderer } from '../render';
import {
  startTestPostgres,
  testPostgresUnavailableReason,
  type TestPostgres,
} from '../replicas/__testUtils__/startTestPostgres';
import { Reconciler, type CatalogLookup } from './Reconciler';
import { exampleApplication } from './__testUtils__/exampleApplication';
import { waitUntil } from './__testUtils__/waitUntil';

jest.setTimeout(240_000);

const FIELD_MANAGER = 'backstage-gitops';
const CLUSTER = 'local';
const REPO = 'platform-config';
const SHOP = 'shop-api-dev';
const SETTINGS = `${SHOP}-settings`;

function capturingLogger(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  const keep = (message: string) => {
    warnings.push(message);
  };
  const logger = {
    warnings,
    error: keep,
    warn: keep,
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

const catalog: CatalogLookup = {
  info: async refs =>
    new Map(refs.map(ref => [ref, { owner: 'group:default/team-shop' }])),
  annotatedEntities: async () => [],
};

const elapsed = (since: number) =>
  `${Math.round(performance.now() - since)} ms`;

describeWithCluster('Reconciler through outages of what it depends on', () => {
  let cluster: TestCluster;
  let client: KubeHttpClient;
  let remote: TestGitRemote;
  let namespace: string;
  let image = 'shop-api:1.0.0';
  const logger = capturingLogger();

  const shop = () =>
    exampleApplication({
      name: SHOP,
      entityRef: 'component:default/shop-api',
      cluster: CLUSTER,
      namespace,
      image,
    });
  const settingsPath = () =>
    `/api/v1/namespaces/${namespace}/configmaps/${SETTINGS}`;
  const editSettings = (data: Record<string, string>) =>
    client.request('PATCH', settingsPath(), {
      query: { fieldManager: 'kubectl-edit' },
      body: { data },
      contentType: 'application/strategic-merge-patch+json',
    });
  const applyAsSync = (object: KubeObject) =>
    client.apply(object, { fieldManager: FIELD_MANAGER, force: true });

  /** Reconciler, caches and store wired as plugin.ts wires them, on the given database. */
  async function startBackend(
    knex: Knex,
    workDir: string,
    silentWatchMs?: number,
  ) {
    const store = await DatabaseGitOpsStore.create({
      database: { getClient: async () => knex },
    });
    const clusters = new ClusterRegistry(
      [{ name: CLUSTER, kubeConfig: cluster.kubeConfig }],
      { logger, fieldManager: FIELD_MANAGER, silentWatchMs },
    );
    const reconciler = new Reconciler({
      store,
      repos: [
        new ConfigRepository({
          id: REPO,
          url: remote.url,
          workDir: join(remote.root, workDir),
          logger,
        }),
      ],
      clusters: clusters.caches(),
      renderer: new ApplicationRenderer({ logger }),
      catalog,
      logger,
      fieldManager: FIELD_MANAGER,
      diffMode: 'strict',
    });
    reconciler.start();
    await clusters.startAll();
    await reconciler.poll(REPO);
    return {
      store,
      reconciler,
      async stop() {
        reconciler.stop();
        await clusters.stopAll();
      },
    };
  }

  const sqlite = () =>
    knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });

  async function waitForShop(
    store: DatabaseGitOpsStore,
    check: (detail: ApplicationDetailResponse) => void,
    timeoutMs = 30_000,
  ): Promise<ApplicationDetailResponse> {
    const detail = await waitUntil(
      () => store.getApplication(SHOP),
      value => {
        expect(value).toBeDefined();
        check(value!);
      },
      { timeoutMs, intervalMs: 100 },
    );
    return detail!;
  }

  /** Live objects back to what Git says; the application reads Synced. */
  async function resetLiveToGit(store: DatabaseGitOpsStore) {
    for (const object of shop().objects) await applyAsSync(object);
    return waitForShop(store, detail => {
      expect(detail.status.problem).toBeUndefined();
      expect(detail.status).toMatchObject({ sync: 'Synced', driftCount: 0 });
    });
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = new KubeHttpClient(cluster.kubeConfig);
    namespace = uniqueName('faults');
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { fieldManager: FIELD_MANAGER },
    );
    for (const object of shop().objects) await applyAsSync(object);
    remote = await TestGitRemote.create();
    await remote.commit('The shop', shop().files);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
    await remote?.cleanup();
  }, 180_000);

  it('turns verdicts Unknown under CLUSTER_UNREACHABLE, keeping the last known state, while etcd is down, and recovers once it is back without a restart', async () => {
    const knex = sqlite();
    // Watches stay open and silent while etcd is down: a short silence makes the backend ask /readyz soon.
    const backend = await startBackend(knex, 'etcd', 2000);
    let etcdDown = false;
    try {
      await resetLiveToGit(backend.store);
      await editSettings({ greeting: 'edited before the outage' });
      const before = await waitForShop(backend.store, detail =>
        expect(detail.status.driftCount).toBe(1),
      );

      const stopped = performance.now();
      await cluster.stopEtcd();
      etcdDown = true;
      const down = await waitForShop(
        backend.store,
        detail =>
          expect(detail.status.problem?.code).toBe('CLUSTER_UNREACHABLE'),
        60_000,
      );
      // eslint-disable-next-line no-console
      console.log(`etcd stopped -> CLUSTER_UNREACHABLE: ${elapsed(stopped)}`);
      expect(down.status.problem?.message).toMatch(/storage \(\/readyz: etcd/);
      expect(down.status.sync).toBe('Unknown');
      expect(down.resources).toEqual(before.resources);
      expect(down.status).toMatchObject({
        driftCount: 1,
        revision: before.status.revision,
      });

      await cluster.startEtcd();
      etcdDown = false;
      const restarted = performance.now();
      await waitForShop(
        backend.store,
        detail => expect(detail.status.problem).toBeUndefined(),
        180_000,
      );
      // eslint-disable-next-line no-console
      console.log(`etcd ready -> verdict recovered: ${elapsed(restarted)}`);
      // The watches are live again: an edit now shows as it would have before the outage.
      await waitUntil(
        () =>
          editSettings({ mode: 'edited after the outage' }).then(
            () => true,
            () => false,
          ),
        ok => expect(ok).toBe(true),
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      const after = await waitForShop(backend.store, detail =>
        expect(detail.status.driftCount).toBe(2),
      );
      expect(after.status.sync).toBe('OutOfSync');
      expect(
        (await backend.store.getHistory(SHOP)).items.length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      if (etcdDown) await cluster.startEtcd();
      await backend.stop();
      await knex.destroy();
    }
  });

  const describeWithPostgres = testPostgresUnavailableReason()
    ? describe.skip
    : describe;
  describeWithPostgres('on a PostgreSQL of its own', () => {
    it('loses nothing while PostgreSQL is down: it retries, and the verdict shows the edit and the commit made meanwhile', async () => {
      let postgres: TestPostgres | undefined;
      let knex: Knex | undefined;
      let backend: Awaited<ReturnType<typeof startBackend>> | undefined;
      try {
        postgres = await startTestPostgres();
        knex = knexFactory({
          client: 'pg',
          connection: postgres.connectionString,
          pool: { min: 0, max: 4 },
        });
        backend = await startBackend(knex, 'postgres');
        const before = await resetLiveToGit(backend.store);
        const historyBefore = (await backend.store.getHistory(SHOP)).items
          .length;

        const stopped = performance.now();
        await postgres.stop();
        // Meanwhile someone edits the cluster and a commit lands; neither can be stored yet.
        const warnings = logger.warnings.length;
        await editSettings({ greeting: 'edited while the database is down' });
        image = 'shop-api:1.1.0';
        const sha = await remote.commit('shop-api 1.1.0', shop().files);
        await expect(backend.reconciler.poll(REPO)).rejects.toThrow();
        await waitUntil(
          async () => logger.warnings.slice(warnings),
          // Retried with backoff, not given up: the second attempt failed too while the database stays down.
          lines =>
            expect(lines.join('\n')).toMatch(
              new RegExp(`Reconciling ${SHOP} failed \\(attempt 2\\)`),
            ),
          { timeoutMs: 30_000, intervalMs: 100 },
        );

        await postgres.start();
        const restarted = performance.now();
        // The next scheduled poll, as the scheduler would run it; the reconciler itself was never restarted.
        await backend.reconciler.poll(REPO);
        const after = await waitForShop(
          backend.store,
          detail => {
            expect(detail.status.revision?.sha).toBe(sha);
            expect(detail.status.sync).toBe('OutOfSync');
            expect(
              detail.resources
                .find(r => r.ref.name === SETTINGS)
                ?.drifts.map(d => d.path),
            ).toEqual(['data.greeting']);
          },
          60_000,
        );
        // eslint-disable-next-line no-console
        console.log(
          `PostgreSQL down ${Math.round(
            restarted - stopped,
          )} ms; back -> verdict with everything from the outage: ${elapsed(
            restarted,
          )}`,
        );
        expect(
          after.resources.find(r => r.ref.kind === 'Deployment')?.drifts,
        ).toContainEqual(
          expect.objectContaining({
            path: 'spec.template.spec.containers[name=web].image',
            desired: 'shop-api:1.1.0',
          }),
        );
        const history = await backend.store.getHistory(SHOP);
        expect(history.items.length).toBeGreaterThan(historyBefore);
        expect(history.items[0]).toMatchObject({
          sync: 'OutOfSync',
          revision: sha,
        });
        expect(before.status.sync).toBe('Synced');
      } finally {
        image = 'shop-api:1.0.0';
        await backend?.stop();
        await knex?.destroy();
        await postgres?.remove();
      }
    });
  });
});
