import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from './main';

const fixtures = path.join(__dirname, '..', '__fixtures__');

const desired = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/shop:1.4.2
`;

let dir: string;

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return name;
}

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: text => {
      stdout += text;
    },
    stderr: text => {
      stderr += text;
    },
    cwd: dir,
    env: { PATH: '/nonexistent-gitops-test-path' },
  });
  const lines = stdout.trim().split('\n');
  return { code, stdout, stderr, lines, last: lines[lines.length - 1] };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gitops diff', () => {
  it('exits 0 and prints modified: false when in sync', async () => {
    const result = await run(
      'diff',
      write('desired.yaml', desired),
      write('live.json', JSON.stringify(parseAllDocuments(desired)[0].toJS())),
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.last)).toEqual({ modified: false, diffs: [] });
  });

  it('exits 1 and lists the drift, with JSON as the last line', async () => {
    const result = await run(
      'diff',
      write('desired.yaml', desired),
      write('live.yaml', desired.replace('replicas: 3', 'replicas: 5')),
    );
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      'apps/Deployment/shop/web spec.replicas: changed 3 -> 5',
      JSON.stringify({
        modified: true,
        diffs: [
          { path: 'spec.replicas', type: 'changed', desired: 3, live: 5 },
        ],
      }),
    ]);
  });

  it('matches objects by key across multi-document files', async () => {
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: shop}\ndata: {key: YQ==}\n';
    const result = await run(
      'diff',
      write('desired.yaml', `${secret}---\n${desired}`),
      write('live.yaml', desired),
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.last)).toEqual({
      modified: true,
      diffs: [
        { resource: '/Secret/shop/token', path: '', type: 'missing-in-live' },
      ],
    });
  });

  it('never prints Secret values', async () => {
    const secret = (value: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: shop}\ndata: {key: ${value}}\n`;
    const result = await run(
      'diff',
      write('desired.yaml', secret('c2VjcmV0MQ==')),
      write('live.yaml', secret('c2VjcmV0Mg==')),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/c2VjcmV0/);
    expect(result.lines[0]).toBe(
      '/Secret/shop/token data.key: changed (values hidden)',
    );
  });

  it.each([
    [
      'a YAML syntax error',
      'apiVersion: v1\nkind: [\n',
      /^gitops diff: YAML_SYNTAX: desired\.yaml, document 0, line 3:1: /,
    ],
    [
      'a manifest without a name',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
      /^gitops diff: MANIFEST_INVALID: desired\.yaml, document 0, line 3:11, metadata: ConfigMap has no metadata.name/,
    ],
    [
      'duplicate keys',
      `${desired}spec: {}\n`,
      /^gitops diff: YAML_DUPLICATE_KEY: desired\.yaml, document 0, line 13:1/,
    ],
  ])(
    'exits 2 on %s, naming file and line on stderr',
    async (_name, text, message) => {
      const result = await run(
        'diff',
        write('desired.yaml', text),
        write('live.yaml', desired),
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    },
  );

  it('exits 2 on a missing file and on a wrong number of arguments', async () => {
    expect(
      await run('diff', write('desired.yaml', desired), 'missing.yaml'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing.yaml: cannot read'),
    });
    expect(await run('diff', 'only-one.yaml')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected 2 arguments, got 1'),
    });
    expect(await run('diff', 'a', 'b', '--frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--frobnicate'"),
    });
  });
});

describe('gitops health', () => {
  it('prints one JSON line per object, null where no rule applies', async () => {
    const deployment = `${desired}status:\n  observedGeneration: 1\n  replicas: 3\n  updatedReplicas: 3\n  availableReplicas: 3\n  readyReplicas: 3\n`;
    const configMap =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n';
    const result = await run(
      'health',
      write('live.yaml', `${deployment}---\n${configMap}`),
    );
    expect(result.code).toBe(0);
    expect(result.lines.map(line => JSON.parse(line))).toEqual([
      {
        file: 'live.yaml',
        kind: 'Deployment',
        name: 'web',
        health: { status: 'Healthy', message: expect.any(String) },
      },
      { file: 'live.yaml', kind: 'ConfigMap', name: 'settings', health: null },
    ]);
  });

  it('exits 2 on an alias bomb', async () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      ...'bcdefgh'
        .split('')
        .map(
          (name, i) =>
            `${name}: &${name} [${Array(9)
              .fill(`*${'abcdefgh'[i]}`)
              .join(',')}]`,
        ),
    ].join('\n');
    const result = await run('health', write('bomb.yaml', bomb));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^gitops health: YAML_ALIAS_LIMIT: bomb\.yaml, document 0/,
    );
  });
});

