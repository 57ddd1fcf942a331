import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  PRUNE_ANNOTATION,
  TRACKING_LABEL,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type {
  ApplicationDetailResponse,
  ApplicationStatus,
  ResourceStatus,
} from '@backstage-gitops/plugin-gitops-common';
import knexFactory from 'knex';
import { promises as fs } from 'node:fs';
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
import type { GitOpsStore } from '../database/GitOpsStore';
import { ConfigRepository } from '../git';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { ApplicationRenderer } from '../render';
import { Reconciler, type CatalogLookup } from './Reconciler';
import { exampleApplication } from './__testUtils__/exampleApplication';
import { waitUntil, type WaitUntilOptions } from './__testUtils__/waitUntil';

jest.setTimeout(60_000);

const FIELD_MANAGER = 'backstage-gitops';
const CLUSTER = 'local';
const REPO = 'platform-config';
/** Applied before the reconciler starts, so it begins Synced. */
const SHOP = 'shop-api-dev';
/** Never applied, so it begins OutOfSync with every resource Missing. */
const BILLING = 'billing-dev';
const SETTINGS = `${SHOP}-settings`;
const LEFTOVER = `${SHOP}-leftover`;
const IMAGE_PATH = 'spec.template.spec.containers[name=web].image';
const OWNER = 'group:default/team-shop';

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

/** `Kind/name sync` per resource, sorted: what a failed expectation should print. */
function summary(detail: ApplicationDetailResponse): string[] {
  return detail.resources
    .map(r => `${r.ref.kind}/${r.ref.name} ${r.sync}`)
    .sort();
}

function resourceOf(
  detail: ApplicationDetailResponse,
  kind: string,
  name: string,
): ResourceStatus {
  const resource = detail.resources.find(
    r => r.ref.kind === kind && r.ref.name === name,
  );
  if (!resource) {
    throw new Error(
      `no ${kind} ${name} among ${JSON.stringify(summary(detail))}`,
    );
  }
  return resource;
}

/** One backend's reconciler and the store it writes. */
interface Backend {
  store: DatabaseGitOpsStore;
  reconciler: Reconciler;
  /** Every status passed to `onStatusChange` (the signals the pages would receive). */
  published: ApplicationStatus[];
  stop(): Promise<void>;
}

