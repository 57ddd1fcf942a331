import type { KubeObject } from '@backstage-gitops/gitops-engine';
import { diffFiles, diffManifests } from './manifestDiff';

const config = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop' },
  data,
});
const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  stringData: data,
});

describe('diffManifests', () => {
  it('lists created, updated and deleted objects with git-style diffs, and skips unchanged ones', () => {
    const changes = diffManifests(
      [config({ a: '1' }), { ...config({}), metadata: { name: 'gone', namespace: 'shop' } }],
      [config({ a: '2' }), { ...config({}), metadata: { name: 'new', namespace: 'shop' } }],
    );
    expect(changes.map(c => [c.action, c.ref.name])).toEqual([
      ['delete', 'gone'],
      ['create', 'new'],
      ['update', 'settings'],
    ]);
    const update = changes[2].diff;
    expect(update.split('\n').slice(0, 3)).toEqual([
      'diff --git a//ConfigMap/shop/settings b//ConfigMap/shop/settings',
      '--- a//ConfigMap/shop/settings',
      '+++ b//ConfigMap/shop/settings',
    ]);
    expect(update).toContain('-  a: "1"');
    expect(update).toContain('+  a: "2"');
    expect(changes[1].diff).toContain('new file mode 100644\n--- /dev/null');
    expect(changes[0].diff).toContain('deleted file mode 100644');
    expect(diffManifests([config({ a: '1' })], [config({ a: '1' })])).toEqual([]);
  });

  it('never shows a Secret value, only which keys changed', () => {
    const [change] = diffManifests(
      [secret({ password: 'old-s3cret-value', user: 'app' })],
      [secret({ password: 'new-s3cret-value', user: 'app' })],
    );
    expect(change.diff).not.toMatch(/s3cret|app\b/);
    expect(change.diff).toContain('+  password: "*** (changed)"');
    expect(change.diff).toContain('   user: "***"');
  });
});

describe('diffFiles', () => {
  it('names files as the repository shows them', () => {
    const [file] = diffFiles([{ path: 'apps/x.yaml', before: 'a: 1\n', after: 'a: 2\n' }], path => `config/${path}`);
    expect(file.path).toBe('config/apps/x.yaml');
    expect(file.diff).toContain('diff --git a/config/apps/x.yaml b/config/apps/x.yaml\n--- a/config/apps/x.yaml');
  });
});
