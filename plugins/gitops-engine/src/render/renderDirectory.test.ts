import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errors';
import { sourceOf } from '../yaml/sourceOf';
import { renderDirectory } from './renderDirectory';

const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

/** Whether a command runs here; real-binary tests are skipped, with the reason printed, when it does not. */
function available(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

let root: string;
let outside: string;

function write(relative: string, content: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gitops-render-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'gitops-outside-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('renderDirectory (plain)', () => {
  it('reads every manifest file in sorted order, skipping dotfiles and kustomization files', async () => {
    write('apps/shop/b.yaml', configMap('b'));
    write('apps/shop/a.yml', `${configMap('a1')}---\n${configMap('a2')}`);
    write(
      'apps/shop/sub/c.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'c' },
      }),
    );
    write('apps/shop/.hidden.yaml', configMap('hidden'));
    write('apps/shop/.git/config.yaml', configMap('git'));
    write('apps/shop/kustomization.yaml', 'resources: []\n');
    write('apps/shop/README.md', '# not a manifest\n');

    const result = await renderDirectory('apps/shop', {
      root,
      renderer: 'plain',
    });
    expect(result.renderer).toBe('plain');
    expect(result.objects.map(o => o.metadata.name)).toEqual([
      'a1',
      'a2',
      'b',
      'c',
    ]);
    expect(result.objects.map(o => sourceOf(o))).toEqual([
      { file: 'apps/shop/a.yml', document: 0, line: 1, column: 1 },
      { file: 'apps/shop/a.yml', document: 1, line: 6, column: 1 },
      { file: 'apps/shop/b.yaml', document: 0, line: 1, column: 1 },
      { file: 'apps/shop/sub/c.json', document: 0, line: 1, column: 1 },
    ]);
  });

  it('follows a symlink that stays inside the root', async () => {
    write('shared/cm.yaml', configMap('shared'));
    mkdirSync(path.join(root, 'app'));
    symlinkSync(
      path.join(root, 'shared', 'cm.yaml'),
      path.join(root, 'app', 'cm.yaml'),
    );
    const result = await renderDirectory('app', { root, renderer: 'plain' });
    expect(result.objects.map(o => o.metadata.name)).toEqual(['shared']);
  });

  it('names the file of a bad manifest', async () => {
    write('app/ok.yaml', configMap('ok'));
    write(
      'app/broken.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n',
    );
    const error = await rejection(renderDirectory('app', { root }));
    expect(error).toMatchObject({
      code: 'YAML_SYNTAX',
      location: { file: 'app/broken.yaml', document: 0 },
    });
  });

  describe('refuses paths that leave the root', () => {
    it.each([
      ['parent traversal', '../etc', /leaves the repository root/],
      [
        'traversal in the middle',
        'apps/../../etc',
        /leaves the repository root/,
      ],
      ['an absolute path', '/etc', /is absolute/],
      ['a NUL byte', 'apps\0', /NUL byte/],
      ['a missing directory', 'nope', /does not exist/],
    ])('%s', async (_name, dir, message) => {
      const error = await rejection(renderDirectory(dir, { root }));
      expect(error.code).toBe('RENDER_PATH_INVALID');
      expect(error.message).toMatch(message);
    });

    it('a directory symlink that points outside', async () => {
      writeFileSync(path.join(outside, 'secret.yaml'), configMap('secret'));
      symlinkSync(outside, path.join(root, 'escape'));
      const error = await rejection(renderDirectory('escape', { root }));
      expect(error).toMatchObject({
        code: 'RENDER_PATH_INVALID',
        message: expect.stringContaining('symlink that leads outside'),
      });
    });

    it('a file symlink inside the directory that points outside', async () => {
      writeFileSync(path.join(outside, 'secret.yaml'), configMap('secret'));
      write('app/ok.yaml', configMap('ok'));
      symlinkSync(
        path.join(outside, 'secret.yaml'),
        path.join(root, 'app', 'zz.yaml'),
      );
      const error = await rejection(renderDirectory('app', { root }));
      expect(error).toMatchObject({
        code: 'RENDER_PATH_INVALID',
        location: { file: 'app/zz.yaml' },
      });
    });

    it('a Helm values file outside the root', async () => {
      write(
        'chart/Chart.yaml',
        'apiVersion: v2\nname: chart\nversion: 0.1.0\n',
      );
      const error = await rejection(
        renderDirectory('chart', {
          root,
          helm: { valuesFiles: ['../values.yaml'] },
        }),
      );
      expect(error.code).toBe('RENDER_PATH_INVALID');
    });
  });

  it('caps the number of files and bytes', async () => {
    for (let i = 0; i < 5; i++) {
      write(`many/cm${i}.yaml`, configMap(`cm${i}`));
    }
    expect(
      await rejection(
        renderDirectory('many', { root, limits: { maxFiles: 3 } }),
      ),
    ).toMatchObject({
      code: 'RENDER_FAILED',
      message: expect.stringContaining('more than 3 manifest files'),
    });
    expect(
      await rejection(
        renderDirectory('many', { root, limits: { maxBytes: 100 } }),
      ),
    ).toMatchObject({
      code: 'RENDER_FAILED',
      message: expect.stringContaining('exceed 100 bytes'),
    });
  });

  it('treats the directory as its own root when no root is given', async () => {
    write('cm.yaml', configMap('here'));
    expect(
      (await renderDirectory(root)).objects.map(o => sourceOf(o)?.file),
    ).toEqual(['cm.yaml']);
  });
});

