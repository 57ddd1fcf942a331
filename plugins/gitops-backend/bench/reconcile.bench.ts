/* eslint-disable no-console */
// Prints reconciler figures next to DESIGN §7 on a real local control plane; asserts nothing about time.
// Run: yarn bench:reconcile [--sizes 100,1000] (all flags in USAGE below)
import type { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_FIELD_MANAGER,
  TRACKING_LABEL,
  renderDirectory,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import express from 'express';
import knexFactory, { type Knex } from 'knex';
import { once } from 'node:events';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { stringify } from 'yaml';
import { createRouter } from '../src/api/createRouter';
import {
  loadApplications,
  type ParsedApplicationFiles,
} from '../src/applications';
import { ClusterRegistry } from '../src/cluster/ClusterRegistry';
import { KubeHttpClient } from '../src/cluster/KubeHttpClient';
import { KubeLiveCache } from '../src/cluster/KubeLiveCache';
import {
  startTestCluster,
  testClusterUnavailableReason,
  type TestCluster,
} from '../src/cluster/__testUtils__/startTestCluster';
import { DatabaseGitOpsStore } from '../src/database/DatabaseGitOpsStore';
import { ConfigRepository } from '../src/git';
import { TestGitRemote } from '../src/git/__testUtils__/TestGitRemote';
import { ApplicationRenderer } from '../src/render';
import { Reconciler, type CatalogLookup } from '../src/reconcile/Reconciler';

const CLUSTER = 'local';
const REPO = 'bench-config';
const OBJECTS_PER_APP = 4;
// Shared namespaces: 10,000 namespaces would add 20,000 controller-made objects that have nothing to do with us.
const APPS_PER_NAMESPACE = 100;
const APPLY_CONCURRENCY = 16;
// The plugin's default `gitops.poll` frequency (plugin.ts), used for the no-webhook figure.
const POLL_INTERVAL_SECONDS = 30;
const KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
];

const TARGETS = {
  coldStart: '< 60 s for 10,000 apps x 4 objects on 2 cores',
  drift: 'p95 < 1 s',
  commit: `p95 < 5 s with webhook; poll interval + 2 s without`,
  quiet: '0 per minute besides watches',
  memory: '<= 2 KB per tracked live object',
  api: 'p99 < 20 ms at 10,000 apps',
};

const USAGE = `usage: reconcile.bench.ts [--sizes 100,1000,10000] [--quiet-seconds 60] [--edits 50]
  [--commits 10] [--requests 4000] [--clients 32] [--max-minutes 20]`;

interface Options {
  sizes: number[];
  quietSeconds: number;
  edits: number;
  commits: number;
  requests: number;
  clients: number;
  /** A size predicted to take longer than this (from the previous size) is skipped. */
  maxMinutes: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [100, 1000, 10_000],
    quietSeconds: 60,
    edits: 50,
    commits: 10,
    requests: 4000,
    clients: 32,
    maxMinutes: 20,
  };
  const positive = (flag: string, value: string | undefined, max: number) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > max) {
      throw new Error(
        `${flag} needs a whole number from 1 to ${max}\n${USAGE}`,
      );
    }
    return number;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    switch (flag) {
      case '--sizes':
        options.sizes = (value ?? '')
          .split(',')
          .map(size => positive('--sizes', size.trim(), 50_000));
        break;
      case '--quiet-seconds':
        options.quietSeconds = positive(flag, value, 3600);
        break;
      case '--edits':
        options.edits = positive(flag, value, 1000);
        break;
      case '--commits':
        options.commits = positive(flag, value, 100);
        break;
      case '--requests':
        options.requests = positive(flag, value, 1_000_000);
        break;
      case '--clients':
        options.clients = positive(flag, value, 1024);
        break;
      case '--max-minutes':
        options.maxMinutes = positive(flag, value, 24 * 60);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  return options;
}

// ---------- small helpers ----------

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect)
    throw new Error('run with node --expose-gc (the package script does)');
  collect();
  collect();
}

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

function sleep(millis: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, millis));
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 10_000
    ? `${(value / 1000).toFixed(1)} s`
    : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map(load => load.toFixed(2))
    .join(' ');
}

function line(label: string, value: string, target?: string): void {
  console.log(
    `  ${label.padEnd(44)} ${value}${target ? `   [target ${target}]` : ''}`,
  );
}

