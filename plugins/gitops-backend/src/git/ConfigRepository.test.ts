import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigRepository } from './ConfigRepository';
import { RepoUnreachableError } from './RepoUnreachableError';
import { TestGitRemote } from './__testUtils__/TestGitRemote';

const SHOP_BASE = 'apps/shop/base/deployment.yaml';
const SHOP_DEV = 'apps/shop/overlays/dev/kustomization.yaml';

function capturingLogger() {
  const lines: string[] = [];
  const log = (message: string, meta?: unknown) =>
    lines.push(`${message} ${meta ? JSON.stringify(meta) : ''}`);
  const logger = {
    lines,
    error: log,
    warn: log,
    info: log,
    debug: log,
    child: () => logger,
  };
  return logger;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...(await listFiles(join(dir, entry.name), path)));
    } else {
      files.push(path);
    }
  }
  return files.sort();
}

describe('ConfigRepository', () => {
  let remote: TestGitRemote;
  let workDir: string;

  beforeEach(async () => {
    remote = await TestGitRemote.create();
    workDir = join(remote.root, 'backend');
  });

  afterEach(async () => {
    await remote.cleanup();
  });

  function repository(
    options: Partial<ConstructorParameters<typeof ConfigRepository>[0]> = {},
  ) {
    return new ConfigRepository({
      id: 'config',
      url: remote.url,
      workDir,
      ...options,
    });
  }

  it('probe sees each new commit on the branch without fetching', async () => {
    const first = await remote.commit('first', { 'README.md': 'one' });
    const repo = repository();
    await expect(repo.probe()).resolves.toBe(first);

    const second = await remote.commit('second', { 'README.md': 'two' });
    await expect(repo.probe()).resolves.toBe(second);
  });

  it('fetch clones on first use and returns the new head, message and author after a push', async () => {
    await remote.commit('initial layout', {
      [SHOP_BASE]: 'kind: Deployment\n',
    });
    const repo = repository();
    const first = await repo.fetch();
    expect(first.revision).toEqual({
      sha: first.sha,
      message: 'initial layout',
      author: 'Ada Author',
      committedAt: '2024-01-01T12:01:00.000Z',
    });

    const pushed = await remote.commit(
      'shop: bump image to 1.4.3\n\nbody text',
      {
        [SHOP_BASE]: 'kind: Deployment # 1.4.3\n',
      },
    );
    const second = await repo.fetch();
    expect(second.sha).toBe(pushed);
    expect(second.revision.message).toBe('shop: bump image to 1.4.3');
  });

  it('runs concurrent fetches one after another, each seeing the head', async () => {
    const sha = await remote.commit('c', { 'a.txt': 'a' });
    const repo = repository();
    const heads = await Promise.all([repo.fetch(), repo.fetch(), repo.fetch()]);
    expect(heads.map(head => head.sha)).toEqual([sha, sha, sha]);
  });

  it('checkout materializes exactly the commit tree, read-only, and reuses it', async () => {
    const first = await remote.commit('one', {
      [SHOP_BASE]: 'kind: Deployment\n',
      [SHOP_DEV]: 'resources: [../../base]\n',
      'README.md': 'hello',
    });
    const second = await remote.commit('two', {
      'README.md': null,
      'NEW.md': 'new',
    });
    const repo = repository();
    await repo.fetch();

    const tree = await repo.checkout(first);
    expect(tree).toBe(join(workDir, 'trees', 'config', first));
    expect(await listFiles(tree)).toEqual(
      ['README.md', SHOP_BASE, SHOP_DEV].sort(),
    );
    expect(await fs.readFile(join(tree, SHOP_BASE), 'utf8')).toBe(
      'kind: Deployment\n',
    );
    expect((await fs.stat(join(tree, SHOP_BASE))).mode & 0o222).toBe(0);
    expect((await fs.stat(tree)).mode & 0o222).toBe(0);

    const inode = (await fs.stat(tree)).ino;
    expect(await repo.checkout(first)).toBe(tree);
    expect((await fs.stat(tree)).ino).toBe(inode);

    const next = await repo.checkout(second);
    expect(await listFiles(next)).toEqual(
      ['NEW.md', SHOP_BASE, SHOP_DEV].sort(),
    );
  });

  it("builds the next commit's tree from the previous one, identical to a full checkout, leaving the previous tree as it was", async () => {
    const commits = [
      await remote.commit('one', {
        [SHOP_BASE]: 'kind: Deployment\n',
        [SHOP_DEV]: 'resources: [../../base]\n',
        'apps/old/only.yaml': 'old\n',
        'apps/file-then-dir': 'a file\n',
        'README.md': 'hello',
        'notes.txt': 'line one\nline two\n',
      }),
      // Modified, added in a new directory, a directory emptied, a file that becomes a directory.
      await remote.commit('two', {
        [SHOP_BASE]: 'kind: Deployment # 2\n',
        'apps/new/deep/x.yaml': 'x\n',
        'apps/old/only.yaml': null,
        'apps/file-then-dir': null,
        'apps/file-then-dir/inside.yaml': 'now a directory\n',
      }),
      // And back: the directory becomes a file again.
      await remote.commit('three', {
        'apps/file-then-dir/inside.yaml': null,
        'apps/file-then-dir': 'a file again\n',
        'README.md': 'hello again',
      }),
      // Attributes change how an unchanged file is written out (CRLF here).
      await remote.commit('four', {
        '.gitattributes': '*.txt text eol=crlf\n',
      }),
    ];
    const repo = repository();
    await repo.fetch();
    const reference = repository({ id: 'reference' });
    await reference.fetch();

    const snapshot = async (dir: string) =>
      Promise.all(
        (await listFiles(dir)).map(async file => {
          const stat = await fs.stat(join(dir, file));
          return [
            file,
            await fs.readFile(join(dir, file), 'utf8'),
            stat.mode & 0o777,
          ] as const;
        }),
      );
    const trees: string[] = [];
    for (const sha of commits) {
      const tree = await repo.checkout(sha);
      trees.push(tree);
      // A repository that never checked anything out before writes every file.
      const full = await reference.checkout(sha);
      expect(await snapshot(tree)).toEqual(await snapshot(full));
      expect((await fs.stat(tree)).mode & 0o777).toBe(0o555);
    }
    // Unchanged files are shared with the previous tree; changed ones are new files.
    const [first, second, third, fourth] = trees;
    // Directories are read-only in a patched tree too: linked ones and ones the commit added.
    for (const dir of ['apps', 'apps/shop/overlays/dev', 'apps/new/deep']) {
      expect((await fs.stat(join(second, dir))).mode & 0o777).toBe(0o555);
    }
    expect((await fs.stat(join(third, SHOP_DEV))).ino).toBe(
      (await fs.stat(join(second, SHOP_DEV))).ino,
    );
    expect(await fs.readFile(join(fourth, 'notes.txt'), 'utf8')).toBe(
      'line one\r\nline two\r\n',
    );
    expect((await fs.stat(join(second, SHOP_DEV))).ino).toBe(
      (await fs.stat(join(first, SHOP_DEV))).ino,
    );
    expect((await fs.stat(join(second, SHOP_BASE))).ino).not.toBe(
      (await fs.stat(join(first, SHOP_BASE))).ino,
    );
    await expect(fs.stat(join(second, 'apps/old'))).rejects.toThrow(/ENOENT/);
    // The first tree still holds the first commit, read-only.
    expect(await fs.readFile(join(first, SHOP_BASE), 'utf8')).toBe(
      'kind: Deployment\n',
    );
    expect(await fs.readFile(join(first, 'apps/old/only.yaml'), 'utf8')).toBe(
      'old\n',
    );
    expect((await fs.stat(join(first, SHOP_DEV))).mode & 0o222).toBe(0);
  });

  it('removing an old tree leaves the files it shared with newer trees read-only', async () => {
    const repo = repository({ keepTrees: 1 });
    const shas = [
      await remote.commit('c1', { 'shared.yaml': 'same\n', 'n.txt': '1' }),
      await remote.commit('c2', { 'n.txt': '2' }),
      await remote.commit('c3', { 'n.txt': '3' }),
    ];
    await repo.fetch();
    let tree = '';
    for (const sha of shas) {
      tree = await repo.checkout(sha);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    // The first tree was collected; the file it shared is still read-only in the newest.
    await expect(
      fs.stat(join(workDir, 'trees', 'config', shas[0])),
    ).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(join(tree, 'shared.yaml'))).mode & 0o777).toBe(0o444);
    expect(await fs.readFile(join(tree, 'n.txt'), 'utf8')).toBe('3');
  });

  it('checks out only the configured subdirectory, and relative paths follow it', async () => {
    const sha = await remote.commit('nested', {
      'examples/config-repo/applications/shop.yaml': 'kind: Application\n',
      'examples/config-repo/apps/shop/base/deployment.yaml':
        'kind: Deployment\n',
      'packages/app/index.ts': 'export {};\n',
    });
    const repo = repository({ path: 'examples/config-repo/' });
    await repo.fetch();

    expect(await listFiles(await repo.checkout(sha))).toEqual([
      'applications/shop.yaml',
      'apps/shop/base/deployment.yaml',
    ]);
    await expect(repo.treeHash(sha, 'apps/shop/base')).resolves.toMatch(
      /^[0-9a-f]{40}$/,
    );
    await expect(repo.treeHash(sha, 'packages')).resolves.toBeUndefined();
  });

  it('writes symlinks as plain files so nothing in the tree points outside it', async () => {
    await remote.symlink('apps/leak.yaml', '/etc/passwd');
    const sha = await remote.commit('symlink', { 'apps/ok.yaml': 'a: 1\n' });
    const repo = repository();
    await repo.fetch();
    const leak = join(await repo.checkout(sha), 'apps/leak.yaml');
    expect((await fs.lstat(leak)).isSymbolicLink()).toBe(false);
    expect(await fs.readFile(leak, 'utf8')).toBe('/etc/passwd');
  });

  it('keeps only the newest trees', async () => {
    const repo = repository({ keepTrees: 1 });
    const shas: string[] = [];
    for (const n of [1, 2, 3]) {
      shas.push(await remote.commit(`c${n}`, { 'n.txt': String(n) }));
    }
    await repo.fetch();
    for (const sha of shas) {
      await repo.checkout(sha);
      // Trees are ordered by modification time; keep them apart on coarse clocks.
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect((await fs.readdir(join(workDir, 'trees', 'config'))).sort()).toEqual(
      [shas[1], shas[2]].sort(),
    );
  });

  it("deletes old trees in the background, and what a crash left in the trash, but not other repos' trash", async () => {
    const trash = join(workDir, 'trash');
    await fs.mkdir(join(trash, 'config-leftover/apps'), { recursive: true });
    await fs.writeFile(join(trash, 'config-leftover/apps/a.yaml'), 'a');
    await fs.chmod(join(trash, 'config-leftover/apps'), 0o555);
    await fs.mkdir(join(trash, 'other-repo-leftover'), { recursive: true });
    const repo = repository({ keepTrees: 1 });
    const shas: string[] = [];
    for (const n of [1, 2, 3]) {
      shas.push(await remote.commit(`c${n}`, { 'n.txt': String(n) }));
    }
    await repo.fetch();
    for (const sha of shas) {
      await repo.checkout(sha);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    // Gone from the trees at once; deleted from the trash soon after.
    expect((await fs.readdir(join(workDir, 'trees', 'config'))).sort()).toEqual(
      [shas[1], shas[2]].sort(),
    );
    for (let i = 0; i < 100 && (await fs.readdir(trash)).length > 1; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    expect(await fs.readdir(trash)).toEqual(['other-repo-leftover']);
  });

  it('refuses checkouts of unknown or malformed commits', async () => {
    await remote.commit('c', { 'a.txt': 'a' });
    const repo = repository();
    await repo.fetch();
    await expect(repo.checkout('0'.repeat(40))).rejects.toThrow(NotFoundError);
    await expect(repo.checkout('HEAD')).rejects.toThrow(InputError);
    await expect(repo.checkout('--help')).rejects.toThrow(InputError);
  });

  it('treeHash is stable across unrelated commits and changes with the directory content', async () => {
    const first = await remote.commit('one', {
      [SHOP_BASE]: 'kind: Deployment\n',
      [SHOP_DEV]: 'resources: [../../base]\n',
      'apps/ledger/base/statefulset.yaml': 'kind: StatefulSet\n',
    });
    const unrelated = await remote.commit('ledger only', {
      'apps/ledger/base/statefulset.yaml': 'kind: StatefulSet # v2\n',
    });
    const baseChange = await remote.commit('shop base', {
      [SHOP_BASE]: 'kind: Deployment # v2\n',
    });
    const repo = repository();
    await repo.fetch();

    const hashes = async (sha: string) => ({
      base: await repo.treeHash(sha, 'apps/shop/base'),
      dev: await repo.treeHash(sha, './apps/shop/overlays/dev/'),
      file: await repo.treeHash(sha, SHOP_BASE),
    });
    const [h1, h2, h3] = [
      await hashes(first),
      await hashes(unrelated),
      await hashes(baseChange),
    ];
    expect(h1.base).toMatch(/^[0-9a-f]{40}$/);
    expect(h2).toEqual(h1);
    expect(h3.base).not.toBe(h1.base);
    expect(h3.file).not.toBe(h1.file);
    expect(h3.dev).toBe(h1.dev);
    await expect(repo.treeHash(first, 'apps/missing')).resolves.toBeUndefined();
    await expect(repo.treeHash(first, '../outside')).rejects.toThrow(
      InputError,
    );

    await expect(repo.changedPaths(first, unrelated)).resolves.toEqual([
      'apps/ledger/base/statefulset.yaml',
    ]);
    await expect(repo.changedPaths(unrelated, baseChange)).resolves.toEqual([
      SHOP_BASE,
    ]);
  });

  it('gives RepoUnreachableError, not a crash, when the remote is gone', async () => {
    const sha = await remote.commit('c', { 'a.txt': 'a' });
    const logger = capturingLogger();
    const repo = repository({ logger: logger as any });
    await repo.fetch();
    await fs.rm(remote.bareDir, { recursive: true, force: true });

    const probe = repo.probe();
    await expect(probe).rejects.toThrow(RepoUnreachableError);
    await expect(probe).rejects.toMatchObject({
      code: 'REPO_UNREACHABLE',
      repoId: 'config',
      detail: expect.stringMatching(
        /does not appear to be a git repository|not found|no such/i,
      ),
    });
    const failed = await repo.fetch().catch(error => error);
    expect(failed).toBeInstanceOf(RepoUnreachableError);
    expect(failed.toProblem(new Date('2024-02-01T00:00:00Z'))).toEqual({
      code: 'REPO_UNREACHABLE',
      message: failed.message,
      since: '2024-02-01T00:00:00.000Z',
    });
    expect(logger.lines.some(line => line.includes('unreachable'))).toBe(true);

    // What was fetched before stays readable.
    expect(await listFiles(await repo.checkout(sha))).toEqual(['a.txt']);
  });

  it('reports a missing branch as unreachable', async () => {
    await remote.commit('c', { 'a.txt': 'a' });
    const repo = repository({ branch: 'release' });
    await expect(repo.probe()).rejects.toThrow(
      /branch "release" does not exist/,
    );
    await expect(repo.fetch()).rejects.toThrow(RepoUnreachableError);
  });

  it.each([
    [{ id: '../escape' }, /config repo id/],
    [{ id: 'a/b' }, /config repo id/],
    [{ id: '..' }, /config repo id/],
    [{ branch: 'bad..name' }, /branch "bad\.\.name"/],
    [{ branch: '-x' }, /branch/],
    [{ path: '../outside' }, /must not leave/],
    [{ url: 'http://example.com/repo' }, /only https, ssh and file/],
  ])('refuses %j', (options, reason) => {
    expect(() => repository(options)).toThrow(InputError);
    expect(() => repository(options)).toThrow(reason);
  });

  it('reads every repo from gitops.configRepos and refuses duplicate ids', () => {
    const config = (repos: JsonObject[]) =>
      new ConfigReader({ gitops: { configRepos: repos } });
    const repos = ConfigRepository.fromConfig(
      config([
        {
          id: 'platform',
          url: 'https://github.com/acme/config',
          branch: 'prod',
          path: 'clusters',
        },
        { id: 'local', url: remote.url },
      ]),
      { workDir },
    );
    expect(repos.map(r => [r.id, r.branch, r.path])).toEqual([
      ['platform', 'prod', 'clusters'],
      ['local', 'main', '.'],
    ]);
    expect(() =>
      ConfigRepository.fromConfig(
        config([
          { id: 'x', url: remote.url },
          { id: 'x', url: remote.url },
        ]),
        { workDir },
      ),
    ).toThrow(/two repos with id "x"/);
  });

  it.each([
    // Spaces are not allowed in refs; a shell would read ${IFS} as one.
    ['a command substitution', 'release-$(touch${IFS}pwned)'],
    ['a command separator', 'release;touch${IFS}pwned'],
    ['a pipe and backticks', 'release|`touch${IFS}pwned`'],
  ])(
    'passes a branch with %s to git as one argument, never to a shell',
    async (_, branch) => {
      const sha = await remote.commit(
        'on an odd branch',
        { 'a.txt': 'a' },
        branch,
      );
      const repo = repository({ branch });
      expect(await repo.probe()).toBe(sha);
      expect((await repo.fetch()).sha).toBe(sha);
      await expect(fs.access(join(remote.root, 'pwned'))).rejects.toThrow();
      await expect(fs.access(join(workDir, 'pwned'))).rejects.toThrow();
      await expect(fs.access('pwned')).rejects.toThrow();
    },
  );

  it.each([
    ['a NUL byte', 'main\u0000evil', /control characters/],
    ['a newline', 'main\nevil', /control characters/],
    ['an option', '--upload-pack=touch pwned', /start with "-"/],
    ['a reflog expression', 'main@{1}', /"@\{"/],
    ['a parent path', 'refs/heads/../main', /"\.\."/],
    ['a space', 'main evil', /spaces/],
    ['a name over 255 bytes', 'b'.repeat(256), /longer than 255/],
  ])(
    'refuses a configured branch with %s, naming the repo',
    (_, branch, reason) => {
      const config = new ConfigReader({
        gitops: { configRepos: [{ id: 'platform', url: remote.url, branch }] },
      });
      const read = () => ConfigRepository.fromConfig(config, { workDir });
      expect(read).toThrow(InputError);
      expect(read).toThrow(/config repo "platform" branch/);
      expect(read).toThrow(reason);
    },
  );

  describe('with gitops.configRepoRemotes: integrations', () => {
    const integrations = {
      github: [
        {
          host: 'ghe.example.com',
          apiBaseUrl: 'https://ghe.example.com/api/v3',
        },
      ],
      gitlab: [
        {
          host: 'gitlab.example.com',
          apiBaseUrl: 'https://gitlab.example.com/api/v4',
        },
      ],
    };
    const read = (url: string, configRepoRemotes: string = 'integrations') =>
      ConfigRepository.fromConfig(
        new ConfigReader({
          integrations,
          gitops: { configRepoRemotes, configRepos: [{ id: 'platform', url }] },
        }),
        { workDir },
      );

    it.each([
      'https://github.com/acme/config.git',
      'https://ghe.example.com/acme/config',
      'git@ghe.example.com:acme/config.git',
      'ssh://git@ghe.example.com:2222/acme/config.git',
      'https://gitlab.example.com/acme/platform/config.git',
    ])('accepts %s, on a configured host', url => {
      expect(read(url).map(repo => repo.id)).toEqual(['platform']);
    });

    it.each([
      ['a file URL', () => remote.url, /"platform" is a local repository/],
      [
        'a local path',
        () => remote.bareDir,
        /"platform" is a local repository/,
      ],
      [
        'https on another host',
        () => 'https://git.internal.example/acme/config',
        /on git\.internal\.example, which has no entry under integrations/,
      ],
      [
        'ssh on another host',
        () => 'git@10.0.0.7:acme/config.git',
        /on 10\.0\.0\.7, which has no entry/,
      ],
      [
        'the metadata address',
        () => 'https://169.254.169.254/latest',
        /on 169\.254\.169\.254, which has no entry/,
      ],
    ])('refuses %s before running git', (_, url, reason) => {
      expect(() => read(url())).toThrow(InputError);
      expect(() => read(url())).toThrow(reason);
    });

    it('still takes every remote by default, and refuses an unknown setting', () => {
      expect(read(remote.url, 'any')).toHaveLength(1);
      expect(() => read(remote.url, 'github-only')).toThrow(
        /gitops\.configRepoRemotes must be "any" or "integrations", not "github-only"/,
      );
    });
  });

  describe('over https with integration credentials', () => {
    const TOKEN = 'ghp_FAKEfakeFAKEfake0123456789';
    let server: Server | undefined;
    let seenAuthorization: string[];
    let savedCaInfo: string | undefined;

    beforeEach(async () => {
      seenAuthorization = [];
      const certDir = join(remote.root, 'tls');
      await fs.mkdir(certDir);
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
            '-keyout',
            join(certDir, 'key.pem'),
            '-out',
            join(certDir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
      } catch {
        // eslint-disable-next-line no-console
        console.warn(
          'skipping https credential tests: openssl is not installed',
        );
        return;
      }
      server = createServer(
        {
          key: await fs.readFile(join(certDir, 'key.pem')),
          cert: await fs.readFile(join(certDir, 'cert.pem')),
        },
        (req, res) => {
          const authorization = req.headers.authorization ?? '';
          seenAuthorization.push(authorization);
          if (!authorization) {
            res
              .writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' })
              .end();
            return;
          }
          // A hostile or buggy remote echoing the credentials back in its error.
          const decoded = Buffer.from(
            authorization.replace(/^Basic /, ''),
            'base64',
          ).toString();
          const pkt = (line: string) =>
            `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
          res.writeHead(200, {
            'Content-Type': 'application/x-git-upload-pack-advertisement',
          });
          res.end(
            `${pkt('# service=git-upload-pack\n')}0000${pkt(
              `ERR bad credentials ${decoded} in ${authorization}\n`,
            )}`,
          );
        },
      );
      await new Promise<void>(resolve =>
        server!.listen(0, '127.0.0.1', resolve),
      );
      savedCaInfo = process.env.GIT_SSL_CAINFO;
      process.env.GIT_SSL_CAINFO = join(certDir, 'cert.pem');
    });

    afterEach(async () => {
      if (server) {
        await new Promise(resolve => server!.close(resolve));
        server = undefined;
      }
      if (savedCaInfo === undefined) delete process.env.GIT_SSL_CAINFO;
      else process.env.GIT_SSL_CAINFO = savedCaInfo;
    });

    it('sends the token as a header and never shows it in errors or logs', async () => {
      if (!server) return;
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const integrations = ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              { host, apiBaseUrl: `https://${host}/api/v3`, token: TOKEN },
            ],
          },
        }),
      );
      const logger = capturingLogger();
      const repo = new ConfigRepository({
        id: 'forge',
        url: `https://${host}/acme/config.git`,
        workDir,
        integrations,
        logger: logger as any,
      });

      for (const operation of [() => repo.probe(), () => repo.fetch()]) {
        const error = await operation().then(
          () => undefined,
          e => e,
        );
        expect(error).toBeInstanceOf(RepoUnreachableError);
        expect(error.message).toMatch(/bad credentials x-access-token:\*\*\*/);
        for (const text of [
          error.message,
          error.stack,
          error.detail,
          ...logger.lines,
        ]) {
          expect(text).not.toContain(TOKEN);
          expect(text).not.toContain(
            Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
          );
        }
      }
      expect(seenAuthorization[0]).toBe(
        `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
      );
    });
  });
});
