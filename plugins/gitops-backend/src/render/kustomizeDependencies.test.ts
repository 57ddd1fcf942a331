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

  it('leaves out remote references and paths outside the config root', async () => {
    const files = {
      'app/kustomization.yml': [
        'resources:',
        '  - https://github.com/acme/manifests/base?ref=v1',
        '  - github.com/acme/manifests//base?ref=v1',
        '  - git@github.com:acme/manifests.git//base',
        '  - ../../outside',
        '  - /etc',
        'bases: [../base]',
      ].join('\n'),
      'base/Kustomization': 'resources: []',
    };
    await expect(kustomizeDependencies('app', reader(files))).resolves.toEqual([
      'app',
      'base',
    ]);
  });

  it('terminates on cycles and survives a kustomization it cannot parse', async () => {
    const files = {
      'a/kustomization.yaml': 'resources: [../b]',
      'b/kustomization.yaml': 'resources: [../a, ../broken]',
      'broken/kustomization.yaml': 'resources: [unclosed',
    };
    await expect(kustomizeDependencies('a', reader(files))).resolves.toEqual([
      'a',
      'b',
      'broken',
    ]);
  });

  it('counts a directory without a kustomization, so its appearance changes the key', async () => {
    await expect(
      kustomizeDependencies(
        'app',
        reader({ 'app/kustomization.yaml': 'resources: [../not-yet]' }),
      ),
    ).resolves.toEqual(['app', 'not-yet']);
  });
});
