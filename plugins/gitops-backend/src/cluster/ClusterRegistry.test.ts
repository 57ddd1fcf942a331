import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { TRACKING_LABEL } from '@backstage-gitops/gitops-engine';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import { ClusterRegistry } from './ClusterRegistry';
import { eventually } from './__testUtils__/eventually';
import {
  describeWithCluster,
  startTestCluster,
  uniqueName,
  type TestCluster,
} from './__testUtils__/startTestCluster';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

describeWithCluster('ClusterRegistry', () => {
  let cluster: TestCluster;
  let registry: ClusterRegistry | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 240_000);

  afterEach(async () => {
    await registry?.stopAll();
    registry = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('connects each configured cluster, whichever way it is configured, and reports one that is down', async () => {
    const ca = await fs.readFile(cluster.env.K8S_TESTENV_CA_FILE);
    registry = ClusterRegistry.fromConfig(
      new ConfigReader({
        gitops: {
          fieldManager: 'gitops-test',
          clusters: [
            {
              name: 'by-kubeconfig',
              kubeconfig: { path: cluster.kubeconfigPath },
            },
            {
              name: 'by-token',
              url: cluster.env.K8S_TESTENV_SERVER,
              authProvider: 'serviceAccount',
              serviceAccountToken: cluster.env.K8S_TESTENV_TOKEN,
              caData: ca.toString('base64'),
            },
            {
              name: 'by-ca-file',
              url: cluster.env.K8S_TESTENV_SERVER,
              serviceAccountToken: cluster.env.K8S_TESTENV_TOKEN,
              caFile: cluster.env.K8S_TESTENV_CA_FILE,
            },
            {
              name: 'down',
              url: `https://127.0.0.1:${await closedPort()}`,
              serviceAccountToken: 'unused',
              skipTLSVerify: true,
            },
          ],
        },
      }),
    );
    expect(registry.names()).toEqual([
      'by-kubeconfig',
      'by-token',
      'by-ca-file',
      'down',
    ]);
    expect(Array.from(registry.caches().keys())).toEqual(registry.names());

    const namespace = uniqueName('registry');
    const client = registry.client('by-token');
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { fieldManager: 'gitops-test' },
    );
    await client.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'settings',
          namespace,
          labels: { [TRACKING_LABEL]: namespace },
        },
        data: { a: '1' },
      },
      { fieldManager: 'gitops-test' },
    );

    for (const name of registry.names()) {
      await registry
        .get(name)
        .watchKinds([{ apiVersion: 'v1', kind: 'ConfigMap' }]);
    }
    // A cluster that is down must not hold up the others.
    await registry.startAll();
    for (const name of ['by-kubeconfig', 'by-token', 'by-ca-file']) {
      expect(registry.get(name).state().state).toBe('ready');
      expect(
        registry
          .get(name)
          .objectsOf(namespace)
          .map(o => o.metadata.name),
      ).toEqual(['settings']);
    }
    await eventually(
      () =>
        expect(registry!.get('down').state()).toMatchObject({
          state: 'unreachable',
          message: expect.stringMatching(/ECONNREFUSED/),
        }),
      10_000,
    );
  }, 60_000);

  it('stops and starts one cluster on its own, listing afresh after a restart instead of trusting what it saw before', async () => {
    registry = new ClusterRegistry([
      { name: 'a', kubeConfig: cluster.kubeConfig },
      { name: 'b', kubeConfig: cluster.kubeConfig },
    ]);
    const namespace = uniqueName('restart');
    const client = registry.client('a');
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { fieldManager: 'gitops-test' },
    );
    const settings = (data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings',
        namespace,
        labels: { [TRACKING_LABEL]: namespace },
      },
      data,
    });
    await client.apply(settings({ a: '1' }), { fieldManager: 'gitops-test' });
    const a = registry.get('a');
    const states: string[] = [];
    a.onStateChange(state => states.push(state.state));
    await a.watchKinds([{ apiVersion: 'v1', kind: 'ConfigMap' }]);
    await registry.startCluster('a');
    expect(registry.isWatching('a')).toBe(true);
    expect(registry.isWatching('b')).toBe(false);
    expect(
      a.objectsOf(namespace).map(o => o.metadata.labels?.[TRACKING_LABEL]),
    ).toEqual([namespace]);

    await registry.stopCluster('a');
    expect(registry.isWatching('a')).toBe(false);
    expect(a.state().state).toBe('connecting');
    expect(a.objectsOf(namespace)).toEqual([]);
    // Changed while nobody here watched: the restart must not show the old object first.
    const changed = await client.apply(settings({ a: '2' }), {
      fieldManager: 'gitops-test',
    });
    await registry.startCluster('a');
    expect(a.state().state).toBe('ready');
    expect(a.objectsOf(namespace).map(o => o.metadata.resourceVersion)).toEqual(
      [changed?.metadata.resourceVersion],
    );
    // Listeners registered before the stop hear the new cache too.
    expect(
      states.filter(state => state === 'ready').length,
    ).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('answers NotFoundError for a cluster that is not configured', () => {
    registry = new ClusterRegistry([]);
    expect(() => registry!.get('nowhere')).toThrow(NotFoundError);
    expect(() => registry!.client('nowhere')).toThrow(
      'no cluster named "nowhere" is configured',
    );
  });
});
