import {
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import {
  describeWithCluster,
  startTestCluster,
  type TestCluster,
} from '../cluster/__testUtils__/startTestCluster';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { waitUntil } from '../reconcile/__testUtils__/waitUntil';
import {
  startGitopsBackend,
  type GitopsBackend,
} from './__testUtils__/startGitopsBackend';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function application(name: string, path: string): string {
  return [
    'apiVersion: gitops.backstage.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  entityRef: component:default/${name}`,
    '  environment: dev',
    '  source:',
    `    path: ${path}`,
    '    renderer: plain',
    '  destination:',
    '    cluster: local',
    `    namespace: ${name}`,
    '  syncPolicy:',
    '    automated: true',
    '',
  ].join('\n');
}

const namespace = (name: string) =>
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "1"}\n`;

describeWithCluster('a manifest of a kind the cluster does not serve', () => {
  let cluster: TestCluster;
  let remote: TestGitRemote;
  let backend: GitopsBackend;
  const workingDirectory = createMockDirectory();

  beforeAll(async () => {
    cluster = await startTestCluster();
    remote = await TestGitRemote.create();
    await remote.commit('two applications, one with a Widget', {
      'applications/widgets.yaml': application('widgets', 'apps/widgets'),
      'applications/plain.yaml': application('plain', 'apps/plain'),
      'apps/widgets/namespace.yaml': namespace('widgets'),
      'apps/widgets/settings.yaml': configMap('settings'),
      'apps/widgets/widget.yaml':
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: gadget}\nspec: {size: 3}\n',
      'apps/plain/namespace.yaml': namespace('plain'),
      'apps/plain/settings.yaml': configMap('settings'),
    });
    backend = await startGitopsBackend({
      knex: await databases.init('SQLITE_3'),
      gitops: {
        workingDirectory: workingDirectory.path,
        configRepos: [{ id: 'demo', url: remote.url }],
        clusters: [
          { name: 'local', kubeconfig: { path: cluster.kubeconfigPath } },
        ],
      },
    });
    await backend.triggerTask('gitops-poll-demo');
  }, 600_000);

  afterAll(async () => {
    await backend?.stop();
    await cluster?.stop();
    await remote?.cleanup();
  }, 180_000);

  it('shows the object Missing and its sync failed with the reason, applies the rest, and leaves the other applications alone', async () => {
    const runs = await waitUntil(
      () => backend.get('/applications/widgets/syncs').then(res => res.body),
      page => expect(page.items[0]?.result).toBe('failed'),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(runs.items[0].resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ref: expect.objectContaining({ kind: 'Widget', name: 'gadget' }),
          action: 'failed',
          message: 'the cluster does not serve Widget in example.com/v1',
        }),
        expect.objectContaining({
          ref: expect.objectContaining({ kind: 'ConfigMap', name: 'settings' }),
          action: 'applied',
        }),
      ]),
    );
    // Applied once per revision: a failed revision is not retried in a loop.
    expect(runs.items).toHaveLength(1);

    const widgets = await waitUntil(
      () => backend.get('/applications/widgets').then(res => res.body),
      detail => {
        const sync = Object.fromEntries(
          detail.resources.map((r: any) => [r.ref.kind, r.sync]),
        );
        expect(sync).toEqual({
          Namespace: 'Synced',
          ConfigMap: 'Synced',
          Widget: 'Missing',
        });
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(widgets.status.sync).toBe('OutOfSync');

    const plain = await waitUntil(
      () => backend.get('/applications/plain').then(res => res.body),
      detail => expect(detail.status).toMatchObject({ sync: 'Synced' }),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(plain.status.problem).toBeUndefined();
  });
});
