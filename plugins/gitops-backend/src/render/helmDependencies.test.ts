import { helmDependencies } from './helmDependencies';

describe('helmDependencies', () => {
  it('follows file:// chart dependencies and ignores remote repositories', async () => {
    const files: Record<string, string> = {
      'charts/shop/Chart.yaml': [
        'apiVersion: v2',
        'name: shop',
        'dependencies:',
        '  - name: common',
        '    repository: file://../common',
        '  - name: redis',
        '    repository: oci://registry.example.com/charts',
        '  - name: escape',
        '    repository: file://../../../etc',
      ].join('\n'),
      'charts/common/Chart.yaml': 'apiVersion: v2\nname: common\n',
    };
    await expect(
      helmDependencies('charts/shop', async path => files[path]),
    ).resolves.toEqual(['charts/common', 'charts/shop']);
  });
});