/** Runs `fn` on every item with at most `limit` at once. */
async function forEachLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function quietLogger(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  const keep = (message: string) => {
    // Kept bounded: a broken run could warn once per object.
    if (warnings.length < 1000) warnings.push(message);
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

/** Cleanups in reverse order of acquisition; also run on SIGINT/SIGTERM and fatal errors. */
class Resources {
  private readonly stack: Array<{ what: string; run: () => unknown }> = [];

  add(what: string, run: () => unknown): () => Promise<void> {
    const entry = { what, run };
    this.stack.push(entry);
    return async () => {
      const at = this.stack.indexOf(entry);
      if (at < 0) return;
      this.stack.splice(at, 1);
      await Resources.runOne(entry);
    };
  }

  async releaseAll(): Promise<void> {
    while (this.stack.length) await Resources.runOne(this.stack.pop()!);
  }

  private static async runOne(entry: { what: string; run: () => unknown }) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(entry.run),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('timed out after 150 s')),
            150_000,
          );
        }),
      ]);
    } catch (error) {
      console.error(`  cleanup "${entry.what}" failed: ${error}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

const resources = new Resources();

// ---------- the generated config repo ----------

interface BenchApp {
  name: string;
  namespace: string;
  entityName: string;
}

function benchApps(n: number): BenchApp[] {
  const width = String(n - 1).length;
  return Array.from({ length: n }, (_, i) => {
    const id = String(i).padStart(width, '0');
    return {
      name: `app-${id}`,
      namespace: `bench-${String(Math.floor(i / APPS_PER_NAMESPACE)).padStart(
        3,
        '0',
      )}`,
      entityName: `svc-${id}`,
    };
  });
}

/** The manifests as Git holds them: no namespace, no tracking label (the renderer adds both). */
function manifestsOf(app: BenchApp, mode = 'normal'): KubeObject[] {
  const selector = { 'app.kubernetes.io/name': app.name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app.name, labels: { ...selector, tier: 'web' } },
      spec: {
        // Scaled to zero so the control plane is not busy with N simulated pods; status and a ReplicaSet still appear.
        replicas: 0,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...selector, tier: 'web' } },
          spec: {
            serviceAccountName: app.name,
            containers: [
              {
                name: 'web',
                image: 'bench/web:1.0.0',
                ports: [{ name: 'http', containerPort: 8080 }],
                env: [
                  { name: 'APP_NAME', value: app.name },
                  { name: 'LOG_LEVEL', value: 'info' },
                ],
                resources: {
                  requests: { cpu: '50m', memory: '64Mi' },
                  limits: { memory: '128Mi' },
                },
                readinessProbe: {
                  httpGet: { path: '/healthz', port: 'http' },
                  periodSeconds: 10,
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name, labels: selector },
      spec: {
        selector,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${app.name}-settings`, labels: selector },
      data: { greeting: 'hello', mode },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: app.name, labels: selector },
    },
  ];
}

function manifestFile(app: BenchApp, mode?: string): string {
  return manifestsOf(app, mode)
    .map(object => stringify(object))
    .join('---\n');
}

function applicationFile(app: BenchApp): string {
  return stringify({
    apiVersion: 'gitops.backstage.io/v1alpha1',
    kind: 'Application',
    metadata: { name: app.name },
    spec: {
      entityRef: `component:default/${app.entityName}`,
      environment: 'dev',
      source: { path: `apps/${app.name}`, renderer: 'plain' },
      destination: { cluster: CLUSTER, namespace: app.namespace },
    },
  });
}

/** The objects as a sync applies them: namespace filled in, tracking label added. */
function liveObjectsOf(app: BenchApp): KubeObject[] {
  return manifestsOf(app).map(object => ({
    ...object,
    metadata: {
      ...object.metadata,
      namespace: app.namespace,
      labels: { ...object.metadata.labels, [TRACKING_LABEL]: app.name },
    },
  }));
}

// ---------- watching stored verdicts through onStatusChange ----------

interface Waiter {
  name: string;
  test(status: ApplicationStatus): boolean;
  resolve(status: ApplicationStatus | undefined): void;
}

/** Sees every stored status change (onStatusChange fires after the store committed it). */
class StatusWatch {
  readonly verdicts = new Set<string>();
  changes = 0;
  private readonly waiters = new Set<Waiter>();
  private allWaiter: { n: number; resolve(): void } | undefined;