describe('renderDirectory (kustomize)', () => {
  const emptyPath = { PATH: '/nonexistent-gitops-test-path' };

  it('picks kustomize when a kustomization exists, and says when it is not installed', async () => {
    write('overlay/kustomization.yaml', 'resources:\n- cm.yaml\n');
    write('overlay/cm.yaml', configMap('a'));
    const error = await rejection(
      renderDirectory('overlay', { root, env: emptyPath }),
    );
    expect(error.code).toBe('RENDER_TOOL_MISSING');
    expect(error.message).toMatch(/^kustomize is not installed: /);
    expect(error.message).toContain('KUSTOMIZE_BIN');
  });

  it('names a KUSTOMIZE_BIN that does not exist', async () => {
    write('overlay/kustomization.yaml', 'resources: []\n');
    const error = await rejection(
      renderDirectory('overlay', {
        root,
        env: { ...emptyPath, KUSTOMIZE_BIN: '/opt/none/kustomize' },
      }),
    );
    expect(error).toMatchObject({
      code: 'RENDER_TOOL_MISSING',
      message: expect.stringContaining('/opt/none/kustomize'),
    });
  });

  const kustomize =
    available('kustomize', ['version']) ||
    available('kubectl', ['kustomize', '--help']);
  if (!kustomize) {
    // eslint-disable-next-line no-console
    console.info(
      'skipping the real kustomize test: neither kustomize nor kubectl is on PATH',
    );
  }
  (kustomize ? describe : describe.skip)(
    'with the real kustomize (skipped when neither kustomize nor kubectl is installed)',
    () => {
      it('renders an overlay', async () => {
        write(
          'overlay/kustomization.yaml',
          'namePrefix: prod-\nresources:\n- cm.yaml\n',
        );
        write('overlay/cm.yaml', configMap('settings'));
        const result = await renderDirectory('overlay', { root });
        expect(result.renderer).toBe('kustomize');
        expect(result.objects.map(o => o.metadata.name)).toEqual([
          'prod-settings',
        ]);
        expect(sourceOf(result.objects[0])).toMatchObject({
          file: 'overlay (kustomize build)',
          document: 0,
        });
      }, 30_000);

      it('reports a kustomize failure with its message', async () => {
        write('overlay/kustomization.yaml', 'resources:\n- missing.yaml\n');
        const error = await rejection(renderDirectory('overlay', { root }));
        expect(error.code).toBe('RENDER_FAILED');
        expect(error.message).toContain('missing.yaml');
      }, 30_000);
    },
  );
});

describe('renderDirectory (helm)', () => {
  beforeEach(() => {
    write('chart/Chart.yaml', 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
    write('chart/values.yaml', 'replicas: 1\n');
    write(
      'chart/templates/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  replicas: "{{ .Values.replicas }}"\n',
    );
    write('env/prod.yaml', 'replicas: 3\n');
  });

  it('picks helm when Chart.yaml exists, and says when it is not installed', async () => {
    const error = await rejection(
      renderDirectory('chart', {
        root,
        env: { PATH: '/nonexistent-gitops-test-path' },
      }),
    );
    expect(error.code).toBe('RENDER_TOOL_MISSING');
    expect(error.message).toMatch(/^helm is not installed: /);
  });

  it.each([
    [
      'release name',
      { releaseName: 'Shop_Prod' },
      /release name "Shop_Prod" is not valid/,
    ],
    [
      'namespace',
      { namespace: '--kube-context=evil' },
      /namespace "--kube-context=evil" is not a valid DNS label/,
    ],
  ])(
    'refuses an invalid %s before running anything',
    async (_name, helm, message) => {
      const error = await rejection(renderDirectory('chart', { root, helm }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toMatch(message);
    },
  );

  const helm = available('helm', ['version']);
  if (!helm) {
    // eslint-disable-next-line no-console
    console.info('skipping the real helm test: helm is not on PATH');
  }
  (helm ? describe : describe.skip)(
    'with the real helm (skipped when helm is not installed)',
    () => {
      it('renders a chart with a values file', async () => {
        const result = await renderDirectory('chart', {
          root,
          helm: {
            releaseName: 'web',
            namespace: 'shop',
            valuesFiles: ['env/prod.yaml'],
          },
        });
        expect(result.renderer).toBe('helm');
        expect(result.objects).toEqual([
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'web-settings' },
            data: { replicas: '3' },
          },
        ]);
        expect(sourceOf(result.objects[0])).toEqual({
          file: 'shop/templates/cm.yaml (helm template)',
          document: 0,
        });
      }, 30_000);
    },
  );
});