describe('gitops policy', () => {
  beforeEach(() => {
    cpSync(path.join(fixtures, 'policies'), path.join(dir, 'policies'), {
      recursive: true,
    });
  });

  it('exits 0 when allowed', async () => {
    const result = await run(
      'policy',
      'policies',
      write('app.yaml', desired),
      '--environment',
      'prod',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.last)).toEqual({
      verdict: 'allow',
      checked: 2,
      results: [],
    });
  });

  it('exits 0 with warnings on stderr', async () => {
    const result = await run(
      'policy',
      'policies',
      write('app.yaml', desired.replace('replicas: 3', 'replicas: 1')),
      '--environment',
      'prod',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warn: replica-bounds on apps/Deployment/shop/web: replicas must be between 2 and 20, not 1\n',
    );
    expect(JSON.parse(result.last)).toMatchObject({
      verdict: 'warn',
      results: [{ policy: 'replica-bounds', allowed: false }],
    });
  });

  it('exits 1 when denied', async () => {
    const result = await run(
      'policy',
      'policies',
      write('app.yaml', desired.replace(':1.4.2', ':latest')),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'denied: no-latest-tag on apps/Deployment/shop/web: images must be pinned',
    );
    expect(JSON.parse(result.last)).toMatchObject({
      verdict: 'deny',
      results: [{ policy: 'no-latest-tag', action: 'Deny', allowed: false }],
    });
  });

  it('exits 2 when a policy does not compile, pointing at the expression', async () => {
    write(
      'policies/zz-broken.yaml',
      'apiVersion: gitops.backstage.io/v1alpha1\nkind: Policy\nmetadata: {name: broken}\nspec:\n  validations:\n    - expression: "object.spec.replicas >"\n',
    );
    const result = await run('policy', 'policies', write('app.yaml', desired));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^gitops policy: POLICY_COMPILE: policies\/zz-broken\.yaml, document 0, line 6:41, spec\.validations\[0\]\.expression: policy broken, validations\[0\]: syntax error/,
    );
  });

  it('exits 2 for a missing policy directory', async () => {
    expect(
      await run('policy', 'nope', write('app.yaml', desired)),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('nope is not a directory of policies'),
    });
  });
});

describe('gitops render', () => {
  it('prints the manifests of a plain directory as multi-document YAML', async () => {
    write('apps/shop/deployment.yaml', desired);
    write(
      'apps/shop/config.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {enabled: "yes", mode: "0644"}\n',
    );
    const result = await run('render', 'apps/shop');
    expect(result.code).toBe(0);
    const documents = parseAllDocuments(result.stdout, { version: '1.1' }).map(
      doc => doc.toJS(),
    );
    expect(documents.map(doc => doc.metadata.name)).toEqual([
      'settings',
      'web',
    ]);
    expect(documents[0].data).toEqual({ enabled: 'yes', mode: '0644' });
    expect(result.stdout).toContain(
      '# Source: apps/shop/config.yaml (document 0)',
    );
  });

  it('exits 2 on path traversal and on a missing renderer', async () => {
    expect(await run('render', '../..')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('RENDER_PATH_INVALID'),
    });
    write('overlay/kustomization.yaml', 'resources: []\n');
    expect(await run('render', 'overlay')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /RENDER_TOOL_MISSING: kustomize is not installed/,
      ),
    });
    expect(
      await run('render', 'overlay', '--renderer', 'jsonnet'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--renderer must be one of'),
    });
  });
});

describe('help and usage', () => {
  it.each(['diff', 'health', 'policy', 'render'])(
    '%s --help prints usage and exits 0',
    async command => {
      const result = await run(command, '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: gitops ${command} `));
      expect(result.stdout).toContain('Exit status:');
    },
  );

  it('lists the commands', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'diff     compare desired and live manifests',
    );
  });

  it('exits 2 on an unknown command or none', async () => {
    expect(await run('apply')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "apply"'),
    });
    expect(await run()).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage: gitops <command>'),
    });
  });
});

describe('bin/gitops', () => {
  const bin = path.join(__dirname, '..', '..', 'bin', 'gitops');
  const spawn = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>(
      resolve => {
        execFile(
          process.execPath,
          [bin, ...args],
          { cwd: dir, timeout: 60_000 },
          (error, stdout, stderr) => {
            resolve({
              code: error ? (error.code as number) : 0,
              stdout,
              stderr,
            });
          },
        );
      },
    );

  it('runs the TypeScript sources without a build and exits 1 on drift', async () => {
    write('desired.yaml', desired);
    write(
      'live.yaml',
      desired.replace('ghcr.io/acme/shop:1.4.2', 'ghcr.io/acme/shop:1.5.0'),
    );
    const result = await spawn(['diff', 'desired.yaml', 'live.yaml']);
    expect(result.code).toBe(1);
    const last = result.stdout.trim().split('\n').pop()!;
    expect(JSON.parse(last)).toEqual({
      modified: true,
      diffs: [
        {
          path: 'spec.template.spec.containers[name=web].image',
          type: 'changed',
          desired: 'ghcr.io/acme/shop:1.4.2',
          live: 'ghcr.io/acme/shop:1.5.0',
        },
      ],
    });
  }, 60_000);

  it('exits 2 with the error on stderr', async () => {
    write('bad.yaml', 'a: 1\na: 2\n');
    const result = await spawn(['health', 'bad.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'gitops health: YAML_DUPLICATE_KEY: bad.yaml, document 0, line 2:1: Map keys must be unique\n',
    );
  }, 60_000);
});