describeWithCluster(
  'Reconciler on a real config repo and control plane',
  () => {
    let cluster: TestCluster;
    /** The test's own kubectl: applies, edits and deletes as users and syncs do. */
    let client: KubeHttpClient;
    let remote: TestGitRemote;
    let backend: Backend;
    let store: DatabaseGitOpsStore;
    let reconciler: Reconciler;
    let namespace: string;
    let initialSha: string;
    let shopImage = 'shop-api:1.0.0';
    const logger = capturingLogger();

    // The catalog is out of scope: the only stub in this file.
    const catalog: CatalogLookup = {
      info: async refs =>
        new Map(refs.map(ref => [ref, { owner: OWNER, system: 'shop' }])),
      // shop-api's page also lists billing through the annotation, as a refresh stores it.
      annotatedEntities: async () => [
        { entityRef: 'component:default/shop-api', annotation: BILLING },
      ],
    };

    const shop = () =>
      exampleApplication({
        name: SHOP,
        entityRef: 'component:default/shop-api',
        cluster: CLUSTER,
        namespace,
        image: shopImage,
      });
    const billing = () =>
      exampleApplication({
        name: BILLING,
        entityRef: 'component:default/billing',
        cluster: CLUSTER,
        namespace,
        image: 'billing:2.0.0',
      });

    const configMapPath = (name: string) =>
      `/api/v1/namespaces/${namespace}/configmaps/${name}`;
    const servicePath = (name: string) =>
      `/api/v1/namespaces/${namespace}/services/${name}`;
    // An automated sync: server-side apply under our field manager, taking back fields others edited.
    const applyAsSync = (object: KubeObject) =>
      client.apply(object, { fieldManager: FIELD_MANAGER, force: true });
    // What `kubectl edit` sends: a strategic merge patch under its own field manager.
    const editAsKubectl = (path: string, patch: unknown) =>
      client.request('PATCH', path, {
        query: { fieldManager: 'kubectl-edit' },
        body: patch,
        contentType: 'application/strategic-merge-patch+json',
      });

    /** Wired as plugin.ts wires it (reconciler, then caches, then a poll), on its own SQLite and working directory. */
    async function startBackend(workDir: string): Promise<Backend> {
      const knex = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: ':memory:' },
        useNullAsDefault: true,
      });
      const backendStore = await DatabaseGitOpsStore.create({
        database: { getClient: async () => knex },
      });
      const clusters = new ClusterRegistry(
        [{ name: CLUSTER, kubeConfig: cluster.kubeConfig }],
        { logger, fieldManager: FIELD_MANAGER },
      );
      const published: ApplicationStatus[] = [];
      const backendReconciler = new Reconciler({
        store: backendStore,
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
        onStatusChange: status => published.push(status),
      });
      backendReconciler.start();
      await clusters.startAll();
      await backendReconciler.poll(REPO);
      await backendReconciler.whenIdle();
      return {
        store: backendStore,
        reconciler: backendReconciler,
        published,
        async stop() {
          backendReconciler.stop();
          await clusters.stopAll();
          await knex.destroy();
        },
      };
    }

    async function waitForApplication(
      name: string,
      check: (detail: ApplicationDetailResponse) => void,
      options?: WaitUntilOptions,
      from: GitOpsStore = store,
    ): Promise<ApplicationDetailResponse> {
      const detail = await waitUntil(
        () => from.getApplication(name),
        value => {
          expect(value).toBeDefined();
          check(value!);
        },
        options,
      );
      return detail!;
    }

    /** Puts the applied application's live objects back to what Git declares and waits for it to read Synced. */
    async function resetLiveToGit(): Promise<ApplicationDetailResponse> {
      for (const object of shop().objects) await applyAsSync(object);
      await client.request('DELETE', configMapPath(LEFTOVER)).catch(error => {
        if (error.statusCode !== 404) throw error;
      });
      return waitForApplication(
        SHOP,
        detail => {
          expect(detail.status.problem).toBeUndefined();
          expect(detail.status).toMatchObject({
            sync: 'Synced',
            health: 'Healthy',
            driftCount: 0,
          });
        },
        { timeoutMs: 30_000 },
      );
    }

    beforeAll(async () => {
      cluster = await startTestCluster();
      client = new KubeHttpClient(cluster.kubeConfig);
      namespace = uniqueName('reconcile');
      await client.apply(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        { fieldManager: FIELD_MANAGER },
      );
      for (const object of shop().objects) await applyAsSync(object);

      remote = await TestGitRemote.create();
      initialSha = await remote.commit('Two applications', {
        ...shop().files,
        ...billing().files,
      });

      backend = await startBackend('backend');
      store = backend.store;
      reconciler = backend.reconciler;
    }, 180_000);

    afterAll(async () => {
      await backend?.stop();
      client?.close();
      await cluster?.stop();
      await remote?.cleanup();
    }, 180_000);

    it('starts with the applied application Synced and Healthy, and the other OutOfSync with every resource Missing', async () => {
      const applied = await waitForApplication(
        SHOP,
        detail =>
          expect(detail.status).toMatchObject({
            sync: 'Synced',
            health: 'Healthy',
            driftCount: 0,
          }),
        { timeoutMs: 20_000 },
      );
      expect(applied.status.problem).toBeUndefined();
      expect(applied.status.revision?.sha).toBe(initialSha);
      expect(summary(applied)).toEqual([
        `ConfigMap/${SETTINGS} Synced`,
        `Deployment/${SHOP} Synced`,
        `Service/${SHOP} Synced`,
      ]);

      const missing = await waitForApplication(BILLING, detail =>
        expect(detail.status).toMatchObject({
          sync: 'OutOfSync',
          health: 'Missing',
        }),
      );
      expect(summary(missing)).toEqual([
        `ConfigMap/${BILLING}-settings Missing`,
        `Deployment/${BILLING} Missing`,
        `Service/${BILLING} Missing`,
      ]);
      expect(missing.resources.map(r => r.health)).toEqual([
        'Missing',
        'Missing',
        'Missing',
      ]);

      // Which image runs where: Git's, per workload, also for one not applied yet; other kinds have none.
      expect(resourceOf(applied, 'Deployment', SHOP).images).toEqual([
        { container: 'web', image: 'shop-api:1.0.0' },
      ]);
      expect(resourceOf(missing, 'Deployment', BILLING).images).toEqual([
        { container: 'web', image: 'billing:2.0.0' },
      ]);
      expect(resourceOf(applied, 'Service', SHOP)).not.toHaveProperty('images');
      expect(resourceOf(applied, 'ConfigMap', SETTINGS)).not.toHaveProperty(
        'images',
      );

      // Synced all along: its history never shows an OutOfSync from a verdict taken before the first LIST.
      const history = await store.getHistory(SHOP);
      expect(history.items.map(entry => entry.sync)).not.toContain('OutOfSync');

      const entityPage = async (entityRef: string) =>
        (await store.getEntityStatus(entityRef)).map(s => s.application.name);
      expect(await entityPage('component:default/shop-api')).toEqual([
        BILLING,
        SHOP,
      ]);
      expect(await entityPage('component:default/billing')).toEqual([BILLING]);

      const fleet = await store.listFleet({ owner: OWNER });
      expect(
        fleet.items.map(item => [item.application.name, item.system]),
      ).toEqual([
        [BILLING, 'shop'],
        [SHOP, 'shop'],
      ]);
    });

    it('turns OutOfSync on a commit changing the image, with the drift, the new revision and a history entry, and Synced again once applied', async () => {
      const historyBefore = await store.getHistory(SHOP);
      shopImage = 'shop-api:1.1.0';
      const sha = await remote.commit('shop-api 1.1.0', shop().files);

      await reconciler.poll(REPO);
      await reconciler.whenIdle();
      const changed = await waitForApplication(SHOP, detail => {
        expect(detail.status.revision?.sha).toBe(sha);
        expect(detail.status.sync).toBe('OutOfSync');
      });
      const deployment = resourceOf(changed, 'Deployment', SHOP);
      expect(deployment.sync).toBe('OutOfSync');
      expect(deployment.drifts).toEqual([
        expect.objectContaining({
          path: IMAGE_PATH,
          type: 'changed',
          desired: 'shop-api:1.1.0',
          live: 'shop-api:1.0.0',
          firstSeenAt: expect.any(String),
        }),
      ]);
      expect(changed.status.driftCount).toBe(1);
      // The matrix reads Git's new image from `images` and the one still running from the drift.
      expect(deployment.images).toEqual([
        { container: 'web', image: 'shop-api:1.1.0' },
      ]);

      const historyAfter = await store.getHistory(SHOP);
      expect(historyAfter.items.length).toBeGreaterThan(
        historyBefore.items.length,
      );
      expect(historyAfter.items[0]).toMatchObject({
        sync: 'OutOfSync',
        revision: sha,
        driftCount: 1,
      });
      expect(backend.published).toContainEqual(
        expect.objectContaining({
          sync: 'OutOfSync',
          revision: expect.objectContaining({ sha }),
          application: expect.objectContaining({ name: SHOP }),
        }),
      );

      for (const object of shop().objects) await applyAsSync(object);
      const synced = await waitForApplication(
        SHOP,
        detail =>
          expect(detail.status).toMatchObject({
            sync: 'Synced',
            health: 'Healthy',
            driftCount: 0,
          }),
        { timeoutMs: 30_000 },
      );
      expect(synced.status.revision?.sha).toBe(sha);
    });

    it('stores a kubectl edit as drift with its path, manager and first-seen time, and keeps that time through a later edit', async () => {
      await resetLiveToGit();

      const sent = performance.now();
      await editAsKubectl(configMapPath(SETTINGS), {
        data: { greeting: 'hello from kubectl' },
      });
      const edited = await waitForApplication(
        SHOP,
        detail =>
          expect(resourceOf(detail, 'ConfigMap', SETTINGS).drifts).toHaveLength(
            1,
          ),
        { intervalMs: 5, timeoutMs: 10_000 },
      );
      // eslint-disable-next-line no-console
      console.log(
        `kubectl-edit PATCH -> drift stored: ${Math.round(
          performance.now() - sent,
        )} ms`,
      );
      const [greeting] = resourceOf(edited, 'ConfigMap', SETTINGS).drifts;
      expect(greeting).toMatchObject({
        path: 'data.greeting',
        type: 'changed',
        desired: 'hello',
        live: 'hello from kubectl',
        manager: 'kubectl-edit',
      });
      expect(Number.isNaN(Date.parse(greeting.firstSeenAt))).toBe(false);
      expect(edited.status).toMatchObject({
        sync: 'OutOfSync',
        driftCount: 1,
        driftSince: greeting.firstSeenAt,
      });

      await editAsKubectl(servicePath(SHOP), {
        spec: { ports: [{ port: 80, targetPort: 9090 }] },
      });
      const twice = await waitForApplication(SHOP, detail =>
        expect(detail.status.driftCount).toBe(2),
      );
      const [port] = resourceOf(twice, 'Service', SHOP).drifts;
      expect(port).toMatchObject({
        type: 'changed',
        desired: 8080,
        live: 9090,
        manager: 'kubectl-edit',
      });
      expect(port.path).toContain('targetPort');
      expect(port.firstSeenAt > greeting.firstSeenAt).toBe(true);
      expect(resourceOf(twice, 'ConfigMap', SETTINGS).drifts).toEqual([
        greeting,
      ]);
      expect(twice.status.driftSince).toBe(greeting.firstSeenAt);
    });

    it('reports a deleted object as Missing, the application OutOfSync and its health Missing', async () => {
      await resetLiveToGit();

      await client.request('DELETE', configMapPath(SETTINGS));
      const deleted = await waitForApplication(SHOP, detail =>
        expect(resourceOf(detail, 'ConfigMap', SETTINGS)).toMatchObject({
          sync: 'Missing',
          health: 'Missing',
        }),
      );
      expect(deleted.status).toMatchObject({
        sync: 'OutOfSync',
        health: 'Missing',
        resourceCounts: expect.objectContaining({ Missing: 1, Synced: 2 }),
      });
      expect(deleted.status.healthMessage).toContain(`ConfigMap ${SETTINGS}`);
    });

    it('reports a labelled object no longer in Git as Extraneous and OutOfSync, unless its prune annotation is disabled', async () => {
      await resetLiveToGit();

      const leftover: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: LEFTOVER,
          namespace,
          labels: { [TRACKING_LABEL]: SHOP },
        },
        data: { removed: 'from git' },
      };
      await applyAsSync(leftover);
      const extraneous = await waitForApplication(SHOP, detail =>
        expect(resourceOf(detail, 'ConfigMap', LEFTOVER).sync).toBe(
          'Extraneous',
        ),
      );
      expect(extraneous.status).toMatchObject({
        sync: 'OutOfSync',
        resourceCounts: expect.objectContaining({ Extraneous: 1, Synced: 3 }),
      });

      await applyAsSync({
        ...leftover,
        metadata: {
          ...leftover.metadata,
          annotations: { [PRUNE_ANNOTATION]: 'disabled' },
        },
      });
      const kept = await waitForApplication(SHOP, detail =>
        expect(detail.status.sync).toBe('Synced'),
      );
      expect(resourceOf(kept, 'ConfigMap', LEFTOVER).sync).toBe('Extraneous');
    });

    it('keeps the last known state under a CLUSTER_UNREACHABLE problem while the API server is down, and recovers when it is back', async () => {
      await resetLiveToGit();
      await editAsKubectl(configMapPath(SETTINGS), {
        data: { greeting: 'edited before the outage' },
      });
      const before = await waitForApplication(SHOP, detail =>
        expect(detail.status.driftCount).toBe(1),
      );
      const [beforeDrift] = resourceOf(before, 'ConfigMap', SETTINGS).drifts;

      const stoppedAt = Date.now();
      await cluster.stopApiServer();
      let apiServerDown = true;
      try {
        const down = await waitForApplication(
          SHOP,
          detail =>
            expect(detail.status.problem?.code).toBe('CLUSTER_UNREACHABLE'),
          { timeoutMs: 30_000, intervalMs: 50 },
        );
        expect(down.status.sync).toBe('Unknown');
        expect(Date.parse(down.status.problem!.since)).toBeGreaterThanOrEqual(
          stoppedAt,
        );
        expect(down.resources).toEqual(before.resources);
        expect(down.status).toMatchObject({
          health: before.status.health,
          driftCount: 1,
          driftSince: beforeDrift.firstSeenAt,
          revision: before.status.revision,
        });
        await waitForApplication(BILLING, detail =>
          expect(detail.status.problem?.code).toBe('CLUSTER_UNREACHABLE'),
        );

        // A commit meanwhile changes nothing the cluster could confirm: the problem keeps its age.
        await remote.commit('Docs only', { 'README.md': 'Shop config.\n' });
        await reconciler.poll(REPO);
        await reconciler.whenIdle();
        expect((await store.getApplication(SHOP))?.status.problem).toEqual(
          down.status.problem,
        );

        await cluster.startApiServer();
        apiServerDown = false;
        const restarted = performance.now();
        await editAsKubectl(configMapPath(SETTINGS), {
          data: { mode: 'edited right after the restart' },
        });
        const recovered = await waitForApplication(
          SHOP,
          detail => {
            expect(detail.status.problem).toBeUndefined();
            expect(detail.status.driftCount).toBe(2);
          },
          { timeoutMs: 90_000, intervalMs: 50 },
        );
        // eslint-disable-next-line no-console
        console.log(
          `API server ready -> verdict recovered: ${Math.round(
            performance.now() - restarted,
          )} ms`,
        );
        expect(recovered.status.sync).toBe('OutOfSync');
        const drifts = resourceOf(recovered, 'ConfigMap', SETTINGS).drifts;
        expect(drifts).toContainEqual(beforeDrift);
        expect(drifts.map(drift => drift.path).sort()).toEqual([
          'data.greeting',
          'data.mode',
        ]);
        await waitForApplication(BILLING, detail => {
          expect(detail.status.problem).toBeUndefined();
          expect(detail.status.sync).toBe('OutOfSync');
        });
      } finally {
        if (apiServerDown) await cluster.startApiServer();
      }
    }, 180_000);

    it('reports CLUSTER_UNREACHABLE from a backend started while the API server is down, never a verdict from an empty cache, and catches up once it is back', async () => {
      await resetLiveToGit();
      await cluster.stopApiServer();
      let apiServerDown = true;
      let late: Backend | undefined;
      try {
        late = await startBackend('backend-started-during-outage');
        for (const name of [SHOP, BILLING]) {
          const down = await waitForApplication(
            name,
            detail =>
              expect(detail.status.problem?.code).toBe('CLUSTER_UNREACHABLE'),
            { timeoutMs: 30_000, intervalMs: 50 },
            late.store,
          );
          expect(down.status.sync).toBe('Unknown');
          expect(down.resources).toEqual([]);
          expect((await late.store.getHistory(name)).items).toEqual([]);
        }

        await cluster.startApiServer();
        apiServerDown = false;
        await waitForApplication(
          SHOP,
          detail => {
            expect(detail.status.problem).toBeUndefined();
            expect(detail.status).toMatchObject({
              sync: 'Synced',
              health: 'Healthy',
            });
          },
          { timeoutMs: 90_000, intervalMs: 50 },
          late.store,
        );
        await waitForApplication(
          BILLING,
          detail => {
            expect(detail.status.problem).toBeUndefined();
            expect(detail.status.sync).toBe('OutOfSync');
          },
          undefined,
          late.store,
        );
        const history = await late.store.getHistory(SHOP);
        expect(history.items.map(entry => entry.sync)).toEqual(['Synced']);
      } finally {
        if (apiServerDown) await cluster.startApiServer();
        await late?.stop();
      }
    }, 180_000);

    it('marks the applications REPO_UNREACHABLE while the config repo is gone, keeping their state, and clears it once the repo is back', async () => {
      const before = await resetLiveToGit();
      const movedDir = `${remote.bareDir}.moved`;
      await fs.rename(remote.bareDir, movedDir);
      try {
        await reconciler.poll(REPO);
        await reconciler.whenIdle();
        const gone = await waitForApplication(SHOP, detail =>
          expect(detail.status.problem).toMatchObject({
            code: 'REPO_UNREACHABLE',
            since: expect.any(String),
          }),
        );
        expect(gone.status.sync).toBe('Unknown');
        expect(gone.resources).toEqual(before.resources);
        expect(gone.status.revision).toEqual(before.status.revision);
        expect(
          (await store.getApplication(BILLING))?.status.problem?.code,
        ).toBe('REPO_UNREACHABLE');
        const since = gone.status.problem!.since;

        // Live changes still show, and do not hide that Git cannot be read.
        await editAsKubectl(configMapPath(SETTINGS), {
          data: { greeting: 'edited while Git is gone' },
        });
        const edited = await waitForApplication(SHOP, detail =>
          expect(detail.status.driftCount).toBe(1),
        );
        expect(edited.status.problem).toMatchObject({
          code: 'REPO_UNREACHABLE',
          since,
        });
        await reconciler.poll(REPO);
        expect((await store.getApplication(SHOP))?.status.problem?.since).toBe(
          since,
        );
      } finally {
        await fs.rename(movedDir, remote.bareDir);
      }

      await reconciler.poll(REPO);
      await reconciler.whenIdle();
      const back = await waitForApplication(SHOP, detail =>
        expect(detail.status.problem).toBeUndefined(),
      );
      expect(back.status).toMatchObject({ sync: 'OutOfSync', driftCount: 1 });
      await waitForApplication(BILLING, detail => {
        expect(detail.status.problem).toBeUndefined();
        expect(detail.status.sync).toBe('OutOfSync');
      });
    });

    it('keeps an application whose own declaration stops parsing, as last known with an INVALID_APPLICATION problem, and loses no history', async () => {
      await resetLiveToGit();
      const before = await store.getHistory(SHOP, { limit: 100 });
      const file = `applications/${SHOP}.yaml`;
      await remote.commit('Break the shop declaration', {
        [file]:
          'apiVersion: gitops.backstage.io/v1alpha1\nkind: Application\nmetadata: [unclosed\n',
      });
      try {
        await reconciler.poll(REPO);
        await reconciler.whenIdle();
        const kept = await waitForApplication(SHOP, detail => {
          expect(detail.status.problem?.code).toBe('INVALID_APPLICATION');
        });
        expect(kept.status.problem!.message).toContain(file);
        expect(summary(kept)).toHaveLength(3);
        const after = await store.getHistory(SHOP, { limit: 100 });
        expect(after.items.length).toBeGreaterThanOrEqual(before.items.length);
      } finally {
        await remote.commit('Restore the shop declaration', {
          [file]: shop().files[file],
        });
      }
      await reconciler.poll(REPO);
      await reconciler.whenIdle();
      await waitForApplication(SHOP, detail => {
        expect(detail.status.problem).toBeUndefined();
        expect(detail.status.sync).toBe('Synced');
      });
    });

    it('keeps reconciling the other applications past a broken application file, and names the file of a manifest without kind', async () => {
      await resetLiveToGit();
      const noKindFile = `apps/${BILLING}/no-kind.yaml`;
      const brokenSha = await remote.commit('Broken inputs', {
        'applications/broken.yaml':
          'apiVersion: gitops.backstage.io/v1alpha1\nkind: Application\nmetadata: [unclosed\n',
        [noKindFile]:
          'apiVersion: v1\nmetadata:\n  name: kindless\ndata:\n  a: b\n',
      });
      try {
        await reconciler.poll(REPO);
        await reconciler.whenIdle();
        const broken = await waitForApplication(BILLING, detail =>
          expect(['INVALID_MANIFEST', 'RENDER_FAILED']).toContain(
            detail.status.problem?.code,
          ),
        );
        expect(broken.status.problem!.message).toContain(noKindFile);
        expect(broken.status.sync).toBe('Unknown');
        expect(logger.warnings.join('\n')).toContain(
          'applications/broken.yaml',
        );

        const working = await waitForApplication(SHOP, detail => {
          // A commit that changes nothing shop deploys does not move shop's revision.
          expect(detail.status.revision?.sha).not.toBe(brokenSha);
          expect(detail.status.problem).toBeUndefined();
          expect(detail.status.sync).toBe('Synced');
        });
        expect(summary(working)).toHaveLength(3);
        await editAsKubectl(configMapPath(SETTINGS), {
          data: { greeting: 'edited next to a broken application' },
        });
        await waitForApplication(SHOP, detail =>
          expect(resourceOf(detail, 'ConfigMap', SETTINGS).drifts).toEqual([
            expect.objectContaining({
              path: 'data.greeting',
              manager: 'kubectl-edit',
            }),
          ]),
        );
      } finally {
        await remote.commit('Fix broken inputs', {
          'applications/broken.yaml': null,
          [noKindFile]: null,
        });
      }

      await reconciler.poll(REPO);
      await reconciler.whenIdle();
      await waitForApplication(BILLING, detail => {
        expect(detail.status.problem).toBeUndefined();
        expect(detail.status.sync).toBe('OutOfSync');
      });
    });
  },
);
