import * as k8s from '@kubernetes/client-node';
import {
  TestCluster,
  describeWithCluster,
  startTestCluster,
} from './__testUtils__/startTestCluster';

const NAMESPACE = 'smoke';

function deployment(image: string): k8s.KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NAMESPACE },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  };
}

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The local control plane, used the way any Kubernetes client would: @kubernetes/client-node's own APIs.
describeWithCluster('the local control plane, through @kubernetes/client-node', () => {
  let cluster: TestCluster;
  let apps: k8s.AppsV1Api;
  let objects: k8s.KubernetesObjectApi;

  beforeAll(async () => {
    cluster = await startTestCluster();
    apps = cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
    objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    await cluster.kubeConfig
      .makeApiClient(k8s.CoreV1Api)
      .createNamespace({ body: { metadata: { name: NAMESPACE } } });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('applies a Deployment by server-side apply, fills in the server defaults, records our field manager, and kwok makes it Available', async () => {
    await objects.patch(
      deployment('nginx:1.27'),
      undefined,
      undefined,
      'backstage-gitops',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    const live = await until('the Deployment to become Available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: NAMESPACE });
      return d.status?.availableReplicas === 2 ? d : undefined;
    });
    expect(live.spec?.progressDeadlineSeconds).toBe(600);
    expect(live.spec?.template.spec?.dnsPolicy).toBe('ClusterFirst');
    expect(live.spec?.template.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(live.metadata?.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'backstage-gitops', operation: 'Apply' }),
    );
  }, 60_000);

  it('delivers a watch event for an edit made by another field manager', async () => {
    const current = await apps.readNamespacedDeployment({ name: 'web', namespace: NAMESPACE });
    const events: Array<{ phase: string; image?: string }> = [];
    const watch = await new k8s.Watch(cluster.kubeConfig).watch(
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
      { resourceVersion: current.metadata?.resourceVersion },
      (phase, obj) =>
        events.push({ phase, image: obj?.spec?.template?.spec?.containers?.[0]?.image }),
      () => undefined,
    );
    try {
      await apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: NAMESPACE,
          fieldManager: 'kubectl-edit',
          body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      );
      const modified = await until('the MODIFIED event', async () =>
        events.find(e => e.phase === 'MODIFIED' && e.image === 'nginx:1.28'),
      );
      expect(modified).toEqual({ phase: 'MODIFIED', image: 'nginx:1.28' });
    } finally {
      watch.abort();
    }
  }, 60_000);

  it('answers 410 Gone to a watch from a resourceVersion the restarted server no longer keeps', async () => {
    const before = await apps.listNamespacedDeployment({ namespace: NAMESPACE });
    // A write after that version, so the restarted server's watch cache starts past it.
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: NAMESPACE, fieldManager: 'kubectl-scale', body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await cluster.stopApiServer();
    await cluster.startApiServer();
    const code = await until('a 410 from the watch', async () => {
      const outcome = await new Promise<number | undefined>(resolve => {
        const timer = setTimeout(() => resolve(undefined), 5000);
        new k8s.Watch(cluster.kubeConfig)
          .watch(
            `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
            { resourceVersion: before.metadata?.resourceVersion },
            (phase, obj) => {
              if (phase === 'ERROR') {
                clearTimeout(timer);
                resolve(obj?.code);
              }
            },
            () => undefined,
          )
          .then(
            controller => setTimeout(() => controller.abort(), 5000).unref(),
            () => resolve(undefined),
          );
      });
      return outcome;
    });
    expect(code).toBe(410);
  }, 120_000);

  it('rejects an invalid object with the server’s reason', async () => {
    const invalid = deployment('nginx:1.27');
    (invalid.spec as Record<string, unknown>).selector = undefined;
    invalid.metadata!.name = 'invalid';
    await expect(
      apps.createNamespacedDeployment({ namespace: NAMESPACE, body: invalid as k8s.V1Deployment }),
    ).rejects.toMatchObject({ code: 422, body: expect.stringContaining('spec.selector: Required value') });
  }, 60_000);
});