  readonly onStatus = (status: ApplicationStatus): void => {
    this.changes++;
    if (status.observedAt) this.verdicts.add(status.application.name);
    for (const waiter of this.waiters) {
      if (waiter.name === status.application.name && waiter.test(status)) {
        this.waiters.delete(waiter);
        waiter.resolve(status);
      }
    }
    if (this.allWaiter && this.verdicts.size >= this.allWaiter.n) {
      this.allWaiter.resolve();
      this.allWaiter = undefined;
    }
  };

  /** Register before acting; resolves undefined after `timeoutMs`. */
  waitFor(
    name: string,
    test: (status: ApplicationStatus) => boolean,
    timeoutMs: number,
  ): Promise<ApplicationStatus | undefined> {
    return new Promise(resolve => {
      const settle: { timer?: NodeJS.Timeout } = {};
      const waiter: Waiter = {
        name,
        test,
        resolve: status => {
          clearTimeout(settle.timer);
          resolve(status);
        },
      };
      settle.timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves true once `n` applications have a stored verdict, false after `timeoutMs`. */
  waitForAll(n: number, timeoutMs: number): Promise<boolean> {
    if (this.verdicts.size >= n) return Promise.resolve(true);
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.allWaiter = undefined;
        resolve(false);
      }, timeoutMs);
      this.allWaiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  }
}

// ---------- the phases ----------

interface SizeResult {
  n: number;
  objects: number;
  coldStartMs: number;
  driftP50: number;
  driftP95: number;
  commitP50: number;
  commitP95: number;
  commitDrainP50: number;
  quietRequests: number;
  quietWatchRequests: number;
  quietSeconds: number;
  cacheBytesPerObject: number;
  backendBytesPerObject: number;
  rssBytes: number;
  apiP50: number;
  apiP99: number;
  apiPerSecond: number;
  /** Time of the phases that grow with N, for predicting the next size. */
  scalingMs: number;
  fixedMs: number;
}

async function applyAll(
  client: KubeHttpClient,
  objects: KubeObject[],
): Promise<void> {
  await forEachLimit(objects, APPLY_CONCURRENCY, async object => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.apply(object, {
          fieldManager: DEFAULT_FIELD_MANAGER,
          force: true,
        });
        return;
      } catch (error) {
        // A loaded 2-core API server may time out now and then; three tries, then the run fails.
        if (attempt >= 3) throw error;
        await sleep(500 * attempt);
      }
    }
  });
}

/** Waits until the Deployment controller has observed every Deployment, so cold start begins on a quiet cluster. */
async function waitForDeploymentsObserved(
  client: KubeHttpClient,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let observed = 0;
  while (Date.now() < deadline) {
    const { items } = await client.list('/apis/apps/v1/deployments', {
      labelSelector: TRACKING_LABEL,
    });
    observed = items.filter(item => {
      const status = item.status as { observedGeneration?: number } | undefined;
      return (
        status?.observedGeneration !== undefined &&
        status.observedGeneration >= (item.metadata.generation ?? 0)
      );
    }).length;
    if (observed >= expected) return observed;
    await sleep(2000);
  }
  return observed;
}

async function entityStatusLoad(
  port: number,
  entityNames: string[],
  total: number,
  clients: number,
): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  // The load runs in a worker thread, so the clients' own work does not sit on the server's event loop.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const http = require('node:http');
    const { port, names, total, clients, warmup } = workerData;
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
    let seed = 42;
    const pick = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return names[seed % names.length]; };
    function get(path) {
      return new Promise(resolve => {
        const started = process.hrtime.bigint();
        const req = http.get({ host: '127.0.0.1', port, path, agent }, res => {
          res.resume();
          res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: res.statusCode === 200 }));
        });
        req.setTimeout(10000, () => req.destroy(new Error('timeout')));
        req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false }));
      });
    }
    async function run(count) {
      const latencies = [];
      let errors = 0;
      let issued = 0;
      await Promise.all(Array.from({ length: clients }, async () => {
        while (issued < count) {
          issued++;
          const result = await get('/entities/component/default/' + pick() + '/status');
          if (result.ok) latencies.push(result.ms); else errors++;
        }
      }));
      return { latencies, errors };
    }
    (async () => {
      await run(warmup);
      const started = process.hrtime.bigint();
      const result = await run(total);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      agent.destroy();
      parentPort.postMessage({ ...result, seconds });
    })().catch(error => parentPort.postMessage({ fatal: String(error) }));
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      port,
      names: entityNames,
      total,
      clients,
      warmup: Math.min(total, Math.max(200, clients * 10)),
    },
  });
  try {
    const [message] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([error]) => {
        throw error;
      }),
      sleep(600_000).then(() => {
        throw new Error('the load worker did not finish within 10 minutes');
      }),
    ])) as [
      { latencies: number[]; errors: number; seconds: number; fatal?: string },
    ];
    if (message.fatal) throw new Error(`load worker: ${message.fatal}`);
    return message;
  } finally {
    await worker.terminate();
  }
}

