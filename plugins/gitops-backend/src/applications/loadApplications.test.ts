import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadApplications } from './loadApplications';

const EXAMPLE_CONFIG_REPO = resolve(
  __dirname,
  '../../../../examples/config-repo',
);

function application(name: string, spec: Record<string, string> = {}): string {
  return [
    'apiVersion: gitops.backstage.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  entityRef: ${spec.entityRef ?? 'component:default/shop-api'}`,
    '  environment: dev',
    '  source:',
    `    path: ${spec.path ?? 'apps/shop-api/overlays/dev'}`,
    '  destination:',
    '    cluster: local',
    '    namespace: shop-dev',
    '',
  ].join('\n');
}

describe('loadApplications', () => {
  let treeDir: string;

  beforeEach(async () => {
    treeDir = await fs.mkdtemp(join(tmpdir(), 'gitops-apps-'));
  });

  afterEach(async () => {
    await fs.rm(treeDir, { recursive: true, force: true });
  });

  async function write(files: Record<string, string>) {
    for (const [path, content] of Object.entries(files)) {
      await fs.mkdir(dirname(join(treeDir, path)), { recursive: true });
      await fs.writeFile(join(treeDir, path), content);
    }
  }

  it('loads all nine applications of the example config repo without errors', async () => {
    const { applications, errors } = await loadApplications(
      EXAMPLE_CONFIG_REPO,
      'demo',
    );
    expect(errors).toEqual([]);
    expect(applications.map(a => a.name)).toEqual([
      'ledger-dev',
      'ledger-staging',
      'ledger-prod',
      'report-worker-dev',
      'report-worker-staging',
      'report-worker-prod',
      'shop-api-dev',
      'shop-api-staging',
      'shop-api-prod',
    ]);
    expect(applications.find(a => a.name === 'shop-api-dev')).toEqual({
      name: 'shop-api-dev',
      entityRef: 'component:default/shop-api',
      environment: 'dev',
      source: {
        repo: 'demo',
        path: 'apps/shop-api/overlays/dev',
        renderer: 'kustomize',
      },
      destination: { cluster: 'local', namespace: 'shop-dev' },
      syncPolicy: { automated: true, prune: true, selfHeal: true },
      declaredIn: 'applications/shop-api.yaml',
    });
  });

  it('applies defaults and normalizes the entity ref and path', async () => {
    await write({
      'applications/nested/minimal.yml': application('minimal', {
        entityRef: 'Component:shop-api',
        path: './apps//shop-api/base/',
      }),
    });
    const { applications, errors } = await loadApplications(treeDir, 'config');
    expect(errors).toEqual([]);
    expect(applications).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/shop-api',
        source: {
          repo: 'config',
          path: 'apps/shop-api/base',
          renderer: 'auto',
        },
        syncPolicy: { automated: false, prune: false, selfHeal: false },
        declaredIn: 'applications/nested/minimal.yml',
      }),
    ]);
  });

  it('returns nothing, and no error, for a repo without applications/', async () => {
    await expect(loadApplications(treeDir, 'config')).resolves.toEqual({
      applications: [],
      errors: [],
      files: new Map(),
    });
  });

  it.each([
    {
      case: 'missing entityRef',
      text: application('bad').replace(/ {2}entityRef: .*\n/, ''),
      line: 5,
      message: /spec\.entityRef is required/,
    },
    {
      case: 'path escaping the repo',
      text: application('bad', { path: '../../etc' }),
      line: 9,
      message: /must not leave the repository/,
    },
    {
      case: 'absolute path',
      text: application('bad', { path: '/etc/passwd' }),
      line: 9,
      message: /must be relative/,
    },
    {
      case: 'wrong kind',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n',
      line: 2,
      message:
        /found kind ConfigMap \(apiVersion v1\); every document under applications\/ must be/,
    },
    {
      case: 'wrong apiVersion',
      text: application('bad').replace(
        'gitops.backstage.io/v1alpha1',
        'argoproj.io/v1alpha1',
      ),
      line: 1,
      message: /apiVersion argoproj\.io\/v1alpha1/,
    },
    {
      case: 'unparsable entityRef',
      text: application('bad', { entityRef: 'shop-api' }),
      line: 6,
      message: /spec\.entityRef: not a catalog entity reference/,
    },
    {
      case: 'name that is not a DNS label',
      text: application('Shop_API'),
      line: 4,
      message: /metadata\.name must be a DNS-1123 label/,
    },
    {
      case: 'unknown renderer',
      text: application('bad').replace(
        '    path:',
        '    renderer: jsonnet\n    path:',
      ),
      line: 9,
      message: /spec\.source\.renderer/,
    },
    {
      case: 'misspelled field',
      text: application('bad').replace(
        '  destination:',
        '  destinaton: {}\n  destination:',
      ),
      line: 10,
      message: /spec has unknown field "destinaton"/,
    },
    {
      case: 'bad YAML syntax',
      text: application('bad').replace(
        '  environment: dev',
        '  environment: [dev',
      ),
      line: 8,
      message: /./,
    },
    {
      case: 'duplicate key',
      text: application('bad').replace(
        '  environment: dev',
        '  environment: dev\n  environment: prod',
      ),
      line: 8,
      message: /[Dd]uplicate|unique/,
    },
    {
      case: 'an alias bomb',
      text: `${application('bad')}  laughs:\n${'abcdefghij'
        .split('')
        .map(
          (name, i) =>
            `    ${name}: &${name} [${
              i === 0
                ? '"lol", "lol", "lol"'
                : Array(10)
                    .fill(`*${'abcdefghij'[i - 1]}`)
                    .join(', ')
            }]`,
        )
        .join('\n')}\n`,
      line: 1,
      message: /aliases expand beyond the limit of 100/,
    },
    {
      case: 'a per-application ref, which only configRepos may set',
      text: application('bad').replace(
        '    path:',
        '    ref: "main; rm -rf /"\n    path:',
      ),
      line: 9,
      message: /spec\.source has unknown field "ref"/,
    },
    {
      case: 'a list instead of a mapping',
      text: '- apiVersion: gitops.backstage.io/v1alpha1\n',
      line: 1,
      message: /must be a mapping, not a list/,
    },
  ])(
    'reports $case with file and line and keeps the good applications',
    async ({ text, line, message }) => {
      await write({
        'applications/a-good.yaml': `${application(
          'good-one',
        )}---\n${application('good-two')}`,
        'applications/b-bad.yaml': text,
        'applications/c-good.yaml': application('good-three'),
      });
      const { applications, errors } = await loadApplications(
        treeDir,
        'config',
      );
      expect(applications.map(a => a.name)).toEqual([
        'good-one',
        'good-two',
        'good-three',
      ]);
      expect(errors).toEqual([
        expect.objectContaining({
          file: 'applications/b-bad.yaml',
          document: 0,
          line,
          message: expect.stringMatching(message),
        }),
      ]);
    },
  );

  it('keeps the good documents of a file when another document in it is broken', async () => {
    await write({
      'applications/mixed.yaml': [
        application('first'),
        '---',
        'apiVersion: gitops.backstage.io/v1alpha1',
        'kind: Application',
        'metadata: {name: broken',
        '---',
        application('third').trimEnd(),
        '---',
        application('fourth', { path: '../../etc' }),
      ].join('\n'),
    });
    const { applications, errors } = await loadApplications(treeDir, 'config');
    expect(applications.map(a => a.name)).toEqual(['first', 'third']);
    expect(errors).toEqual([
      expect.objectContaining({
        file: 'applications/mixed.yaml',
        document: 1,
        line: 17,
      }),
      expect.objectContaining({
        file: 'applications/mixed.yaml',
        document: 3,
        line: 40,
        application: 'fourth',
        message: expect.stringMatching(/must not leave/),
      }),
    ]);
  });

  it('reports a duplicate name on the later declaration', async () => {
    await write({
      'applications/a.yaml': application('shop-api-dev'),
      'applications/b.yaml': `${application('other')}---\n${application(
        'shop-api-dev',
        { path: 'apps/x' },
      )}`,
    });
    const { applications, errors } = await loadApplications(treeDir, 'config');
    expect(applications.map(a => [a.name, a.declaredIn])).toEqual([
      ['shop-api-dev', 'applications/a.yaml'],
      ['other', 'applications/b.yaml'],
    ]);
    expect(errors).toEqual([
      {
        file: 'applications/b.yaml',
        document: 1,
        line: 17,
        column: 3,
        application: 'shop-api-dev',
        message:
          'application "shop-api-dev" is already declared in applications/a.yaml',
      },
    ]);
  });

  it('ignores other files, dotfiles and symlinks, and refuses oversized files', async () => {
    await write({
      'applications/README.md': '# not yaml',
      'applications/.hidden.yaml': 'not: read',
      'applications/ok.yaml': application('ok'),
      'applications/huge.yaml': `# ${'x'.repeat(1024 * 1024)}\n`,
      'outside.yaml': application('outside'),
    });
    await fs.symlink(
      join(treeDir, 'outside.yaml'),
      join(treeDir, 'applications/link.yaml'),
    );
    const { applications, errors } = await loadApplications(treeDir, 'config');
    expect(applications.map(a => a.name)).toEqual(['ok']);
    expect(errors).toEqual([
      {
        file: 'applications/huge.yaml',
        message: expect.stringMatching(/more than the limit/),
      },
    ]);
  });

  it('parses again only the files whose content id changed, with the same result as a load from scratch', async () => {
    await write({
      'applications/a.yaml': application('a'),
      'applications/b.yaml': application('b'),
      'applications/broken.yaml': 'metadata: [unclosed\n',
    });
    const ids: Record<string, string> = {
      'applications/a.yaml': 'a1',
      'applications/b.yaml': 'b1',
      'applications/broken.yaml': 'x1',
    };
    const contentId = async (file: string) => ids[file];
    const first = await loadApplications(treeDir, 'config', { contentId });
    expect(first.applications.map(a => a.name)).toEqual(['a', 'b']);
    expect(first.errors).toHaveLength(1);

    // b changes and now redeclares a; a file appears; a's content id stays, so a is not read again.
    await write({
      'applications/a.yaml': application('not-read'),
      'applications/b.yaml': application('a', { path: 'apps/other' }),
      'applications/c.yaml': application('c'),
    });
    ids['applications/b.yaml'] = 'b2';
    ids['applications/c.yaml'] = 'c1';
    const second = await loadApplications(treeDir, 'config', {
      contentId,
      previous: first.files,
    });
    expect(second.applications.map(a => [a.name, a.declaredIn])).toEqual([
      ['a', 'applications/a.yaml'],
      ['c', 'applications/c.yaml'],
    ]);
    expect(second.applications[0]).toBe(first.applications[0]);
    expect(second.errors).toEqual([
      {
        file: 'applications/b.yaml',
        document: 0,
        line: 4,
        column: 3,
        application: 'a',
        message: 'application "a" is already declared in applications/a.yaml',
      },
      first.errors[0],
    ]);
    expect([...second.files.keys()]).toEqual([
      'applications/a.yaml',
      'applications/b.yaml',
      'applications/broken.yaml',
      'applications/c.yaml',
    ]);

    // With a changed id, a is read again; the result matches a load that reuses nothing.
    ids['applications/a.yaml'] = 'a2';
    const third = await loadApplications(treeDir, 'config', {
      contentId,
      previous: second.files,
    });
    const scratch = await loadApplications(treeDir, 'config');
    expect(third.applications).toEqual(scratch.applications);
    expect(third.errors).toEqual(scratch.errors);
    expect(third.applications.map(a => a.name)).toEqual(['not-read', 'a', 'c']);
  });

  it('reads helm values files relative to the chart, and refuses helm options that cannot apply', async () => {
    const withHelm = (name: string, renderer: string, helm: string) =>
      application(name).replace(
        `    path: apps/shop-api/overlays/dev\n`,
        `    path: apps/payments/chart\n    renderer: ${renderer}\n    helm:\n${helm}`,
      );
    await write({
      'applications/a-ok.yaml': withHelm(
        'ok',
        'helm',
        '      valueFiles: [../values/prod.yaml, values-extra.yaml]\n      releaseName: payments\n',
      ),
      'applications/b-kustomize.yaml': withHelm(
        'kust',
        'kustomize',
        '      valueFiles: [v.yaml]\n',
      ),
      'applications/c-escape.yaml': withHelm(
        'escape',
        'auto',
        '      valueFiles: [../../../../etc/passwd]\n',
      ),
      'applications/d-absolute.yaml': withHelm(
        'absolute',
        'auto',
        '      valueFiles: [/etc/passwd]\n',
      ),
      'applications/e-release.yaml': withHelm(
        'release',
        'helm',
        '      releaseName: Not_Valid\n',
      ),
    });
    const { applications, errors } = await loadApplications(treeDir, 'config');
    expect(applications.map(a => [a.name, a.source])).toEqual([
      [
        'ok',
        {
          repo: 'config',
          path: 'apps/payments/chart',
          renderer: 'helm',
          helm: {
            valueFiles: [
              'apps/payments/values/prod.yaml',
              'apps/payments/chart/values-extra.yaml',
            ],
            releaseName: 'payments',
          },
        },
      ],
    ]);
    expect(errors.map(e => [e.file, e.application, e.message])).toEqual([
      [
        'applications/b-kustomize.yaml',
        'kust',
        expect.stringMatching(
          /helm options apply to helm charts, not to the kustomize renderer/,
        ),
      ],
      [
        'applications/c-escape.yaml',
        'escape',
        expect.stringMatching(
          /values file "..\/..\/..\/..\/etc\/passwd" is outside the config repo/,
        ),
      ],
      [
        'applications/d-absolute.yaml',
        'absolute',
        expect.stringMatching(/relative to the chart directory, not absolute/),
      ],
      [
        'applications/e-release.yaml',
        'release',
        expect.stringMatching(/releaseName must be lower-case letters/),
      ],
    ]);
    // Each error points at the line of the offending field.
    expect(errors.every(e => typeof e.line === 'number' && e.line > 8)).toBe(
      true,
    );
  });
});
