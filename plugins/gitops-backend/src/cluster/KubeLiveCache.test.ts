import {
  expandLiveObject,
  TRACKING_LABEL,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LiveObjectChange, WatchedKind } from './ClusterLiveCache';
import { KindInformer } from './KindInformer';
import { KubeHttpClient } from './KubeHttpClient';
import { KubeLiveCache, type KubeLiveCacheOptions } from './KubeLiveCache';
import { LiveObjectIndex } from './LiveObjectIndex';
import { eventually } from './__testUtils__/eventually';
import { realisticDeployment } from './__testUtils__/realisticDeployment';
import {
  describeWithCluster,
  startTestCluster,
  uniqueName,
  type TestCluster,
} from './__testUtils__/startTestCluster';

const FIELD_MANAGER = 'backstage-gitops';
const CONFIG_MAP: WatchedKind = { apiVersion: 'v1', kind: 'ConfigMap' };
const DEPLOYMENT: WatchedKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
const SERVICE: WatchedKind = { apiVersion: 'v1', kind: 'Service' };
const NOT_SERVED: WatchedKind = {
  apiVersion: 'example.gitops.test/v1',
  kind: 'Gizmo',
};

function configMap(
  namespace: string,
  name: string,
  application: string,
  data: Record<string, string> = { a: '1' },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { [TRACKING_LABEL]: application } },
    data,
  };
}

function capturingLogger() {
  const lines: string[] = [];
  const log = (message: string) => {
    lines.push(message);
  };
  const logger: any = {
    lines,
    error: log,
    warn: log,
    info: log,
    debug: log,
    child: () => logger,
  };
  return logger as {
    lines: string[];
  } & Required<KubeLiveCacheOptions>['logger'];
}

