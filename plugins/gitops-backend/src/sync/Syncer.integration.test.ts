import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type {
  ApplicationDetailResponse,
  SyncRun,
} from '@backstage-gitops/plugin-gitops-common';
import knexFactory, { type Knex } from 'knex';
import { join } from 'node:path';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { KubeHttpClient } from '../cluster/KubeHttpClient';
import {
  describeWithCluster,
  startTestCluster,
  uniqueName,
  type TestCluster,
} from '../cluster/__testUtils__/startTestCluster';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { DatabaseSyncStore } from '../database/DatabaseSyncStore';
import { ConfigRepository } from '../git';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { Reconciler } from '../reconcile/Reconciler';
import { exampleApplication } from '../reconcile/__testUtils__/exampleApplication';
import {
  waitUntil,
  type WaitUntilOptions,
} from '../reconcile/__testUtils__/waitUntil';
import { ApplicationRenderer } from '../render';
import {
  readEnvironmentPolicies,
  type EnvironmentPolicies,
} from './readEnvironmentPolicies';
import { Syncer } from './Syncer';

jest.setTimeout(90_000);

const FIELD_MANAGER = 'backstage-gitops';
const CLUSTER = 'local';
const REPO = 'platform-config';
/** Automated, prune and self-heal. */
const AUTO = 'shop-auto';
/** Automated without prune. */
const KEEP = 'ledger-keep';
/** Not automated: only "sync now" applies it. */
const MANUAL = 'billing-manual';
/** Automated, in prod, where a deny window is active at first. */
const FROZEN = 'orders-prod';
/** The fields of live objects these tests read. */
type LiveObject = KubeObject & {
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } };
};

interface AppOptions {
  image?: string;
  environment?: string;
  syncPolicy?: { automated: boolean; prune: boolean; selfHeal: boolean };
  /** Leave the `<name>-settings` ConfigMap out of Git. */
  withoutSettings?: boolean;
  greeting?: string;
  /** More YAML documents for the manifests file. */
  extra?: string;
}

function quietLogger(): LoggerService {
  const logger: LoggerService = {
    error: () => {},
    warn: () => {},
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

/** Every audit event with how it ended. */
function recordingAuditor() {
  const events: Array<{
    options: AuditorServiceCreateEventOptions;
    outcome?: 'success' | 'fail';
    meta?: unknown;
    error?: Error;
  }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: (typeof events)[number] = { options };
      events.push(event);
      return {
        async success(done) {
          event.outcome = 'success';
          event.meta = done?.meta;
        },
        async fail(done) {
          event.outcome = 'fail';
          event.meta = done.meta;
          event.error = done.error;
        },
      };
    },
  };
  return { auditor, events };
}