/** Times, apart from the reconciler and with its defaults, what a one-app commit costs before anything is queued. */
async function commitPathSteps(
  remote: TestGitRemote,
  app: BenchApp,
  logger: LoggerService,
): Promise<string> {
  let renders = 0;
  const renderer = new ApplicationRenderer({
    logger,
    renderDirectory: (path, options) => {
      renders++;
      return renderDirectory(path, options);
    },
  });
  const repo = new ConfigRepository({
    id: REPO,
    url: remote.url,
    workDir: join(remote.root, 'steps'),
    logger,
  });
  let parsed: ParsedApplicationFiles | undefined;
  const run = async () => {
    const laps: string[] = [];
    let started = performance.now();
    const lap = (what: string) => {
      const now = performance.now();
      laps.push(`${what} ${ms(now - started)}`);
      started = now;
    };
    await repo.probe();
    lap('ls-remote');
    const head = await repo.fetch();
    lap('fetch');
    const dir = await repo.checkout(head.sha);
    lap('checkout');
    // As the reconciler loads them: only files changed since the previous load are parsed.
    const { applications, files } = await loadApplications(dir, REPO, {
      contentId: file => repo.treeHash(head.sha, file),
      previous: parsed,
    });
    parsed = files;
    lap(`load ${count(applications.length)} applications`);
    renders = 0;
    const tree = {
      dir,
      sha: head.sha,
      treeHash: (path: string) => repo.treeHash(head.sha, path),
    };
    for (const spec of applications)
      await renderer.renderApplication(spec, tree);
    lap(`render all (${count(renders)} not from cache)`);
    return laps.join(', ');
  };
  await run();
  await remote.commit(`Change ${app.name} again`, {
    [`apps/${app.name}/manifests.yaml`]: manifestFile(app, 'steps'),
  });
  return run();
}