describeWithCluster('KubeLiveCache', () => {
  let cluster: TestCluster;
  let client: KubeHttpClient;
  let namespace: string;
  const running: Array<{ stop(): Promise<void> }> = [];

  const apply = (obj: KubeObject) =>
    client.apply(obj, { fieldManager: FIELD_MANAGER });
  // What `kubectl edit` sends: a merge patch under its own field manager.
  const editAsKubectl = (path: string, patch: unknown) =>
    client.request('PATCH', path, {
      query: { fieldManager: 'kubectl-edit' },
      body: patch,
      contentType: 'application/merge-patch+json',
    });

  async function startCache(
    kinds: WatchedKind[],
    options: Partial<KubeLiveCacheOptions> = {},
  ) {
    const cacheClient =
      options.client ?? new KubeHttpClient(cluster.kubeConfig);
    const cache = new KubeLiveCache({
      name: 'test',
      client: cacheClient,
      backoff: { initialMs: 200, maxMs: 1000 },
      ...options,
    });
    running.push({
      stop: async () => {
        await cache.stop();
        if (!options.client) cacheClient.close();
      },
    });
    const changes: LiveObjectChange[] = [];
    const states: string[] = [];
    cache.onChange(change => changes.push(change));
    cache.onStateChange(state => states.push(state.state));
    await cache.watchKinds(kinds);
    await cache.start();
    return { cache, client: cacheClient, changes, states };
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = new KubeHttpClient(cluster.kubeConfig);
    namespace = uniqueName('cache');
    await apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
  }, 240_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map(entry => entry.stop()));
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  }, 120_000);

  it('lists every watched kind, turns ready, and serves objects by application in compact form', async () => {
    const shop = uniqueName('shop');
    const cart = uniqueName('cart');
    await apply(configMap(namespace, 'shop-a', shop));
    await apply(configMap(namespace, 'shop-b', shop));
    await apply(configMap(namespace, 'cart-a', cart));
    await apply(realisticDeployment(namespace, 'shop-web', shop));
    await apply({
      ...configMap(namespace, 'untracked', shop),
      metadata: { name: 'untracked', namespace },
    });

    const { cache, states } = await startCache([
      CONFIG_MAP,
      DEPLOYMENT,
      NOT_SERVED,
    ]);

    expect(cache.state().state).toBe('ready');
    expect(states).toEqual(['ready']);
    const objects = cache.objectsOf(shop);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/shop-a',
      'ConfigMap/shop-b',
      'Deployment/shop-web',
    ]);
    expect(cache.objectsOf(cart).map(o => o.metadata.name)).toEqual(['cart-a']);
    const web = objects.find(o => o.kind === 'Deployment')!;
    expect(typeof web.packed).toBe('string');
    expect(web.metadata.managedFields).toBeUndefined();
    expect(
      expandLiveObject(web).metadata.managedFields?.map(e => e.manager),
    ).toContain(FIELD_MANAGER);
    await eventually(() => expect(cache.stats().openWatches).toBe(2));
  }, 60_000);

  it('sees an edit by another field manager within a second', async () => {
    const app = uniqueName('edited');
    await apply(configMap(namespace, 'edited', app, { color: 'blue' }));
    const { cache, changes } = await startCache([CONFIG_MAP]);
    const before = cache.objectsOf(app)[0].metadata.resourceVersion;

    const sent = Date.now();
    await editAsKubectl(`/api/v1/namespaces/${namespace}/configmaps/edited`, {
      data: { color: 'red' },
    });
    await eventually(
      () =>
        expect(changes).toContainEqual({
          cluster: 'test',
          application: app,
          key: `/ConfigMap/${namespace}/edited`,
          type: 'MODIFIED',
        }),
      1000,
      5,
    );
    // eslint-disable-next-line no-console
    console.log(
      `cache: kubectl-edit style PATCH -> onChange in ${Date.now() - sent} ms`,
    );
    const [edited] = cache.objectsOf(app);
    expect(edited.metadata.resourceVersion).not.toBe(before);
    const expanded = expandLiveObject(edited);
    expect(expanded.data).toEqual({ color: 'red' });
    expect(expanded.metadata.managedFields?.map(e => e.manager)).toContain(
      'kubectl-edit',
    );
  }, 30_000);

  it('moves an object between applications when its label value changes, and lets it go when the label is removed', async () => {
    const first = uniqueName('first');
    const second = uniqueName('second');
    const key = `/ConfigMap/${namespace}/moving`;
    await apply(configMap(namespace, 'moving', first));
    const { cache, changes } = await startCache([CONFIG_MAP]);
    expect(cache.objectsOf(first)).toHaveLength(1);
    changes.length = 0;

    await cluster.kubectl([
      '-n',
      namespace,
      'label',
      '--overwrite',
      'configmap',
      'moving',
      `${TRACKING_LABEL}=${second}`,
    ]);
    await eventually(() => expect(cache.objectsOf(second)).toHaveLength(1));
    expect(cache.objectsOf(first)).toEqual([]);
    expect(changes.filter(c => c.key === key)).toEqual([
      { cluster: 'test', application: first, key, type: 'DELETED' },
      { cluster: 'test', application: second, key, type: 'ADDED' },
    ]);

    const objectsBefore = cache.stats().objects;
    await cluster.kubectl([
      '-n',
      namespace,
      'label',
      'configmap',
      'moving',
      `${TRACKING_LABEL}-`,
    ]);
    await eventually(() => expect(cache.objectsOf(second)).toEqual([]));
    expect(changes.filter(c => c.key === key).pop()).toEqual({
      cluster: 'test',
      application: second,
      key,
      type: 'DELETED',
    });
    expect(cache.stats().objects).toBe(objectsBefore - 1);
  }, 30_000);

  it('reports nothing for objects whose resourceVersion did not change when it lists again', async () => {
    const app = uniqueName('steady');
    await apply(configMap(namespace, 'steady-a', app));
    await apply(configMap(namespace, 'steady-b', app));
    const { cache, changes } = await startCache([CONFIG_MAP]);
    const ours = () => changes.filter(c => c.application === app);
    expect(ours().map(c => c.type)).toEqual(['ADDED', 'ADDED']);

    await cache.stop();
    await editAsKubectl(`/api/v1/namespaces/${namespace}/configmaps/steady-b`, {
      data: { a: '2' },
    });
    await cache.start();
    expect(ours().map(c => c.type)).toEqual(['ADDED', 'ADDED', 'MODIFIED']);
    expect(ours().pop()?.key).toBe(`/ConfigMap/${namespace}/steady-b`);
  }, 30_000);

  it('restarts a watch the server ended at its timeout from the last resourceVersion, without listing again', async () => {
    const app = uniqueName('timeout');
    await apply(configMap(namespace, 'timeout', app));
    const { client: own, cache } = await startCache([CONFIG_MAP], {
      watchTimeoutSeconds: { min: 1, max: 1 },
    });
    const before = own.stats();
    await eventually(
      () =>
        expect(own.stats().watches - before.watches).toBeGreaterThanOrEqual(2),
      15_000,
      100,
    );
    expect(own.stats().lists).toBe(before.lists);

    await editAsKubectl(`/api/v1/namespaces/${namespace}/configmaps/timeout`, {
      data: { a: 'after-restarts' },
    });
    await eventually(
      () =>
        expect(expandLiveObject(cache.objectsOf(app)[0]).data).toEqual({
          a: 'after-restarts',
        }),
      5000,
    );
    expect(own.stats().lists).toBe(before.lists);
    expect(cache.state().state).toBe('ready');
  }, 30_000);

  it('sends no request in a quiet window besides the open watches', async () => {
    const app = uniqueName('quiet');
    await apply(configMap(namespace, 'quiet', app));
    const { cache } = await startCache([CONFIG_MAP, DEPLOYMENT, SERVICE]);
    await eventually(() => expect(cache.stats().openWatches).toBe(3));
    const before = cache.stats();
    await new Promise(resolve => setTimeout(resolve, 12_000));
    const after = cache.stats();
    // eslint-disable-next-line no-console
    console.log(
      `quiet 12 s window: ${after.requests - before.requests} requests, ${
        after.openWatches
      } open watches`,
    );
    expect(after.requests).toBe(before.requests);
    expect(after.openWatches).toBe(3);
    expect(cache.state().state).toBe('ready');
  }, 40_000);

  it('turns unreachable when the API server stops, keeps the last known objects, and recovers with what changed meanwhile', async () => {
    const app = uniqueName('outage');
    await apply(configMap(namespace, 'kept', app));
    await apply(configMap(namespace, 'deleted-meanwhile', app));
    const {
      cache,
      client: own,
      changes,
      states,
    } = await startCache([CONFIG_MAP, DEPLOYMENT]);
    expect(cache.objectsOf(app)).toHaveLength(2);

    await cluster.stopApiServer();
    let listsBefore = 0;
    try {
      await eventually(
        () => expect(cache.state().state).toBe('unreachable'),
        10_000,
        50,
      );
      listsBefore = own.stats().lists;
      expect(cache.state().message).toMatch(
        /^connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
      );
      expect(
        cache
          .objectsOf(app)
          .map(o => o.metadata.name)
          .sort(),
      ).toEqual(['deleted-meanwhile', 'kept']);
      // Deleted behind the API server's back: only a fresh LIST can reveal it.
      await cluster.deleteFromEtcd(
        `/registry/configmaps/${namespace}/deleted-meanwhile`,
      );
    } finally {
      await cluster.startApiServer();
    }
    await eventually(
      () => expect(cache.state().state).toBe('ready'),
      30_000,
      100,
    );
    expect(states).toEqual(['ready', 'unreachable', 'ready']);
    expect(own.stats().lists).toBeGreaterThan(listsBefore);
    expect(cache.objectsOf(app).map(o => o.metadata.name)).toEqual(['kept']);
    expect(changes).toContainEqual({
      cluster: 'test',
      application: app,
      key: `/ConfigMap/${namespace}/deleted-meanwhile`,
      type: 'DELETED',
    });

    await editAsKubectl(`/api/v1/namespaces/${namespace}/configmaps/kept`, {
      data: { a: 'after-outage' },
    });
    await eventually(
      () =>
        expect(expandLiveObject(cache.objectsOf(app)[0]).data).toEqual({
          a: 'after-outage',
        }),
      5000,
    );
  }, 120_000);

  it('lists again when the server answers 410 to a too-old resourceVersion, and converges', async () => {
    const app = uniqueName('expired');
    const selector = `${TRACKING_LABEL}=${app}`;
    await apply(configMap(namespace, 'stays', app));
    await apply(configMap(namespace, 'goes', app));
    const own = new KubeHttpClient(cluster.kubeConfig);
    const changes: LiveObjectChange[] = [];
    const index = new LiveObjectIndex({
      cluster: 'test',
      labelKey: TRACKING_LABEL,
      onChange: c => changes.push(c),
    });
    const snapshot = await own.list('/api/v1/configmaps', {
      labelSelector: selector,
    });
    snapshot.items.forEach(item => index.upsert(item));

    await client.request(
      'DELETE',
      `/api/v1/namespaces/${namespace}/configmaps/goes`,
    );
    await apply(configMap(namespace, 'arrives', app));
    await cluster.stopApiServer();
    await cluster.startApiServer();

    const logger = capturingLogger();
    let synced = 0;
    const informer = new KindInformer({
      kind: CONFIG_MAP,
      client: own,
      index,
      labelSelector: selector,
      pageSize: 500,
      watchTimeoutSeconds: () => 60,
      backoff: { initialMs: 200, maxMs: 1000 },
      resourceVersion: snapshot.resourceVersion,
      onSynced: () => synced++,
      onFailure: () => undefined,
      logger,
    });
    const listsBefore = own.stats().lists;
    informer.start();
    running.push({
      stop: async () => {
        await informer.stop();
        own.close();
      },
    });
    await eventually(
      () =>
        expect(
          index
            .objectsOf(app)
            .map(o => o.metadata.name)
            .sort(),
        ).toEqual(['arrives', 'stays']),
      30_000,
      100,
    );
    expect(
      logger.lines.some(line =>
        /expired \(too old resource version/.test(line),
      ),
    ).toBe(true);
    expect(own.stats().lists).toBe(listsBefore + 1);
    expect(synced).toBe(2);
    expect(changes.filter(c => c.type === 'DELETED').map(c => c.key)).toEqual([
      `/ConfigMap/${namespace}/goes`,
    ]);
  }, 120_000);

  it('keeps each tracked object within 2 KB of heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Sockets and timers of a stopped cache let go a moment later; then two full collections.
    const settledHeap = async () => {
      await new Promise(resolve => setTimeout(resolve, 300));
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const labelKey = 'memory.gitops.backstage.io/application';
    const pairs = 500;
    const objects: KubeObject[] = [];
    for (let i = 0; i < pairs; i++) {
      objects.push(
        realisticDeployment(
          namespace,
          `mem-web-${i}`,
          `app-${i % 50}`,
          labelKey,
        ),
      );
      objects.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `mem-config-${i}`,
          namespace,
          labels: { [labelKey]: `app-${i % 50}` },
        },
        data: {
          'application.yaml': `server:\n  port: 8080\nshop:\n  name: mem-web-${i}\n  currency: EUR\n  featureFlags: [checkout-v2, fast-cart]\n`,
        },
      });
    }
    for (let i = 0; i < objects.length; i += 20) {
      await Promise.all(objects.slice(i, i + 20).map(apply));
    }
    // Let the deployment controller write status, so objects are measured as they live.
    await eventually(
      async () => {
        const { items } = await client.list('/apis/apps/v1/deployments', {
          labelSelector: labelKey,
        });
        expect(
          items.filter(item => (item.status as any)?.observedGeneration === 1),
        ).toHaveLength(pairs);
      },
      60_000,
      500,
    );

    const own = new KubeHttpClient(cluster.kubeConfig);
    running.push({ stop: async () => own.close() });
    await own.discovery.refresh();
    const retainedPerObject = async (kinds: WatchedKind[]) => {
      let cache: KubeLiveCache | undefined = new KubeLiveCache({
        name: 'memory',
        client: own,
        trackingLabel: labelKey,
      });
      await cache.watchKinds(kinds);
      await cache.start();
      const count = cache.stats().objects;
      const populated = await settledHeap();
      await cache.stop();
      cache = undefined;
      return { count, bytes: (populated - (await settledHeap())) / count };
    };
    // Whatever else the process allocates meanwhile only adds: the least of a few rounds is the closest.
    const leastOf = async (kinds: WatchedKind[]) => {
      const rounds = [];
      for (let round = 0; round < 3; round++) {
        rounds.push(await retainedPerObject(kinds));
      }
      return rounds.reduce((least, next) =>
        next.bytes < least.bytes ? next : least,
      );
    };
    await retainedPerObject([CONFIG_MAP]); // warms code paths and connections
    const deployments = await leastOf([DEPLOYMENT]);
    const mixed = await leastOf([CONFIG_MAP, DEPLOYMENT]);
    const { items } = await own.list('/apis/apps/v1/deployments', {
      labelSelector: labelKey,
      limit: 1,
    });
    // eslint-disable-next-line no-console
    console.log(
      `memory: ${Math.round(
        deployments.bytes,
      )} bytes of retained heap per Deployment (${deployments.count}, ${
        JSON.stringify(items[0]).length
      } bytes of JSON each); ` +
        `${Math.round(mixed.bytes)} per object with ConfigMaps (${
          mixed.count
        })`,
    );
    expect(deployments.count).toBe(pairs);
    expect(mixed.count).toBe(2 * pairs);
    expect(deployments.bytes).toBeLessThanOrEqual(2048);
    expect(mixed.bytes).toBeLessThanOrEqual(2048);
  }, 240_000);
});
