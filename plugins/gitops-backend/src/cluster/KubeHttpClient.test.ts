import {
  serverSideDryRun,
  TRACKING_LABEL,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer } from 'node:net';
import { KubeApiError } from './KubeApiError';
import { KubeHttpClient, type KubeWatchEvent } from './KubeHttpClient';
import { eventually } from './__testUtils__/eventually';
import {
  describeWithCluster,
  startTestCluster,
  uniqueName,
  type TestCluster,
} from './__testUtils__/startTestCluster';
import { WIDGET_CRD } from './__testUtils__/widgetDefinition';

const FIELD_MANAGER = 'backstage-gitops';

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  app = 'shop',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { [TRACKING_LABEL]: app } },
    data,
  };
}

function deployment(
  namespace: string,
  name: string,
  image: string,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { [TRACKING_LABEL]: 'shop' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<KubeApiError> {
  try {
    await promise;
  } catch (error) {
    return error as KubeApiError;
  }
  throw new Error('expected the call to fail');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

describeWithCluster('KubeHttpClient', () => {
  let cluster: TestCluster;
  let client: KubeHttpClient;
  let namespace: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    client = new KubeHttpClient(cluster.kubeConfig, {
      discovery: { minRefreshIntervalMs: 0 },
    });
    namespace = uniqueName('client');
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { fieldManager: FIELD_MANAGER },
    );
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  }, 120_000);

  it('lists in pages, following continue tokens, and names every item', async () => {
    const app = uniqueName('paged');
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        client.apply(
          configMap(namespace, `paged-${i}`, { i: String(i) }, app),
          {
            fieldManager: FIELD_MANAGER,
          },
        ),
      ),
    );
    const before = client.stats();
    const list = await client.list('/api/v1/configmaps', {
      labelSelector: `${TRACKING_LABEL}=${app}`,
      limit: 10,
    });
    const after = client.stats();
    expect(after.lists - before.lists).toBe(3);
    expect(after.requests - before.requests).toBe(3);
    expect(list.items).toHaveLength(25);
    expect(new Set(list.items.map(item => item.metadata.name)).size).toBe(25);
    expect(
      list.items.every(
        item => item.apiVersion === 'v1' && item.kind === 'ConfigMap',
      ),
    ).toBe(true);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
  });

  it('applies a custom resource keeping fields no client model knows, owned by our field manager', async () => {
    await client.apply(WIDGET_CRD, { fieldManager: FIELD_MANAGER });
    await eventually(async () => {
      const crd = await client.request<KubeObject>(
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.gitops.test',
      );
      const conditions = ((crd.status as any)?.conditions ?? []) as Array<{
        type: string;
        status: string;
      }>;
      expect(conditions).toContainEqual(
        expect.objectContaining({ type: 'Established', status: 'True' }),
      );
    }, 30_000);

    const widget: KubeObject = {
      apiVersion: 'example.gitops.test/v1',
      kind: 'Widget',
      metadata: {
        name: 'gear',
        namespace,
        labels: { [TRACKING_LABEL]: 'shop' },
      },
      spec: { size: 3, unknownToAnySchema: { nested: ['kept', 1] } },
    };
    // Discovery learns the new kind on a miss; aggregated discovery may lag the Established condition briefly.
    const applied = await eventually(
      () => client.apply(widget, { fieldManager: FIELD_MANAGER }),
      30_000,
      250,
    );
    expect(applied.spec).toEqual({
      size: 3,
      unknownToAnySchema: { nested: ['kept', 1] },
    });

    const stored = await client.request<KubeObject>(
      'GET',
      `/apis/example.gitops.test/v1/namespaces/${namespace}/widgets/gear`,
    );
    expect(stored.spec).toEqual({
      size: 3,
      unknownToAnySchema: { nested: ['kept', 1] },
    });
    const ours = stored.metadata.managedFields?.find(
      entry => entry.manager === FIELD_MANAGER,
    );
    expect(ours?.operation).toBe('Apply');
    expect((ours?.fieldsV1 as any)['f:spec']).toHaveProperty(
      'f:unknownToAnySchema',
    );
  }, 90_000);

  it('reports an invalid object with the server message as a KubeApiError', async () => {
    const invalid = deployment(namespace, 'no-selector', 'web:1');
    delete (invalid.spec as any).selector;
    const error = await failureOf(
      client.apply(invalid, { fieldManager: FIELD_MANAGER }),
    );
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.statusCode).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toMatch(/spec\.selector: Required value/);
    expect(error.status?.details?.causes?.length).toBeGreaterThan(0);
  });

  it('dry-runs applies for the engine tier 2 without storing them', async () => {
    const live = await client.apply(deployment(namespace, 'web', 'web:1'), {
      fieldManager: FIELD_MANAGER,
    });
    const changed = await serverSideDryRun(
      client,
      deployment(namespace, 'web', 'web:2'),
      live,
    );
    expect(changed.outcome).toBe('Compared');
    expect(
      changed.outcome === 'Compared' && changed.result.diffs.map(d => d.path),
    ).toContain('spec.template.spec.containers[name=web].image');
    const stored = await client.request<KubeObject>(
      'GET',
      `/apis/apps/v1/namespaces/${namespace}/deployments/web`,
    );
    expect((stored.spec as any).template.spec.containers[0].image).toBe(
      'web:1',
    );

    const newSelector = deployment(namespace, 'web', 'web:1');
    (newSelector.spec as any).selector.matchLabels = { app: 'other' };
    (newSelector.spec as any).template.metadata.labels = { app: 'other' };
    const immutable = await serverSideDryRun(client, newSelector, live);
    expect(immutable.outcome).toBe('RequiresReplace');
  });

  it('streams watch events, including an edit by another field manager', async () => {
    await client.apply(configMap(namespace, 'watched', { color: 'blue' }), {
      fieldManager: FIELD_MANAGER,
    });
    const { resourceVersion } = await client.list('/api/v1/configmaps', {
      labelSelector: TRACKING_LABEL,
    });
    const events: KubeWatchEvent[] = [];
    const abort = new AbortController();
    let opened = false;
    const watching = client.watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      {
        resourceVersion,
        labelSelector: TRACKING_LABEL,
        timeoutSeconds: 60,
        signal: abort.signal,
        onOpen: () => {
          opened = true;
        },
      },
      event => events.push(event),
    );
    await eventually(() => expect(opened).toBe(true));
    expect(client.stats().openWatches).toBe(1);
    const editedAt = Date.now();
    await cluster.kubectl([
      '-n',
      namespace,
      'patch',
      'configmap',
      'watched',
      '-p',
      '{"data":{"color":"red"}}',
    ]);
    const event = await eventually(
      () => {
        const found = events.find(
          e => e.type === 'MODIFIED' && e.object.metadata.name === 'watched',
        );
        expect(found).toBeDefined();
        return found!;
      },
      1000,
      5,
    );
    // eslint-disable-next-line no-console
    console.log(
      `watch: kubectl patch -> MODIFIED event in ${
        Date.now() - editedAt
      } ms (includes kubectl start-up)`,
    );
    expect((event.object as any).data).toEqual({ color: 'red' });
    expect(
      event.object.metadata.managedFields?.map(entry => entry.manager),
    ).toContain('kubectl-patch');
    abort.abort();
    await watching;
    expect(client.stats().openWatches).toBe(0);
  }, 30_000);

  it('ends a watch cleanly at its server-side timeout', async () => {
    const started = Date.now();
    await client.watch(
      '/api/v1/configmaps',
      { labelSelector: TRACKING_LABEL, timeoutSeconds: 1 },
      () => undefined,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('names the cause when the server cannot be reached, and when it does not answer in time', async () => {
    const port = await closedPort();
    const down = new KubeConfig();
    down.loadFromClusterAndUser(
      {
        name: 'down',
        server: `https://127.0.0.1:${port}`,
        skipTLSVerify: true,
      },
      { name: 'u', token: 't' },
    );
    const unreachable = new KubeHttpClient(down);
    const error = await failureOf(unreachable.request('GET', '/version'));
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.isUnreachable).toBe(true);
    expect(error.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(error.systemCode).toBe('ECONNREFUSED');
    unreachable.close();

    const slow = await failureOf(
      client.request('GET', '/api/v1/configmaps', {
        query: { watch: 'true' },
        timeoutMs: 200,
      }),
    );
    expect(slow).toBeInstanceOf(KubeApiError);
    expect(slow.message).toMatch(/no answer within 200 ms/);
  });

  it('resolves kinds through aggregated and per-group-version discovery alike', async () => {
    const legacy = new KubeHttpClient(cluster.kubeConfig, {
      discovery: { aggregated: false },
    });
    for (const [apiVersion, kind, plural, namespaced] of [
      ['v1', 'ConfigMap', 'configmaps', true],
      ['v1', 'Namespace', 'namespaces', false],
      ['apps/v1', 'Deployment', 'deployments', true],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
    ] as const) {
      const expected = expect.objectContaining({
        apiVersion,
        kind,
        plural,
        namespaced,
      });
      expect(await client.discovery.resolve(apiVersion, kind)).toEqual(
        expected,
      );
      expect(await legacy.discovery.resolve(apiVersion, kind)).toEqual(
        expected,
      );
    }
    expect(
      await client.discovery.resolve('example.gitops.test/v9', 'Nothing'),
    ).toBeUndefined();
    legacy.close();
  });

  it('gives 410 Expired for a watch from a resourceVersion older than the restarted server keeps', async () => {
    await client.apply(configMap(namespace, 'before-restart', { a: '1' }), {
      fieldManager: FIELD_MANAGER,
    });
    const { resourceVersion } = await client.list(
      `/api/v1/namespaces/${namespace}/configmaps`,
    );
    // A write after our version, so the restarted server's watch cache starts past it.
    await client.apply(configMap(namespace, 'after-version', { a: '2' }), {
      fieldManager: FIELD_MANAGER,
    });
    await cluster.stopApiServer();
    await cluster.startApiServer();
    const error = await eventually(
      () =>
        client
          .watch(
            `/api/v1/namespaces/${namespace}/configmaps`,
            { resourceVersion, timeoutSeconds: 5 },
            () => undefined,
          )
          .then(
            () => {
              throw new Error('watch ended without an error');
            },
            e => {
              if (!(e instanceof KubeApiError) || e.isUnreachable) throw e;
              return e;
            },
          ),
      30_000,
      250,
    );
    expect(error.statusCode).toBe(410);
    expect(error.isGone).toBe(true);
    expect(error.reason).toBe('Expired');
  }, 120_000);
});
