import {
  EngineError,
  renderDirectory,
  sourceOf,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigRepository } from '../git/ConfigRepository';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { ApplicationRenderer, type RenderTree } from './ApplicationRenderer';

function app(
  name: string,
  path: string,
  renderer: ApplicationSpec['source']['renderer'] = 'auto',
  namespace = `${name}-ns`,
): ApplicationSpec {
  return {
    name,
    entityRef: `component:default/${name}`,
    environment: 'dev',
    source: { repo: 'config', path, renderer },
    destination: { cluster: 'local', namespace },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: 'applications/test.yaml',
  };
}

function deployment(
  name: string,
  image = 'nginx:1.27',
  namespace?: string,
): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    '  labels: {app: shop}',
    'spec:',
    '  template:',
    '    spec:',
    `      containers: [{name: web, image: "${image}"}]`,
    '',
  ].join('\n');
}

const helmInstalled = (() => {
  try {
    execFileSync(process.env.HELM_BIN || 'helm', ['version'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
})();

/** Counts renders, so tests see what the cache saved. */
function countingRender(inner: typeof renderDirectory = renderDirectory) {
  const calls: string[] = [];
  const render: typeof renderDirectory = async (dir, options) => {
    calls.push(dir);
    return inner(dir, options);
  };
  return { calls, render };
}

/** The same kustomize the renderer would use (KUSTOMIZE_BIN, kustomize or kubectl on PATH), or why not. */
async function kustomizeMissingReason(): Promise<string | undefined> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'gitops-kustomize-probe-'));
  try {
    await fs.writeFile(join(dir, 'kustomization.yaml'), 'resources: []\n');
    await renderDirectory(dir, { renderer: 'kustomize' });
    return undefined;
  } catch (error) {
    return error instanceof EngineError && error.code === 'RENDER_TOOL_MISSING'
      ? error.message
      : undefined;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('ApplicationRenderer', () => {
  let remote: TestGitRemote;
  let repo: ConfigRepository;

  beforeEach(async () => {
    remote = await TestGitRemote.create();
    repo = new ConfigRepository({
      id: 'config',
      url: remote.url,
      workDir: join(remote.root, 'backend'),
    });
  });

  afterEach(async () => {
    await remote.cleanup();
  });

  async function commit(
    files: Record<string, string | null>,
  ): Promise<RenderTree> {
    const sha = await remote.commit('change', files);
    await repo.fetch();
    const dir = await repo.checkout(sha);
    return { dir, sha, treeHash: path => repo.treeHash(sha, path) };
  }

  function byKind(objects: readonly KubeObject[], kind: string) {
    return objects.find(o => o.kind === kind)!;
  }

  it('fills namespaces by scope, adds the tracking label and freezes the shared output', async () => {
    const tree = await commit({
      'apps/shop/deployment.yaml': deployment('shop'),
      'apps/shop/service.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: elsewhere}\n',
      'apps/shop/rbac.yaml': [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata: {name: shop-reader, namespace: ignored}',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: {name: shop}',
        '---',
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: {name: quotas.acme.io}',
        'spec: {group: acme.io, scope: Cluster, names: {kind: Quota, plural: quotas}, versions: [{name: v1, served: true, storage: true}]}',
        '---',
        'apiVersion: acme.io/v1',
        'kind: Quota',
        'metadata: {name: shop}',
        '---',
        'apiVersion: monitoring.coreos.com/v1',
        'kind: ServiceMonitor',
        'metadata: {name: shop}',
      ].join('\n'),
    });
    const renderer = new ApplicationRenderer();
    const result = await renderer.renderApplication(
      app('shop', 'apps/shop', 'auto', 'shop-dev'),
      tree,
    );

    expect(result.problem).toBeUndefined();
    expect(result.dependencies).toEqual(['apps/shop']);
    const namespaces = Object.fromEntries(
      result.objects.map(o => [o.kind, o.metadata.namespace]),
    );
    expect(namespaces).toEqual({
      Deployment: 'shop-dev',
      Service: 'elsewhere',
      ClusterRole: undefined,
      Namespace: undefined,
      CustomResourceDefinition: undefined,
      Quota: undefined,
      ServiceMonitor: 'shop-dev',
    });
    for (const object of result.objects) {
      expect(object.metadata.labels?.['gitops.backstage.io/application']).toBe(
        'shop',
      );
    }
    expect(byKind(result.objects, 'Deployment').metadata.labels?.app).toBe(
      'shop',
    );
    expect(sourceOf(byKind(result.objects, 'Service'))).toMatchObject({
      file: 'apps/shop/service.yaml',
      line: 1,
    });
    expect(Object.isFrozen(byKind(result.objects, 'Deployment').spec)).toBe(
      true,
    );
  });

  it('renders once per key: an unrelated commit re-renders nothing, a change to the path re-renders', async () => {
    const { calls, render } = countingRender();
    const renderer = new ApplicationRenderer({ renderDirectory: render });
    const shop = app('shop', 'apps/shop', 'plain');
    const ledger = app('ledger', 'apps/ledger', 'plain');

    const first = await commit({
      'apps/shop/deployment.yaml': deployment('shop'),
      'apps/ledger/deployment.yaml': deployment('ledger'),
    });
    const [shop1] = await Promise.all([
      renderer.renderApplication(shop, first),
      renderer.renderApplication(shop, first),
      renderer.renderApplication(ledger, first),
    ]);
    expect(calls.sort()).toEqual(['apps/ledger', 'apps/shop']);

    const unrelated = await commit({
      'apps/ledger/deployment.yaml': deployment('ledger', 'nginx:1.28'),
    });
    calls.length = 0;
    const shop2 = await renderer.renderApplication(shop, unrelated);
    const ledger2 = await renderer.renderApplication(ledger, unrelated);
    expect(calls).toEqual(['apps/ledger']);
    expect(shop2).toBe(shop1);
    expect(JSON.stringify(ledger2.objects)).toContain('nginx:1.28');

    const own = await commit({
      'apps/shop/configmap.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    });
    calls.length = 0;
    const shop3 = await renderer.renderApplication(shop, own);
    expect(calls).toEqual(['apps/shop']);
    expect(shop3.cacheKey).not.toBe(shop1.cacheKey);
    expect(shop3.objects.map(o => o.kind)).toEqual(['ConfigMap', 'Deployment']);
  });

  describe('with kustomize overlays sharing a base', () => {
    const layout = (shopTag: string, ledgerTag: string) => ({
      'apps/shop/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/shop/base/deployment.yaml': deployment(
        'shop',
        `acme/shop:${shopTag}`,
      ),
      'apps/shop/overlays/dev/kustomization.yaml':
        'resources: [../../base]\nnamePrefix: dev-\n',
      'apps/shop/overlays/prod/kustomization.yaml':
        'resources: [../../base]\nnamePrefix: prod-\n',
      'apps/ledger/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/ledger/base/deployment.yaml': deployment(
        'ledger',
        `acme/ledger:${ledgerTag}`,
      ),
      'apps/ledger/overlays/dev/kustomization.yaml':
        'resources: [../../base]\n',
    });
    const applications = [
      app('shop-dev', 'apps/shop/overlays/dev'),
      app('shop-prod', 'apps/shop/overlays/prod'),
      app('ledger-dev', 'apps/ledger/overlays/dev'),
    ];

    async function renderAll(renderer: ApplicationRenderer, tree: RenderTree) {
      return Promise.all(
        applications.map(a => renderer.renderApplication(a, tree)),
      );
    }

    /** Stands in for the kustomize binary: the base's Deployment, named per overlay. */
    const fakeKustomize: typeof renderDirectory = async (dir, options) => {
      const base = dir.replace(/overlays\/\w+$/, 'base');
      const { objects } = await renderDirectory(base, {
        ...options,
        renderer: 'plain',
      });
      return { renderer: 'kustomize', objects };
    };

    it('re-renders only the overlays whose base changed (dependency resolution without the binary)', async () => {
      const { calls, render } = countingRender(fakeKustomize);
      const renderer = new ApplicationRenderer({ renderDirectory: render });

      const first = await renderAll(
        renderer,
        await commit(layout('1.0', '1.0')),
      );
      expect(calls.sort()).toEqual([
        'apps/ledger/overlays/dev',
        'apps/shop/overlays/dev',
        'apps/shop/overlays/prod',
      ]);
      expect(first[0].dependencies).toEqual([
        'apps/shop/base',
        'apps/shop/overlays/dev',
      ]);

      calls.length = 0;
      await renderAll(renderer, await commit({ 'README.md': 'unrelated' }));
      expect(calls).toEqual([]);

      calls.length = 0;
      await renderAll(renderer, await commit(layout('1.0', '2.0')));
      expect(calls).toEqual(['apps/ledger/overlays/dev']);

      calls.length = 0;
      const afterShopBase = await renderAll(
        renderer,
        await commit(layout('1.1', '2.0')),
      );
      expect(calls.sort()).toEqual([
        'apps/shop/overlays/dev',
        'apps/shop/overlays/prod',
      ]);
      expect(JSON.stringify(afterShopBase[1].objects)).toContain(
        'acme/shop:1.1',
      );
    });

    it('does the same with the real kustomize binary, when installed', async () => {
      const missing = await kustomizeMissingReason();
      if (missing) {
        // eslint-disable-next-line no-console
        console.warn(`skipping the real kustomize render test: ${missing}`);
        return;
      }
      const { calls, render } = countingRender();
      const renderer = new ApplicationRenderer({ renderDirectory: render });

      const first = await renderAll(
        renderer,
        await commit(layout('1.0', '1.0')),
      );
      expect(first.map(r => r.problem)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(
        first[1].objects.map(o => [o.metadata.name, o.metadata.namespace]),
      ).toEqual([['prod-shop', 'shop-prod-ns']]);
      expect(calls).toHaveLength(3);

      calls.length = 0;
      const second = await renderAll(
        renderer,
        await commit(layout('1.1', '1.0')),
      );
      expect(calls.sort()).toEqual([
        'apps/shop/overlays/dev',
        'apps/shop/overlays/prod',
      ]);
      expect(JSON.stringify(second[0].objects)).toContain('acme/shop:1.1');
      expect(second[2]).toBe(first[2]);
    });

    it('reports a kustomize failure as RENDER_FAILED without machine paths, when installed', async () => {
      const missing = await kustomizeMissingReason();
      if (missing) {
        // eslint-disable-next-line no-console
        console.warn(`skipping the kustomize failure test: ${missing}`);
        return;
      }
      const tree = await commit({
        'apps/broken/kustomization.yaml': 'resources: [missing.yaml]\n',
      });
      const result = await new ApplicationRenderer().renderApplication(
        app('broken', 'apps/broken'),
        tree,
      );
      expect(result.problem).toMatchObject({
        code: 'RENDER_FAILED',
        message: expect.stringContaining('missing.yaml'),
      });
      expect(result.problem!.message).not.toContain(tree.dir);
      expect(result.problem!.message).not.toContain(remote.root);
    });
  });

  it('never lets kustomize fetch what a kustomization names on the network, when installed', async () => {
    const missing = await kustomizeMissingReason();
    if (missing) {
      // eslint-disable-next-line no-console
      console.warn(`skipping the remote reference test: ${missing}`);
      return;
    }
    // A loopback server standing in for an internal endpoint; kustomize would GET it and render the answer.
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: internal}\ndata: {token: from-inside}\n',
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const tree = await commit({
        'apps/ssrf/kustomization.yaml': `resources: ["${url}/cm.yaml"]\n`,
        'apps/exfil/kustomization.yaml': `configMapGenerator: [{name: loot, files: ["${url}/token"]}]\n`,
        'apps/good/kustomization.yaml': 'resources: [cm.yaml]\n',
        'apps/good/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n',
      });
      const renderer = new ApplicationRenderer();
      const [ssrf, exfil, good] = await Promise.all(
        ['ssrf', 'exfil', 'good'].map(name =>
          renderer.renderApplication(
            app(name, `apps/${name}`, 'kustomize'),
            tree,
          ),
        ),
      );
      for (const result of [ssrf, exfil]) {
        expect(result.objects).toEqual([]);
        expect(result.problem).toMatchObject({
          code: 'RENDER_FAILED',
          message: expect.stringMatching(
            /kustomization\.yaml: .* names "http:\/\/127\.0\.0\.1:\d+\/.*", a remote reference/,
          ),
        });
      }
      expect(good.problem).toBeUndefined();
      expect(good.objects).toHaveLength(1);
      expect(requests).toEqual([]);
    } finally {
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('refuses duplicate objects, naming both places, as INVALID_MANIFEST', async () => {
    const tree = await commit({
      'apps/shop/a.yaml': deployment('shop'),
      'apps/shop/b.yaml': `# the same again\n${deployment(
        'shop',
        'nginx:2',
        'shop-ns',
      )}`,
    });
    const result = await new ApplicationRenderer().renderApplication(
      app('shop', 'apps/shop'),
      tree,
    );
    expect(result.objects).toEqual([]);
    expect(result.problem).toEqual({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(
        /Deployment shop-ns\/shop is declared twice \(apps\/shop\/a\.yaml line 1 and apps\/shop\/b\.yaml line 2\)/,
      ),
      since: expect.any(String),
    });
  });

  it('turns bad manifests and missing paths into problems while other applications render', async () => {
    const tree = await commit({
      'apps/good/deployment.yaml': deployment('good'),
      'apps/bad/deployment.yaml': deployment('bad').replace(
        '  labels: {app: shop}',
        '  labels: {app: [shop}',
      ),
      'apps/nameless/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
    });
    const now = () => new Date('2024-03-01T00:00:00Z');
    const renderer = new ApplicationRenderer({ now });
    const [good, bad, nameless, missing] = await Promise.all([
      renderer.renderApplication(app('good', 'apps/good'), tree),
      renderer.renderApplication(app('bad', 'apps/bad'), tree),
      renderer.renderApplication(app('nameless', 'apps/nameless'), tree),
      renderer.renderApplication(app('missing', 'apps/missing'), tree),
    ]);
    expect(good.problem).toBeUndefined();
    expect(good.objects).toHaveLength(1);
    expect(bad.problem).toEqual({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(
        /^apps\/bad\/deployment\.yaml, document 0, line 5:\d+: /,
      ),
      since: '2024-03-01T00:00:00.000Z',
    });
    expect(nameless.problem).toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringContaining('apps/nameless/cm.yaml'),
    });
    expect(missing.problem).toMatchObject({
      code: 'RENDER_FAILED',
      message: expect.stringContaining(
        'path apps/missing does not exist in the config repo',
      ),
    });
  });

  // Hostile YAML in the config repo: each gets a specific problem on its own application only.
  const billionLaughs = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: laughs}',
    'data:',
    '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ...'bcdefghi'
      .split('')
      .map(
        (name, i) =>
          `  ${name}: &${name} [${Array(9)
            .fill(`*${'abcdefghi'[i]}`)
            .join(', ')}]`,
      ),
    '',
  ].join('\n');
  it.each([
    ['an alias bomb', billionLaughs, /alias/i],
    [
      'a document over 8 MiB',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  blob: "${'x'.repeat(
        8 * 1024 * 1024,
      )}"\n`,
      /more than the limit of 8388608/,
    ],
    [
      'nesting 100 levels deep',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(
        100,
      )}${']'.repeat(100)}\n`,
      /nest|deep/i,
    ],
    [
      'a duplicate key',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice}\ndata:\n  a: "1"\n  a: "2"\n',
      /unique|duplicate/i,
    ],
    [
      'a manifest without kind',
      'apiVersion: v1\nmetadata: {name: kindless}\n',
      /kind/,
    ],
    [
      'a manifest without name',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: x}\n',
      /name/,
    ],
  ])(
    'reports %s in apps/bad as INVALID_MANIFEST naming the file, while apps/good renders',
    async (_, text, message) => {
      const tree = await commit({
        'apps/good/deployment.yaml': deployment('good'),
        'apps/bad/manifest.yaml': text,
      });
      const renderer = new ApplicationRenderer();
      const [good, bad] = await Promise.all([
        renderer.renderApplication(app('good', 'apps/good'), tree),
        renderer.renderApplication(app('bad', 'apps/bad'), tree),
      ]);
      expect(good.problem).toBeUndefined();
      expect(good.objects).toHaveLength(1);
      expect(bad.objects).toEqual([]);
      expect(bad.problem).toMatchObject({
        code: 'INVALID_MANIFEST',
        message: expect.stringContaining('apps/bad/manifest.yaml'),
      });
      expect(bad.problem!.message).toMatch(message);
      expect(bad.problem!.message.length).toBeLessThan(1000);
    },
  );

  it('renders an unknown kind as it is: the cluster, not the renderer, decides whether it exists', async () => {
    const tree = await commit({
      'apps/widgets/widget.yaml':
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n',
    });
    const result = await new ApplicationRenderer().renderApplication(
      app('widgets', 'apps/widgets'),
      tree,
    );
    expect(result.problem).toBeUndefined();
    expect(result.objects).toEqual([
      expect.objectContaining({
        kind: 'Widget',
        metadata: expect.objectContaining({ namespace: 'widgets-ns' }),
      }),
    ]);
  });

  it('reports a missing tool as RENDER_FAILED and retries it next time', async () => {
    const tree = await commit({
      'apps/shop/kustomization.yaml': 'resources: []\n',
    });
    const { calls, render } = countingRender();
    const renderer = new ApplicationRenderer({
      renderDirectory: render,
      env: { PATH: join(remote.root, 'no-tools') },
    });
    const first = await renderer.renderApplication(
      app('shop', 'apps/shop'),
      tree,
    );
    expect(first.problem).toMatchObject({
      code: 'RENDER_FAILED',
      message: expect.stringMatching(/kustomize is not installed/),
    });
    await renderer.renderApplication(app('shop', 'apps/shop'), tree);
    expect(calls).toHaveLength(2);
  });

  // Skipped, and reported as skipped, where helm is not installed (make test builds it where Go is).
  (helmInstalled ? describe : describe.skip)(
    'helm charts, with the real helm',
    () => {
      const chart = (tag: string) => ({
        'apps/payments/chart/Chart.yaml':
          'apiVersion: v2\nname: payments\nversion: 0.1.0\n',
        'apps/payments/chart/values.yaml': `replicas: 1\nimage: {repository: acme/payments, tag: "${tag}"}\nlogLevel: info\n`,
        'apps/payments/chart/templates/deployment.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: {{ .Release.Name }}',
          'spec:',
          '  replicas: {{ .Values.replicas }}',
          '  selector: {matchLabels: {app: payments}}',
          '  template:',
          '    metadata: {labels: {app: payments}}',
          '    spec:',
          '      containers:',
          '        - name: web',
          '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
          '          env: [{name: LOG_LEVEL, value: "{{ .Values.logLevel }}"}]',
          '',
        ].join('\n'),
        // Beside the chart, not in it: everything in the chart directory is the chart, an input of every release.
        'apps/payments/values/dev.yaml': 'replicas: 1\n',
        'apps/payments/values/prod.yaml': 'replicas: 3\n',
        'apps/payments/values/shared.yaml': 'logLevel: warn\n',
      });
      const helmApp = (environment: 'dev' | 'prod') => ({
        ...app(
          `payments-${environment}`,
          'apps/payments/chart',
          'auto',
          `payments-${environment}`,
        ),
        environment,
        source: {
          repo: 'config',
          path: 'apps/payments/chart',
          renderer: 'auto' as const,
          helm: {
            valueFiles: [
              'apps/payments/values/shared.yaml',
              `apps/payments/values/${environment}.yaml`,
            ],
            ...(environment === 'prod' && { releaseName: 'payments' }),
          },
        },
      });

      it('renders one chart per environment with its values files and release name, and re-renders only what a commit changed', async () => {
        const { calls, render } = countingRender();
        const renderer = new ApplicationRenderer({ renderDirectory: render });
        const renderBoth = async (tree: RenderTree) =>
          Promise.all([
            renderer.renderApplication(helmApp('dev'), tree),
            renderer.renderApplication(helmApp('prod'), tree),
          ]);
        const summary = (objects: readonly KubeObject[]) =>
          objects.map(o => ({
            name: o.metadata.name,
            namespace: o.metadata.namespace,
            replicas: (o as any).spec.replicas,
            image: (o as any).spec.template.spec.containers[0].image,
            logLevel: (o as any).spec.template.spec.containers[0].env[0].value,
          }));

        const [dev, prod] = await renderBoth(await commit(chart('1.0.0')));
        expect([dev.problem, prod.problem]).toEqual([undefined, undefined]);
        expect(summary(dev.objects)).toEqual([
          {
            name: 'payments-dev',
            namespace: 'payments-dev',
            replicas: 1,
            image: 'acme/payments:1.0.0',
            logLevel: 'warn',
          },
        ]);
        expect(summary(prod.objects)).toEqual([
          {
            name: 'payments',
            namespace: 'payments-prod',
            replicas: 3,
            image: 'acme/payments:1.0.0',
            logLevel: 'warn',
          },
        ]);
        expect(calls).toHaveLength(2);

        // prod's values file: prod alone renders again.
        calls.length = 0;
        const [, prod2] = await renderBoth(
          await commit({
            'apps/payments/values/prod.yaml': 'replicas: 5\n',
          }),
        );
        expect(calls).toEqual(['apps/payments/chart']);
        expect(summary(prod2.objects)[0].replicas).toBe(5);

        // The shared file outside the chart: both.
        calls.length = 0;
        const [dev3] = await renderBoth(
          await commit({
            'apps/payments/values/shared.yaml': 'logLevel: debug\n',
          }),
        );
        expect(calls).toHaveLength(2);
        expect(summary(dev3.objects)[0].logLevel).toBe('debug');

        // An unrelated file: neither.
        calls.length = 0;
        await renderBoth(await commit({ 'README.md': 'unrelated' }));
        expect(calls).toEqual([]);
      });

      it('reports a values file that does not exist on the application, as a render problem', async () => {
        const tree = await commit({
          ...chart('1.0.0'),
          'apps/payments/values/prod.yaml': null,
        });
        const renderer = new ApplicationRenderer();
        const result = await renderer.renderApplication(helmApp('prod'), tree);
        expect(result.objects).toEqual([]);
        expect(result.problem?.message).toMatch(/values\/prod\.yaml/);
        expect(result.problem?.message).not.toContain(tree.dir);
      });
    },
  );

  it('refuses helm options on a directory that renders with kustomize, instead of ignoring them', async () => {
    const tree = await commit({
      'apps/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'apps/web/kustomization.yaml': 'resources: []\n',
    });
    const spec = app('web', 'apps/web');
    const result = await new ApplicationRenderer().renderApplication(
      { ...spec, source: { ...spec.source, helm: { valueFiles: [] } } },
      tree,
    );
    expect(result.problem).toMatchObject({
      code: 'RENDER_FAILED',
      message: expect.stringMatching(
        /spec.source.helm is set, but apps\/web renders with kustomize/,
      ),
    });
  });

  it('keeps at most maxCacheEntries renders', async () => {
    const tree = await commit({
      'apps/a/d.yaml': deployment('a'),
      'apps/b/d.yaml': deployment('b'),
    });
    const { calls, render } = countingRender();
    const renderer = new ApplicationRenderer({
      renderDirectory: render,
      maxCacheEntries: 1,
    });
    for (const name of ['a', 'b', 'a', 'a']) {
      await renderer.renderApplication(app(name, `apps/${name}`), tree);
    }
    expect(calls).toEqual(['apps/a', 'apps/b', 'apps/a']);
  });
});