describeWithCluster('Syncer on a real config repo and control plane', () => {
  let cluster: TestCluster;
  /** The test's own kubectl. */
  let client: KubeHttpClient;
  let remote: TestGitRemote;
  let knex: Knex;
  let store: DatabaseGitOpsStore;
  let syncStore: DatabaseSyncStore;
  let clusters: ClusterRegistry;
  let reconciler: Reconciler;
  let syncer: Syncer;
  let namespace: string;
  const audit = recordingAuditor();
  const logger = quietLogger();
  // prod starts frozen: a deny window that is always active, blocking manual syncs too.
  const frozenConfig = {
    gitops: {
      environments: {
        prod: {
          changeWindows: [
            {
              kind: 'deny',
              schedule: '* * * * *',
              duration: '1h',
              description: 'release freeze',
            },
          ],
        },
      },
    },
  };
  let policies: EnvironmentPolicies = readEnvironmentPolicies(
    new ConfigReader(frozenConfig),
  );
  const options: Record<string, AppOptions> = {
    [AUTO]: { syncPolicy: { automated: true, prune: true, selfHeal: true } },
    [KEEP]: { syncPolicy: { automated: true, prune: false, selfHeal: false } },
    [MANUAL]: {},
    [FROZEN]: {
      environment: 'prod',
      syncPolicy: { automated: true, prune: true, selfHeal: false },
    },
  };

  function files(name: string): Record<string, string> {
    const o = options[name];
    const example = exampleApplication({
      name,
      entityRef: `component:default/${name}`,
      cluster: CLUSTER,
      namespace,
      image: o.image ?? `${name}:1.0.0`,
    });
    let application = example.files[example.applicationFile];
    if (o.environment) {
      application = application.replace(
        'environment: dev',
        `environment: ${o.environment}`,
      );
    }
    if (o.syncPolicy) {
      application += `  syncPolicy:\n${Object.entries(o.syncPolicy)
        .map(([key, value]) => `    ${key}: ${value}\n`)
        .join('')}`;
    }
    let documents = example.files[example.manifestFile].split(/^---\n/m);
    if (o.withoutSettings)
      documents = documents.filter(doc => !doc.includes('kind: ConfigMap'));
    if (o.greeting)
      documents = documents.map(doc =>
        doc.replace('greeting: hello', `greeting: ${o.greeting}`),
      );
    if (o.extra) documents.push(o.extra);
    return {
      [example.applicationFile]: application,
      [example.manifestFile]: documents.join('---\n'),
    };
  }
  const allFiles = () => Object.assign({}, ...Object.keys(options).map(files));

  const path = (plural: string, name: string, group = '/api/v1') =>
    `${group}/namespaces/${namespace}/${plural}/${name}`;
  const configMapPath = (name: string) => path('configmaps', name);
  const deploymentPath = (name: string) =>
    path('deployments', name, '/apis/apps/v1');
  const read = (objectPath: string) =>
    client.request<LiveObject>('GET', objectPath).catch(error => {
      if (error.statusCode === 404) return undefined;
      throw error;
    });

  async function commit(message: string): Promise<string> {
    const sha = await remote.commit(message, allFiles());
    await reconciler.poll(REPO);
    return sha;
  }

  async function waitForApplication(
    name: string,
    check: (detail: ApplicationDetailResponse) => void,
    wait: WaitUntilOptions = { timeoutMs: 30_000 },
  ): Promise<ApplicationDetailResponse> {
    return (await waitUntil(
      () => store.getApplication(name),
      detail => {
        expect(detail).toBeDefined();
        check(detail!);
      },
      wait,
    ))!;
  }

  async function waitForRun(
    name: string,
    check: (run: SyncRun) => void,
    wait: WaitUntilOptions = { timeoutMs: 30_000 },
  ): Promise<SyncRun> {
    const page = await waitUntil(
      () => syncStore.listRuns(name),
      runs => {
        expect(runs.items[0]).toBeDefined();
        check(runs.items[0]);
      },
      wait,
    );
    return page.items[0];
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = new KubeHttpClient(cluster.kubeConfig);
    namespace = uniqueName('sync');
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { fieldManager: 'test-setup' },
    );
    remote = await TestGitRemote.create();
    await remote.commit('Four applications', allFiles());

    // Wired as plugin.ts wires it, on its own SQLite.
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    const database = { getClient: async () => knex };
    store = await DatabaseGitOpsStore.create({ database });
    syncStore = await DatabaseSyncStore.create({ database });
    clusters = new ClusterRegistry(
      [{ name: CLUSTER, kubeConfig: cluster.kubeConfig }],
      {
        logger,
        fieldManager: FIELD_MANAGER,
      },
    );
    syncer = new Syncer({
      // The reconciler is built next; the syncer reads it only once verdicts flow.
      source: {
        desiredState: name => reconciler.desiredState(name),
        noteSynced: (name, at) => reconciler.noteSynced(name, at),
      },
      clusters,
      store: syncStore,
      policies: {
        evaluate: (environment, now) => policies.evaluate(environment, now),
      },
      auditor: audit.auditor,
      logger,
      fieldManager: FIELD_MANAGER,
      selfHealBackoff: { initialMs: 200, factor: 2, maxMs: 2_000 },
    });
    reconciler = new Reconciler({
      store,
      repos: [
        new ConfigRepository({
          id: REPO,
          url: remote.url,
          workDir: join(remote.root, 'backend'),
          logger,
        }),
      ],
      clusters: clusters.caches(),
      renderer: new ApplicationRenderer({ logger }),
      catalog: {
        info: async () => new Map(),
        annotatedEntities: async () => [],
      },
      logger,
      fieldManager: FIELD_MANAGER,
      diffMode: 'strict',
      onVerdict: (name, verdict) => syncer.onVerdict(name, verdict),
    });
    await syncer.start();
    reconciler.start();
    await clusters.startAll();
    await reconciler.poll(REPO);
  }, 240_000);

  afterAll(async () => {
    syncer?.stop();
    await syncer?.whenIdle();
    reconciler?.stop();
    await clusters?.stopAll();
    await knex?.destroy();
    client?.close();
    await cluster?.stop();
    await remote?.cleanup();
  }, 180_000);

  it('applies an automated application from its first commit, ends Synced and Healthy, and records and audits the run', async () => {
    const synced = await waitForApplication(AUTO, detail =>
      expect(detail.status).toMatchObject({
        sync: 'Synced',
        health: 'Healthy',
      }),
    );
    expect(synced.status.lastSyncedAt).toEqual(expect.any(String));
    const run = await waitForRun(AUTO, latest =>
      expect(latest.result).toBe('succeeded'),
    );
    expect(run).toMatchObject({
      trigger: 'automated',
      revision: synced.status.revision?.sha,
      resources: expect.arrayContaining([
        expect.objectContaining({
          ref: expect.objectContaining({ kind: 'Deployment', name: AUTO }),
        }),
      ]),
    });
    // Config before the workload that reads it.
    expect(run.resources.map(r => r.ref.kind)).toEqual([
      'ConfigMap',
      'Service',
      'Deployment',
    ]);
    expect((await read(deploymentPath(AUTO)))?.metadata.managedFields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ manager: FIELD_MANAGER, operation: 'Apply' }),
      ]),
    );
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        options: expect.objectContaining({
          eventId: 'sync',
          meta: expect.objectContaining({
            application: AUTO,
            revision: run.revision,
            trigger: 'automated',
          }),
        }),
        outcome: 'success',
        meta: expect.objectContaining({ result: 'succeeded', runId: run.id }),
      }),
    );
  });

  it('applies a new commit once, and moves the application to the new revision', async () => {
    options[AUTO].image = 'shop-auto:1.1.0';
    const sha = await commit('shop-auto 1.1.0');
    await waitForRun(AUTO, latest =>
      expect(latest).toMatchObject({ revision: sha, result: 'succeeded' }),
    );
    const detail = await waitForApplication(AUTO, d =>
      expect(d.status).toMatchObject({
        sync: 'Synced',
        revision: expect.objectContaining({ sha }),
      }),
    );
    expect(detail.status.driftCount).toBe(0);
    const live = await read(deploymentPath(AUTO));
    expect(live?.spec?.template?.spec?.containers?.[0]?.image).toBe(
      'shop-auto:1.1.0',
    );
    const runs = await syncStore.listRuns(AUTO);
    expect(runs.items.filter(r => r.revision === sha)).toHaveLength(1);
  });

  it('self-heals an out-of-band edit made under another field manager', async () => {
    const before = (await syncStore.listRuns(AUTO)).items.length;
    await client.request('PATCH', configMapPath(`${AUTO}-settings`), {
      query: { fieldManager: 'kubectl-edit' },
      body: { data: { greeting: 'edited by hand' } },
      contentType: 'application/strategic-merge-patch+json',
    });
    const healed = await waitForRun(AUTO, latest =>
      expect(latest).toMatchObject({
        trigger: 'self-heal',
        result: 'succeeded',
      }),
    );
    expect(healed.resources).toContainEqual(
      expect.objectContaining({
        ref: expect.objectContaining({ name: `${AUTO}-settings` }),
        action: 'applied',
      }),
    );
    await waitUntil(
      () => read(configMapPath(`${AUTO}-settings`)),
      live => expect(live?.data?.greeting).toBe('hello'),
    );
    await waitForApplication(AUTO, d =>
      expect(d.status).toMatchObject({ sync: 'Synced', driftCount: 0 }),
    );
    expect((await syncStore.listRuns(AUTO)).items.length).toBe(before + 1);
  });

  it('backs off self-heal while another controller keeps reverting, instead of fighting in a hot loop', async () => {
    const settings = configMapPath(`${AUTO}-settings`);
    const since = new Date().toISOString();
    // A rogue controller rewrites the field every 100 ms for 3 s.
    const fightUntil = Date.now() + 3_000;
    let edits = 0;
    for (let round = 0; Date.now() < fightUntil; round++) {
      edits++;
      await client.request('PATCH', settings, {
        query: { fieldManager: 'rogue-controller' },
        body: { data: { greeting: `rogue ${round}` } },
        contentType: 'application/strategic-merge-patch+json',
      });
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const heals = (await syncStore.listRuns(AUTO, { limit: 100 })).items.filter(
      run => run.trigger === 'self-heal' && run.startedAt >= since,
    );
    // Backoff 200 ms, doubling: about 4 in 3 s; a loop without it would follow each of the 30 edits.
    // eslint-disable-next-line no-console
    console.log(
      `${edits} rogue edits in 3 s -> ${heals.length} self-heal runs`,
    );
    expect(heals.length).toBeGreaterThanOrEqual(2);
    expect(heals.length).toBeLessThanOrEqual(6);

    // Once the other side stops, the next self-heal puts Git's value back for good.
    await waitUntil(
      () => read(settings),
      live => expect(live?.data?.greeting).toBe('hello'),
      { timeoutMs: 15_000 },
    );
    await waitForApplication(AUTO, d =>
      expect(d.status).toMatchObject({ sync: 'Synced', driftCount: 0 }),
    );
  });

  it('with prune, deletes an object removed from Git', async () => {
    options[AUTO].withoutSettings = true;
    const sha = await commit('shop-auto without its settings');
    const run = await waitForRun(AUTO, latest =>
      expect(latest).toMatchObject({ revision: sha, result: 'succeeded' }),
    );
    expect(run.resources).toContainEqual({
      ref: {
        group: '',
        kind: 'ConfigMap',
        namespace,
        name: `${AUTO}-settings`,
      },
      action: 'pruned',
    });
    await waitUntil(
      () => read(configMapPath(`${AUTO}-settings`)),
      live => expect(live).toBeUndefined(),
    );
    const detail = await waitForApplication(AUTO, d =>
      expect(d.status.sync).toBe('Synced'),
    );
    expect(detail.resources.map(r => r.ref.kind).sort()).toEqual([
      'Deployment',
      'Service',
    ]);
  });

  it('without prune, keeps an object removed from Git and reports it', async () => {
    await waitForApplication(KEEP, d => expect(d.status.sync).toBe('Synced'));
    options[KEEP].withoutSettings = true;
    options[KEEP].image = 'ledger-keep:1.1.0';
    const sha = await commit('ledger-keep 1.1.0 without its settings');
    const run = await waitForRun(KEEP, latest =>
      expect(latest).toMatchObject({ revision: sha, result: 'succeeded' }),
    );
    expect(run.resources).toContainEqual({
      ref: {
        group: '',
        kind: 'ConfigMap',
        namespace,
        name: `${KEEP}-settings`,
      },
      action: 'unchanged',
      message: 'no longer in Git; kept because the sync policy does not prune',
    });
    expect(await read(configMapPath(`${KEEP}-settings`))).toBeDefined();
    const detail = await waitForApplication(KEEP, d =>
      expect(d.resources.find(r => r.ref.kind === 'ConfigMap')?.sync).toBe(
        'Extraneous',
      ),
    );
    expect(detail.status.sync).toBe('OutOfSync');
  });

  it('applies nothing of a non-automated application until "sync now"', async () => {
    const waiting = await waitForApplication(MANUAL, d =>
      expect(d.status.sync).toBe('OutOfSync'),
    );
    expect(waiting.resources.map(r => r.sync)).toEqual([
      'Missing',
      'Missing',
      'Missing',
    ]);
    expect(await read(deploymentPath(MANUAL))).toBeUndefined();
    expect((await syncStore.listRuns(MANUAL)).items).toEqual([]);

    const started = await syncer.syncNow(MANUAL, {
      requestedBy: 'user:default/alice',
    });
    expect(started).toMatchObject({
      trigger: 'manual',
      requestedBy: 'user:default/alice',
      result: 'running',
    });
    await waitForApplication(MANUAL, d =>
      expect(d.status).toMatchObject({ sync: 'Synced', health: 'Healthy' }),
    );
    expect(await syncStore.getRun(started.id)).toMatchObject({
      result: 'succeeded',
    });
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        options: expect.objectContaining({
          meta: expect.objectContaining({
            application: MANUAL,
            trigger: 'manual',
            requestedBy: 'user:default/alice',
          }),
        }),
        outcome: 'success',
      }),
    );
  });

  it('holds back automated and manual syncs while a deny window is active, recording the skip once, and syncs once it opens', async () => {
    const skipped = await waitForRun(FROZEN, latest =>
      expect(latest.result).toBe('skipped'),
    );
    expect(skipped.message).toContain('release freeze');
    expect(await read(deploymentPath(FROZEN))).toBeUndefined();

    // More verdicts of the same revision (live changes, periodic reconciles) record nothing more.
    for (let i = 0; i < 3; i++) reconciler.requestReconcile(FROZEN);
    await reconciler.whenIdle();
    await syncer.whenIdle();
    expect((await syncStore.listRuns(FROZEN)).items).toHaveLength(1);

    await expect(
      syncer.syncNow(FROZEN, { requestedBy: 'user:default/alice' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('deny: release freeze (UTC)'),
    });
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        options: expect.objectContaining({
          meta: expect.objectContaining({
            application: FROZEN,
            trigger: 'manual',
          }),
        }),
        outcome: 'fail',
      }),
    );

    // The freeze is lifted: the next verdict syncs.
    policies = readEnvironmentPolicies(new ConfigReader({}));
    reconciler.requestReconcile(FROZEN);
    const run = await waitForRun(FROZEN, latest =>
      expect(latest).toMatchObject({
        trigger: 'automated',
        result: 'succeeded',
      }),
    );
    expect(run.revision).toBe(skipped.revision);
    await waitForApplication(FROZEN, d =>
      expect(d.status).toMatchObject({ sync: 'Synced', health: 'Healthy' }),
    );
  });

  it('records a failed apply with the API server message, and still applies the rest of the application', async () => {
    options[AUTO].withoutSettings = false;
    options[AUTO].greeting = 'hello again';
    options[AUTO].extra = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${AUTO}-broken
data:
  "not a valid key!": "x"
`;
    const sha = await commit('shop-auto with a broken ConfigMap');
    const run = await waitForRun(AUTO, latest =>
      expect(latest).toMatchObject({ revision: sha, result: 'failed' }),
    );
    const broken = run.resources.find(r => r.ref.name === `${AUTO}-broken`);
    expect(broken).toMatchObject({ action: 'failed' });
    // The API server's own words.
    expect(broken?.message).toMatch(
      /a valid config key must consist of alphanumeric characters/,
    );
    expect(run.message).toContain(`ConfigMap ${namespace}/${AUTO}-broken`);
    expect(run.resources.filter(r => r.action === 'failed')).toHaveLength(1);

    await waitUntil(
      () => read(configMapPath(`${AUTO}-settings`)),
      live => expect(live?.data?.greeting).toBe('hello again'),
    );
    // The rest is applied and confirmed; only the broken object stays Missing.
    const detail = await waitForApplication(AUTO, d => {
      const sync = (name: string) =>
        d.resources.find(r => r.ref.name === name)?.sync;
      expect(sync(`${AUTO}-broken`)).toBe('Missing');
      expect(sync(`${AUTO}-settings`)).toBe('Synced');
      expect(sync(AUTO)).toBe('Synced');
    });
    expect(detail.status.sync).toBe('OutOfSync');
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        options: expect.objectContaining({
          meta: expect.objectContaining({ application: AUTO, revision: sha }),
        }),
        outcome: 'fail',
        meta: expect.objectContaining({ result: 'failed' }),
      }),
    );

    // As Argo CD: a revision whose sync failed is not retried automatically, even with self-heal.
    reconciler.requestReconcile(AUTO);
    await new Promise(resolve => setTimeout(resolve, 1_000));
    await syncer.whenIdle();
    expect((await syncStore.listRuns(AUTO)).items[0].id).toBe(run.id);
  });
});