async function benchSize(n: number, options: Options): Promise<SizeResult> {
  const objectsTotal = n * OBJECTS_PER_APP;
  const apps = benchApps(n);
  const sizeStarted = performance.now();
  console.log(
    `\n== N = ${count(n)} applications x ${OBJECTS_PER_APP} objects = ${count(
      objectsTotal,
    )} tracked objects (load average ${loadAverage()})`,
  );

  // Setup, not timed: control plane, config repo, objects applied as a sync would have left them.
  let phase = performance.now();
  const cluster: TestCluster = await startTestCluster();
  const stopCluster = resources.add('control plane', () => cluster.stop());
  const kubectl = new KubeHttpClient(cluster.kubeConfig);
  resources.add('bench kube client', () => kubectl.close());
  const clusterStartMs = performance.now() - phase;
  line('setup: control plane started', ms(clusterStartMs));

  phase = performance.now();
  const remote = await TestGitRemote.create();
  resources.add('git remote', () => remote.cleanup());
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`applications/${app.name}.yaml`] = applicationFile(app);
    files[`apps/${app.name}/manifests.yaml`] = manifestFile(app);
  }
  await remote.commit(`${n} applications`, files);
  line(
    'setup: config repo committed',
    `${count(Object.keys(files).length)} files in ${ms(
      performance.now() - phase,
    )}`,
  );

  phase = performance.now();
  const namespaces = [...new Set(apps.map(app => app.namespace))];
  await applyAll(
    kubectl,
    namespaces.map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })),
  );
  await applyAll(kubectl, apps.flatMap(liveObjectsOf));
  const applyMs = performance.now() - phase;
  line(
    'setup: objects applied (server-side apply)',
    `${count(objectsTotal)} in ${ms(applyMs)} (${count(
      Math.round(objectsTotal / (applyMs / 1000)),
    )}/s, ${APPLY_CONCURRENCY} at once, ${namespaces.length} namespaces)`,
  );
  phase = performance.now();
  const observed = await waitForDeploymentsObserved(kubectl, n, 600_000);
  const settleMs = performance.now() - phase;
  line(
    'setup: Deployments observed by controller',
    `${count(observed)}/${count(n)} after ${ms(settleMs)}`,
  );

  const knex: Knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  resources.add('database', () => knex.destroy());
  const store = await DatabaseGitOpsStore.create({
    database: { getClient: async () => knex },
  });
  const logger = quietLogger();
  const statuses = new StatusWatch();
  const catalog: CatalogLookup = {
    info: async refs =>
      new Map(
        refs.map(ref => [
          ref,
          { owner: 'group:default/bench', system: 'bench' },
        ]),
      ),
    // Applications name their entity with `entityRef`; no entity links them by annotation here.
    annotatedEntities: async () => [],
  };
  const heapBefore = heapAfterGc();

  // 1. Cold start: from constructing caches and reconciler (wired as plugin.ts does) to every verdict stored.
  console.log('  -- cold start');
  phase = performance.now();
  const coldStarted = performance.now();
  const clusters = new ClusterRegistry(
    [{ name: CLUSTER, kubeConfig: cluster.kubeConfig }],
    { logger, fieldManager: DEFAULT_FIELD_MANAGER },
  );
  const releaseClusters = resources.add('live caches', () =>
    clusters.stopAll(),
  );
  const reconciler = new Reconciler({
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
    catalog,
    logger,
    fieldManager: DEFAULT_FIELD_MANAGER,
    diffMode: 'strict',
    onStatusChange: statuses.onStatus,
  });
  const releaseReconciler = resources.add('reconciler', () =>
    reconciler.stop(),
  );
  reconciler.start();
  await clusters.startAll();
  await reconciler.poll(REPO);
  const pollMs = performance.now() - coldStarted;
  const allStored = await statuses.waitForAll(n, Math.max(300_000, n * 100));
  const coldStartMs = performance.now() - coldStarted;
  await reconciler.whenIdle();
  const kube = clusters.client(CLUSTER);
  const coldStats = kube.stats();
  // The store's own count, not only what onStatusChange reported.
  const bySync = (await knex('gitops_applications')
    .whereNotNull('observed_at')
    .select('sync')
    .count({ count: '*' })
    .groupBy('sync')) as Array<{ sync: string; count: number }>;
  const stored = bySync.reduce((sum, row) => sum + Number(row.count), 0);
  line('poll() returned (clone, load, render, LIST)', ms(pollMs));
  line(
    'cold start to all verdicts',
    `${ms(coldStartMs)}${allStored ? '' : ' (TIMED OUT)'}; stored ${count(
      stored,
    )}/${count(n)} (${bySync
      .map(row => `${row.sync} ${row.count}`)
      .join(', ')})`,
    n === 10_000
      ? TARGETS.coldStart
      : `${TARGETS.coldStart}; this is ${count(n)}`,
  );
  line(
    'API requests during cold start',
    `${count(coldStats.requests)} (${count(
      coldStats.lists,
    )} LIST pages, ${count(coldStats.watches)} watches, ${count(
      coldStats.requests - coldStats.lists - coldStats.watches,
    )} other)`,
  );

  // 5a. Everything the backend holds for these applications (caches, renders, diff cache, queue), per object.
  const heapAfterColdStart = heapAfterGc();
  const backendBytesPerObject =
    (heapAfterColdStart - heapBefore) / objectsTotal;

  // 4. A quiet minute: nothing changes, so only open watches should exist.
  console.log(`  -- quiet period (${options.quietSeconds} s)`);
  const quietBefore = kube.stats();
  const changesBefore = statuses.changes;
  await sleep(options.quietSeconds * 1000);
  const quietAfter = kube.stats();
  const quietRequests = quietAfter.requests - quietBefore.requests;
  const quietWatchRequests = quietAfter.watches - quietBefore.watches;
  line(
    `API requests in ${options.quietSeconds} s, besides watches`,
    `${count(
      quietRequests - quietWatchRequests,
    )} (watch re-opens ${quietWatchRequests}, open watches ${
      quietAfter.openWatches
    }, status changes ${statuses.changes - changesBefore})`,
    TARGETS.quiet,
  );

  // 5b. The live cache alone: a second cache of the same cluster, measured by heap delta after gc.
  console.log('  -- memory');
  const probeClient = new KubeHttpClient(cluster.kubeConfig);
  const probe = new KubeLiveCache({
    name: 'memory-probe',
    client: probeClient,
    fieldManager: DEFAULT_FIELD_MANAGER,
    logger,
  });
  const releaseProbe = resources.add('memory probe cache', async () => {
    await probe.stop();
    probeClient.close();
  });
  const heapBeforeProbe = heapAfterGc();
  await probe.start();
  await probe.watchKinds(KINDS);
  const heapAfterProbe = heapAfterGc();
  const probeObjects = probe.stats().objects;
  const cacheBytesPerObject =
    (heapAfterProbe - heapBeforeProbe) / Math.max(1, probeObjects);
  await releaseProbe();
  const rssBytes = process.memoryUsage().rss;
  line(
    'live cache heap per tracked object',
    `${count(Math.round(cacheBytesPerObject))} B (${count(
      probeObjects,
    )} objects, ${mib(heapAfterProbe - heapBeforeProbe)})`,
    TARGETS.memory,
  );
  line(
    'whole backend state heap per tracked object',
    `${count(
      Math.round(backendBytesPerObject),
    )} B (caches + renders + diff cache + queue; SQLite is off-heap)`,
  );
  line(
    'process RSS',
    `${mib(rssBytes)} (heap used ${mib(heapAfterColdStart)})`,
  );

  // 2. Out-of-band edits, as `kubectl edit` sends them, to drift stored; one application at a time.
  const editCount = Math.min(options.edits, n);
  console.log(`  -- out-of-band edits (${editCount})`);
  const drifts: number[] = [];
  let driftTimeouts = 0;
  const edited = new Set<number>();
  const editPhaseEnds = Date.now() + 10 * 60_000;
  for (let i = 0; i < editCount && Date.now() < editPhaseEnds; i++) {
    const index = Math.floor((i * n) / editCount);
    edited.add(index);
    const app = apps[index];
    const onDeployment = i % 2 === 0;
    const path = onDeployment
      ? `/apis/apps/v1/namespaces/${app.namespace}/deployments/${app.name}`
      : `/api/v1/namespaces/${app.namespace}/configmaps/${app.name}-settings`;
    const patch = onDeployment
      ? {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'web', image: `bench/web:1.0.${i + 1}-hotfix` },
                ],
              },
            },
          },
        }
      : { data: { mode: `edited-${i}` } };
    const drifted = statuses.waitFor(
      app.name,
      status => status.driftCount > 0,
      30_000,
    );
    const started = performance.now();
    await kubectl.request('PATCH', path, {
      query: { fieldManager: 'kubectl-edit' },
      body: patch,
      contentType: 'application/strategic-merge-patch+json',
    });
    if (await drifted) drifts.push(performance.now() - started);
    else driftTimeouts++;
    // Lets the Deployment controller's follow-up status writes land, so samples do not overlap.
    await sleep(200);
  }
  await reconciler.whenIdle();
  const driftP50 = percentile(drifts, 50);
  const driftP95 = percentile(drifts, 95);
  line(
    'out-of-band edit -> drift stored',
    `p50 ${ms(driftP50)}, p95 ${ms(driftP95)}, max ${ms(
      Math.max(...drifts),
    )} (${
      drifts.length
    } edits, Deployment image and ConfigMap data alternating${
      driftTimeouts ? `, ${driftTimeouts} TIMED OUT after 30 s` : ''
    })`,
    TARGETS.drift,
  );

  // 3. Commit -> verdict, triggered at once like the webhook path (poll: ls-remote, fetch, render, diff, store).
  const candidates = apps.map((_, i) => i).filter(i => !edited.has(i));
  const commitCount = Math.min(options.commits, candidates.length);
  console.log(`  -- commits (${commitCount})`);
  const commits: number[] = [];
  const drains: number[] = [];
  let commitTimeouts = 0;
  const commitPhaseEnds = Date.now() + 10 * 60_000;
  for (let i = 0; i < commitCount && Date.now() < commitPhaseEnds; i++) {
    const app =
      apps[candidates[Math.floor((i * candidates.length) / commitCount)]];
    const sha = await remote.commit(`Change ${app.name}`, {
      [`apps/${app.name}/manifests.yaml`]: manifestFile(app, `committed-${i}`),
    });
    const verdict = statuses.waitFor(
      app.name,
      status => status.revision?.sha === sha,
      120_000,
    );
    const started = performance.now();
    const polled = reconciler.poll(REPO);
    const status = await verdict;
    if (status) commits.push(performance.now() - started);
    else commitTimeouts++;
    await polled;
    // Every commit re-queues every application of the repo; the next sample starts on an idle queue.
    await reconciler.whenIdle();
    drains.push(performance.now() - started);
  }
  const commitP50 = percentile(commits, 50);
  const commitP95 = percentile(commits, 95);
  const commitDrainP50 = percentile(drains, 50);
  line(
    'commit -> verdict (push, then poll() at once)',
    `p50 ${ms(commitP50)}, p95 ${ms(commitP95)}, max ${ms(
      Math.max(...commits),
    )} (${commits.length} commits${
      commitTimeouts ? `, ${commitTimeouts} TIMED OUT after 120 s` : ''
    })`,
    'p95 < 5 s with webhook',
  );
  line(
    `  without webhook (poll every ${POLL_INTERVAL_SECONDS} s)`,
    `<= ${POLL_INTERVAL_SECONDS} s + ${ms(commitP95)} worst case, ${
      POLL_INTERVAL_SECONDS / 2
    } s + ${ms(commitP50)} on average`,
    `poll interval + 2 s`,
  );
  line(
    'commit -> reconciler idle again',
    `p50 ${ms(commitDrainP50)} (only applications whose render changed are reconciled; of ${count(
      n,
    )})`,
  );

  await releaseReconciler();
  await releaseClusters();
  // The API reads the store only: the control plane is stopped first so it does not compete for the 2 cores.
  await stopCluster();

  line(
    'commit path steps (one-app commit, measured apart)',
    await commitPathSteps(remote, apps[n - 1], logger),
  );

  // 6. Entity status API under concurrent reads: the real router on the store the reconciler filled.
  console.log(
    `  -- entity status API (${count(options.requests)} requests, ${
      options.clients
    } clients)`,
  );
  const app = express();
  app.use(
    await createRouter({
      store,
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
    }),
  );
  app.use(
    (
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const statusByName: Record<string, number> = {
        InputError: 400,
        NotAllowedError: 403,
        NotFoundError: 404,
      };
      const status = statusByName[error.name] ?? 500;
      res
        .status(status)
        .json({ error: { name: error.name, message: error.message } });
    },
  );
  const server: http.Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.keepAliveTimeout = 60_000;
  resources.add(
    'API server',
    () => new Promise(resolve => server.close(resolve)),
  );
  const { port } = server.address() as AddressInfo;
  const probeResponse = await fetch(
    `http://127.0.0.1:${port}/entities/component/default/${apps[0].entityName}/status`,
  );
  const probeBody = (await probeResponse.json()) as {
    applications?: unknown[];
  };
  if (probeResponse.status !== 200 || probeBody.applications?.length !== 1) {
    throw new Error(
      `entity status answered ${probeResponse.status}: ${JSON.stringify(
        probeBody,
      ).slice(0, 300)}`,
    );
  }
  const entityNames = apps.map(a => a.entityName);
  // One client first: the service time alone, without queueing behind the other clients.
  const serial = await entityStatusLoad(
    port,
    entityNames,
    Math.min(1000, options.requests),
    1,
  );
  line(
    'GET /entities/.../status, 1 client',
    `p50 ${ms(percentile(serial.latencies, 50))}, p99 ${ms(
      percentile(serial.latencies, 99),
    )}, ${count(
      Math.round(serial.latencies.length / serial.seconds),
    )} req/s (${count(serial.latencies.length)} ok, ${serial.errors} errors)`,
  );
  const load = await entityStatusLoad(
    port,
    entityNames,
    options.requests,
    options.clients,
  );
  const apiP50 = percentile(load.latencies, 50);
  const apiP99 = percentile(load.latencies, 99);
  const apiPerSecond = load.latencies.length / load.seconds;
  line(
    `GET /entities/.../status, ${options.clients} clients`,
    `p50 ${ms(apiP50)}, p99 ${ms(apiP99)}, ${count(
      Math.round(apiPerSecond),
    )} req/s (${count(load.latencies.length)} ok, ${
      load.errors
    } errors; ${count(n)} apps in SQLite in-memory)`,
    n === 10_000 ? TARGETS.api : `${TARGETS.api}; this is ${count(n)}`,
  );

  if (logger.warnings.length) {
    console.log(
      `  backend warnings: ${logger.warnings.length}; first: ${logger.warnings
        .slice(0, 3)
        .join(' | ')}`,
    );
  }
  console.log(`  load average at the end: ${loadAverage()}`);

  const totalMs = performance.now() - sizeStarted;
  const scalingMs =
    applyMs + settleMs + coldStartMs + drains.reduce((a, b) => a + b, 0);
  return {
    n,
    objects: objectsTotal,
    coldStartMs,
    driftP50,
    driftP95,
    commitP50,
    commitP95,
    commitDrainP50,
    quietRequests: quietRequests - quietWatchRequests,
    quietWatchRequests,
    quietSeconds: options.quietSeconds,
    cacheBytesPerObject,
    backendBytesPerObject,
    rssBytes,
    apiP50,
    apiP99,
    apiPerSecond,
    scalingMs,
    fixedMs: totalMs - scalingMs,
  };
}

