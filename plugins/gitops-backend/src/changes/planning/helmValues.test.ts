import { InputError } from '@backstage/errors';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import {
  helmValuesOf,
  isHelmChart,
  mergeValues,
  setHelmImage,
  setHelmReplicas,
  type HelmValues,
} from './helmValues';
import type { WorkingTree } from '../WorkingTree';

/** Just enough of a working tree: files in a map. */
function tree(files: Record<string, string>) {
  return {
    files,
    read: async (path: string) => files[path],
    write: async (path: string, text: string) => {
      files[path] = text;
    },
    exists: async (path: string) => path in files,
  } as unknown as WorkingTree & { files: Record<string, string> };
}

const values = (merged: unknown): HelmValues => ({
  target: 'values/prod.yaml',
  merged,
});
const image = (raw: string) => {
  const colon = raw.lastIndexOf(':');
  return { raw, repository: raw.slice(0, colon), tag: raw.slice(colon + 1) };
};

describe('helm values', () => {
  it('merges like helm: maps key by key, later files win, null removes a key', () => {
    expect(
      mergeValues(
        {
          image: { repository: 'a', tag: '1' },
          replicaCount: 1,
          extra: { x: 1 },
        },
        { image: { tag: '2' }, extra: null, list: [1] },
      ),
    ).toEqual({
      image: { repository: 'a', tag: '2' },
      replicaCount: 1,
      list: [1],
    });
  });

  it('writes the tag beside the matching repository, or the whole image where one value holds it', async () => {
    const files = tree({ 'values/prod.yaml': '# prod\nreplicaCount: 3\n' });
    await setHelmImage(
      files,
      values({
        worker: { image: { repository: 'acme/worker', tag: '1.0' } },
        web: { image: { repository: 'acme/web', tag: '1.0' } },
      }),
      image('acme/web:1.0'),
      { repository: 'acme/web', tag: '1.1' },
      'web',
    );
    expect(files.files['values/prod.yaml']).toMatch(
      /^# prod\nreplicaCount: 3\nweb:\n {2}image:\n {4}tag: "1\.1"\n$/,
    );

    const whole = tree({ 'values/prod.yaml': '' });
    await setHelmImage(
      whole,
      values({ sidecar: 'acme/proxy:2.0' }),
      image('acme/proxy:2.0'),
      { repository: 'acme/proxy', tag: '2.1' },
      'proxy',
    );
    expect(whole.files['values/prod.yaml']).toMatch(
      /^sidecar: acme\/proxy:2\.1\n$/,
    );
  });

  it('refuses when no value, or more than one, could set the image, naming them', async () => {
    const files = tree({ 'values/prod.yaml': '' });
    await expect(
      setHelmImage(
        files,
        values({ image: { repository: 'other', tag: '1' } }),
        image('acme/web:1'),
        { repository: 'acme/web', tag: '2' },
        'web',
      ),
    ).rejects.toThrow(
      /web: no value of the helm chart sets the image acme\/web:1/,
    );
    const error = await setHelmImage(
      files,
      values({
        a: { repository: 'acme/web', tag: '1' },
        b: { repository: 'acme/web', tag: '1' },
      }),
      image('acme/web:1'),
      { repository: 'acme/web', tag: '2' },
      'web',
    ).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /more than one value of the helm chart could set the image acme\/web:1 \(a\.tag, b\.tag\)/,
    );
    expect(files.files['values/prod.yaml']).toBe('');
  });

  it("sets the one replica count value that holds today's count", async () => {
    const files = tree({ 'values/prod.yaml': 'replicaCount: 3 # zones\n' });
    await setHelmReplicas(
      files,
      values({ replicaCount: 3, maxUnavailable: 3 }),
      3,
      5,
      'web',
    );
    expect(files.files['values/prod.yaml']).toBe('replicaCount: 5 # zones\n');
    await expect(
      setHelmReplicas(
        files,
        values({ replicas: { min: 2, max: 2 } }),
        2,
        4,
        'web',
      ),
    ).rejects.toThrow(/no value of the helm chart sets 2 replicas/);
  });

  it('writes a new values file as YAML 1.1 reads it: a tag that looks like a number stays a string', async () => {
    const files = tree({ 'values/prod.yaml': '# nothing yet\n' });
    await setHelmImage(
      files,
      values({ image: { repository: 'acme/web', tag: '' } }),
      { raw: 'acme/web:1.0.0', repository: 'acme/web', tag: '1.0.0' },
      { repository: 'acme/web', tag: '0755' },
      'web',
    );
    expect(files.files['values/prod.yaml']).toBe(
      '# nothing yet\nimage:\n  tag: "0755"\n',
    );
  });

  const spec = (
    source: Partial<ApplicationSpec['source']>,
  ): ApplicationSpec => ({
    name: 'web-prod',
    entityRef: 'component:default/web',
    environment: 'prod',
    source: { repo: 'config', path: 'apps/web', renderer: 'auto', ...source },
    destination: { cluster: 'local', namespace: 'web' },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: 'applications/web.yaml',
  });

  it('decides what a chart is as the renderer does: a kustomization wins over a Chart.yaml', async () => {
    const files = tree({
      'apps/web/Chart.yaml': 'name: web\n',
      'apps/web/kustomization.yaml': 'resources: []\n',
    });
    expect(await isHelmChart(files, spec({}))).toBe(false);
    expect(await isHelmChart(files, spec({ renderer: 'helm' }))).toBe(true);
    expect(
      await isHelmChart(
        tree({ 'apps/web/Chart.yaml': 'name: web\n' }),
        spec({}),
      ),
    ).toBe(true);
  });

  it("refuses to write the chart's own values.yaml, which every environment shares", async () => {
    const files = tree({
      'apps/web/Chart.yaml': 'name: web\n',
      'apps/web/values.yaml': 'replicaCount: 1\n',
    });
    await expect(
      helmValuesOf(
        files,
        spec({ helm: { valueFiles: ['apps/web/values.yaml'] } }),
      ),
    ).rejects.toThrow(
      /web-prod renders the helm chart apps\/web with no values file of its own/,
    );
    await expect(
      helmValuesOf(
        files,
        spec({ helm: { valueFiles: ['apps/values/prod.yaml'] } }),
      ),
    ).resolves.toEqual({
      target: 'apps/values/prod.yaml',
      merged: { replicaCount: 1 },
    });
  });
});
