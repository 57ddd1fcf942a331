import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { kustomizeDependencies } from './kustomizeDependencies';
import type { ReadTreeFile } from './readTreeFile';

const EXAMPLE_CONFIG_REPO = resolve(
  __dirname,
  '../../../../examples/config-repo',
);

function reader(files: Record<string, string>): ReadTreeFile {
  return async path => files[path];
}

describe('kustomizeDependencies', () => {
  it.each([
    [
      'apps/shop-api/overlays/dev',
      ['apps/shop-api/base', 'apps/shop-api/overlays/dev'],
    ],
    [
      'apps/ledger/overlays/prod',
      ['apps/ledger/base', 'apps/ledger/overlays/prod'],
    ],
    ['apps/report-worker/base', ['apps/report-worker/base']],
  ])('finds the base of the example overlay %s', async (path, expected) => {
    const readFromExamples: ReadTreeFile = file =>
      fs
        .readFile(join(EXAMPLE_CONFIG_REPO, file), 'utf8')
        .catch(() => undefined);
    await expect(
      kustomizeDependencies(path, readFromExamples),
    ).resolves.toEqual(expected);
  });

  it('follows resources, components and patches recursively, folding paths inside listed directories', async () => {
    const files = {
      'apps/shop/overlays/dev/kustomization.yaml': [
        'resources:',
        '  - ../../base',
        '  - namespace.yaml',
        '  - extra/',
        'components:',
        '  - ../../../../components/monitoring',
        'patches:',
        '  - path: ../../../../patches/resources.yaml',
        '  - patch: |-',
        '      - op: replace',
        'configMapGenerator:',
        '  - name: settings',
        '    files: [app.conf=../../../../shared/app.conf]',
      ].join('\n'),
      'apps/shop/overlays/dev/namespace.yaml': 'kind: Namespace',
      'apps/shop/overlays/dev/extra/kustomization.yaml': 'resources: [cm.yaml]',
      'apps/shop/base/kustomization.yaml':
        'resources: [deployment.yaml, ../../common]',
      'apps/common/kustomization.yaml': 'resources: [sa.yaml]',
      'components/monitoring/kustomization.yaml':
        'kind: Component\nresources: [monitor.yaml]',
      'patches/resources.yaml': 'kind: Deployment',
      'shared/app.conf': 'x=1',
    };
    await expect(
      kustomizeDependencies('apps/shop/overlays/dev', reader(files)),
    ).resolves.toEqual([
      'apps/common',
      'apps/shop/base',
      'apps/shop/overlays/dev',
      'components/monitoring',
      'patches/resources.yaml',
      'shared/app.conf',
    ]);
  });

  it.each([
    [
      'an https resource',
      'resources: [https://github.com/acme/manifests/base?ref=v1]',
      /resources names "https:\/\/github\.com.*a remote reference/,
    ],
    [
      'an http resource on the internal network',
      'resources: ["http://169.254.169.254/latest/meta-data"]',
      /remote reference/,
    ],
    [
      'a host-relative repository',
      'resources: [github.com/acme/manifests//base?ref=v1]',
      /remote reference/,
    ],
    [
      'a repository without query',
      'resources: [gitlab.example.com/acme/manifests/base]',
      /remote reference/,
    ],
    [
      'an scp-like repository',
      'resources: ["git@github.com:acme/manifests.git//base"]',
      /remote reference/,
    ],
    [
      'a forced git transport',
      'resources: ["git::https://example.com/acme/manifests"]',
      /remote reference/,
    ],
    [
      'a component from a URL',
      'components: [https://example.com/component]',
      /components names .*remote reference/,
    ],
    [
      'a patch from a URL',
      'patches: [{path: "https://example.com/patch.yaml"}]',
      /patches names .*remote reference/,
    ],
    [
      'a generator file from a URL',
      'configMapGenerator: [{name: x, files: ["https://example.com/a=b"]}]',
      /configMapGenerator\.files names "https:\/\/example\.com\/a=b"/,
    ],
    [
      'a keyed generator file from a URL',
      'secretGenerator: [{name: x, files: ["token=https://example.com/t"]}]',
      /secretGenerator\.files names "token=https/,
    ],
    [
      'an openapi schema from a URL',
      'openapi: {path: "https://example.com/schema.json"}',
      /openapi names .*remote reference/,
    ],
    [
      'a path out of the config root',
      'resources: [../../outside]',
      /resources names "\.\.\/\.\.\/outside", which is outside the config repo/,
    ],
    [
      'an absolute path',
      'resources: [/etc]',
      /"\/etc", which is outside the config repo/,
    ],
    [
      'a base that names a URL',
      'resources: [../base]',
      /base\/Kustomization: resources names "https/,
    ],
  ])(
    'refuses %s, naming the kustomization file and field',
    async (_, kustomization, message) => {
      const files = {
        'app/kustomization.yml': kustomization,
        'base/Kustomization': 'resources: [https://example.com/x.yaml]',
      };
      const walk = kustomizeDependencies('app', reader(files));
      await expect(walk).rejects.toMatchObject({
        name: 'EngineError',
        code: 'RENDER_PATH_INVALID',
      });
      await expect(walk).rejects.toThrow(message);
    },
  );

  it('takes a local directory whose name looks like a host as local', async () => {
    const files = {
      'app/kustomization.yaml': 'resources: [acme.example/base]',
      'app/acme.example/base/kustomization.yaml': 'resources: [cm.yaml]',
    };
    await expect(kustomizeDependencies('app', reader(files))).resolves.toEqual([
      'app',
    ]);
  });

  it('reads inline patches as content, not as paths', async () => {
    const files = {
      'app/kustomization.yaml': [
        'resources: [cm.yaml]',
        'patchesStrategicMerge:',
        '  - |-',
        '    apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata: {name: settings}',
        '    data: {url: "https://example.com"}',
      ].join('\n'),
      'app/cm.yaml': 'kind: ConfigMap',
    };
    await expect(kustomizeDependencies('app', reader(files))).resolves.toEqual([
      'app',
    ]);
  });

  it('terminates on cycles', async () => {
    const files = {
      'a/kustomization.yaml': 'resources: [../b]',
      'b/kustomization.yaml': 'resources: [../a]',
    };
    await expect(kustomizeDependencies('a', reader(files))).resolves.toEqual([
      'a',
      'b',
    ]);
  });

  it.each([
    ['a syntax error', 'resources: [unclosed', /YAML|unclosed|flow/i],
    [
      'a duplicate key hiding a second list',
      'resources: [cm.yaml]\nresources: ["https://example.com/x"]\n',
      /unique|duplicate/i,
    ],
  ])(
    'refuses a kustomization with %s instead of building what it cannot check',
    async (_, text, message) => {
      const walk = kustomizeDependencies(
        'a',
        reader({ 'a/kustomization.yaml': text }),
      );
      await expect(walk).rejects.toThrow(message);
      await expect(walk).rejects.toThrow(/a\/kustomization\.yaml/);
    },
  );

  it('counts a directory without a kustomization, so its appearance changes the key', async () => {
    await expect(
      kustomizeDependencies(
        'app',
        reader({ 'app/kustomization.yaml': 'resources: [../not-yet]' }),
      ),
    ).resolves.toEqual(['app', 'not-yet']);
  });
});
