import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A real bare remote on disk with a working clone that commits and pushes to it, for tests.
 * Commits use a fixed author and clock so shas are reproducible.
 */
export class TestGitRemote {
  private commits = 0;

  private constructor(
    /** Temp directory holding everything; also a good `workDir` parent. */
    readonly root: string,
    readonly bareDir: string,
    readonly workTree: string,
  ) {}

  static async create(): Promise<TestGitRemote> {
    const root = await fs.mkdtemp(join(tmpdir(), 'gitops-git-'));
    const remote = new TestGitRemote(
      root,
      join(root, 'remote.git'),
      join(root, 'work'),
    );
    await remote.git(
      root,
      'init',
      '--quiet',
      '--bare',
      '--initial-branch=main',
      remote.bareDir,
    );
    await remote.git(
      root,
      'init',
      '--quiet',
      '--initial-branch=main',
      remote.workTree,
    );
    await remote.git(
      remote.workTree,
      'remote',
      'add',
      'origin',
      remote.bareDir,
    );
    return remote;
  }

  /** The remote as a `file://` URL. */
  get url(): string {
    return `file://${this.bareDir}`;
  }

  /** Writes files (null deletes) in the working clone, commits them and pushes; returns the sha. */
  async commit(
    message: string,
    files: Record<string, string | null>,
    branch = 'main',
  ): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.workTree, path);
      if (content === null) {
        await fs.rm(full, { force: true });
        // Like git, leave no empty directory behind (a file may take its name in the same commit).
        for (
          let dir = dirname(full);
          dir.startsWith(`${this.workTree}/`);
          dir = dirname(dir)
        ) {
          if (
            !(await fs.rmdir(dir).then(
              () => true,
              () => false,
            ))
          )
            break;
        }
      } else {
        await fs.mkdir(dirname(full), { recursive: true });
        await fs.writeFile(full, content);
      }
    }
    await this.git(this.workTree, 'add', '--all');
    this.commits++;
    await this.git(
      this.workTree,
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      message,
    );
    await this.git(
      this.workTree,
      'push',
      '--quiet',
      'origin',
      `HEAD:refs/heads/${branch}`,
    );
    return (await this.git(this.workTree, 'rev-parse', 'HEAD')).trim();
  }

  /** Adds a symlink in the working clone (committed with the next `commit`). */
  async symlink(path: string, target: string): Promise<void> {
    const full = join(this.workTree, path);
    await fs.mkdir(dirname(full), { recursive: true });
    await fs.symlink(target, full);
  }

  async cleanup(): Promise<void> {
    await makeWritable(this.root);
    await fs.rm(this.root, { recursive: true, force: true });
  }

  async git(cwd: string, ...args: string[]): Promise<string> {
    const date = new Date(Date.UTC(2024, 0, 1, 12, this.commits)).toISOString();
    const { stdout } = await execFileAsync('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: this.root,
        LC_ALL: 'C',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Ada Author',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: 'Ci Committer',
        GIT_COMMITTER_EMAIL: 'ci@example.com',
        GIT_COMMITTER_DATE: date,
      },
    });
    return stdout;
  }
}

/** Checked-out trees are read-only; a non-root user could not delete them without this. */
async function makeWritable(dir: string): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir)) {
    await makeWritable(join(dir, entry));
  }
}