function printSummary(results: SizeResult[]): void {
  if (results.length === 0) return;
  console.log('\n== Summary against DESIGN §7');
  const header = [
    'N',
    'cold start',
    'edit->drift p50/p95',
    'commit->verdict p50/p95',
    'quiet min. requests',
    'cache B/obj',
    'API p50/p99',
  ];
  console.log(`  ${header.join(' | ')}`);
  for (const r of results) {
    console.log(
      `  ${[
        count(r.n),
        ms(r.coldStartMs),
        `${ms(r.driftP50)} / ${ms(r.driftP95)}`,
        `${ms(r.commitP50)} / ${ms(r.commitP95)}`,
        `${r.quietRequests} (+${r.quietWatchRequests} watch) in ${r.quietSeconds} s`,
        count(Math.round(r.cacheBytesPerObject)),
        `${ms(r.apiP50)} / ${ms(r.apiP99)}`,
      ].join(' | ')}`,
    );
  }
  console.log(
    `  targets: cold start ${TARGETS.coldStart}; drift ${TARGETS.drift}; commit ${TARGETS.commit}; quiet ${TARGETS.quiet}; memory ${TARGETS.memory}; API ${TARGETS.api}`,
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `gitops-backend reconcile bench, node ${process.version}, ${process.arch}`,
  );
  console.log(
    `machine: ${cpus.length} cores (${
      cpus[0]?.model.trim() ?? 'unknown'
    }), ${mib(os.totalmem())} RAM, load average ${loadAverage()}`,
  );
  console.log(
    `sizes ${options.sizes.map(count).join(', ')}; quiet period ${
      options.quietSeconds
    } s; ${options.edits} edits; ${options.commits} commits; ${count(
      options.requests,
    )} API requests from ${options.clients} clients`,
  );
  const unavailable = testClusterUnavailableReason();
  if (unavailable) {
    console.log(`skipping every size: ${unavailable}`);
    return;
  }

  const results: SizeResult[] = [];
  let failed: string | undefined;
  for (const n of options.sizes) {
    if (failed) {
      console.log(
        `\n== N = ${count(n)} skipped: a previous size failed (${failed})`,
      );
      continue;
    }
    const previous = results[results.length - 1];
    if (previous) {
      const predictedMs =
        previous.fixedMs + (previous.scalingMs * n) / previous.n;
      if (predictedMs > options.maxMinutes * 60_000) {
        console.log(
          `\n== N = ${count(n)} skipped: predicted ${(
            predictedMs / 60_000
          ).toFixed(0)} min from N = ${count(
            previous.n,
          )} (linear in N), over --max-minutes ${options.maxMinutes}`,
        );
        continue;
      }
      // The bench process, API server, etcd and controllers each hold the objects; RSS per object is the guide.
      const neededBytes =
        (previous.rssBytes / previous.objects) * n * OBJECTS_PER_APP * 4;
      if (neededBytes > os.freemem()) {
        console.log(
          `\n== N = ${count(n)} skipped: needs about ${mib(
            neededBytes,
          )} of memory, ${mib(os.freemem())} free`,
        );
        continue;
      }
    }
    try {
      results.push(await benchSize(n, options));
    } catch (error) {
      failed =
        error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.log(
        `  N = ${count(n)} failed: ${
          error instanceof Error ? error.stack : error
        }`,
      );
    } finally {
      await resources.releaseAll();
    }
  }
  printSummary(results);
  if (failed) process.exitCode = 1;
}

let exiting = false;
async function abort(reason: string, code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  console.error(
    `\n${reason}: stopping the control plane and everything started`,
  );
  await resources.releaseAll();
  process.exit(code);
}
process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
process.on(
  'unhandledRejection',
  error => void abort(`unhandled rejection: ${error}`, 1),
);
process.on(
  'uncaughtException',
  error => void abort(`uncaught exception: ${error.stack ?? error}`, 1),
);

main()
  .catch(async error => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await resources.releaseAll();
    // Keep-alive sockets and the SQLite pool must not hold the process open.
    setTimeout(() => process.exit(), 1000).unref();
  });
