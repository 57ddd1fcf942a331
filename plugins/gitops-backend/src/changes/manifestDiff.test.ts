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

describe('diffFiles on files that hold Secret values', () => {
  const manifests = (tag: string, password: string) =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    spec:',
      `      containers: [{name: web, image: "web:${tag}"}]`,
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: db',
      'stringData:',
      `  password: ${password} # rotated by hand`,
      '  certificate: |',
      '    -----BEGIN CERTIFICATE-----',
      '    MIIBfake0nlyForTests',
      '    -----END CERTIFICATE-----',
      'data:',
      '  token: "c2VjcmV0LXRva2VuLXZhbHVl"',
      '',
    ].join('\n');

  it('shows the edit and the keys of a Secret in the same file, never its values', () => {
    const [file] = diffFiles(
      [{ path: 'apps/web.yaml', before: manifests('1.0', 'hunter2-old'), after: manifests('1.1', 'hunter2-new') }],
      path => path,
    );
    expect(file.diff).toContain('+      containers: [{name: web, image: "web:1.1"}]');
    expect(file.diff).toContain('-  password: *** # rotated by hand');
    expect(file.diff).toContain('+  password: *** (changed) # rotated by hand');
    expect(file.diff).not.toMatch(/hunter2|MIIB|BEGIN CERTIFICATE|c2VjcmV0/);
  });

  it('masks the literals of a kustomize secretGenerator next to an image edit', () => {
    const kustomization = (tag: string) =>
      [
        'resources: [../../base]',
        'secretGenerator:',
        '  - name: db',
        '    literals:',
        '      - password=s3cr3t-literal',
        '      - "api-key=k3y-literal"',
        'images:',
        `  - {name: web, newTag: "${tag}"}`,
        '',
      ].join('\n');
    const [file] = diffFiles(
      [{ path: 'apps/web/kustomization.yaml', before: kustomization('1.0'), after: kustomization('1.1') }],
      path => path,
    );
    expect(file.diff).toContain('+  - {name: web, newTag: "1.1"}');
    expect(file.diff).toContain('       - password=***');
    expect(file.diff).toContain('       - api-key=***');
    expect(file.diff).not.toMatch(/s3cr3t|k3y-literal/);
  });

  it('masks a Secret in a new file too', () => {
    const [file] = diffFiles([{ path: 's.yaml', after: manifests('1.0', 'brand-new-secret') }], path => path);
    expect(file.diff).toContain('new file mode 100644');
    expect(file.diff).toContain('+  password: *** # rotated by hand');
    expect(file.diff).not.toMatch(/brand-new-secret|MIIB/);
  });
});
