import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader, type Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ScmIntegrations,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import type { Revision } from '@backstage-gitops/plugin-gitops-common';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { GitCommandError } from './GitCommandError';
import { GitCredentials } from './GitCredentials';
import { normalizeRepoPath } from './normalizeRepoPath';
import { parseRemoteUrl, type RemoteUrl } from './parseRemoteUrl';
import { RepoUnreachableError } from './RepoUnreachableError';
import { runGit, type RunGitOptions } from './runGit';
import { validateBranchName } from './validateBranchName';

export interface ConfigRepositoryOptions {
  /** Unique id, used in application specs and as a directory name. */
  id: string;
  /** https, ssh, file:// or a local path. */
  url: string;
  /** Default `main`. */
  branch?: string;
  /** Subdirectory holding `applications/` and `apps/`; every path this class takes or returns is relative to it. */
  path?: string;
  /** The backend's working directory; repos go to `repos/<id>`, checked-out trees to `trees/<id>/<sha>`. */
  workDir: string;
  /** Credentials for https remotes and forge links; default: none. */
  integrations?: ScmIntegrationRegistry;
  logger?: LoggerService;
  /** Checked-out trees kept on disk besides the one just returned. Default 4. */
  keepTrees?: number;
  /** Limit for each network operation (ls-remote, fetch). Default 120 s. */
  networkTimeoutMs?: number;
  /**
   * Which remotes are accepted: `any` (default) takes every https, ssh and file remote; `integrations` only
   * https and ssh remotes on a host configured under `integrations`, so Git is read nowhere else.
   */
  allowedRemotes?: 'any' | 'integrations';
}

/** The branch head of a config repo after a fetch. */
export interface RepoHead {
  sha: string;
  revision: Revision;
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const TREE_INDEXES_KEPT = 4;
// Abandoned half-written trees older than this are from a crashed run, not a concurrent one.
const STALE_TEMP_MS = 10 * 60 * 1000;
const LOCAL_TIMEOUT_MS = 60_000;
// Above this many changed files a fresh checkout is as cheap as patching a copy of the previous tree.
const MAX_INCREMENTAL_PATHS = 2_000;

/**
 * One config repo read through the git binary: a cheap `ls-remote` probe, fetches into a bare
 * repository under the working directory, and read-only checked-out trees per commit.
 */
export class ConfigRepository {
  readonly id: string;
  readonly branch: string;
  /** Subdirectory of the repo that is the config root (`.` for the repository root). */
  readonly path: string;
  private readonly remote: RemoteUrl;
  private readonly credentials: GitCredentials;
  private readonly gitDir: string;
  private readonly treesDir: string;
  private readonly keepTrees: number;
  private readonly networkTimeoutMs: number;
  private ready: Promise<void> | undefined;
  private fetchChain: Promise<unknown> = Promise.resolve();
  private readonly checkouts = new Map<string, Promise<string>>();
  /** The tree last returned by `checkout`: the next commit's tree is built from it when few files differ. */
  private latestTree: { sha: string; dir: string } | undefined;
  /** Trees another tree is being built from at this moment: never collected meanwhile. */
  private readonly pinnedTrees = new Set<string>();
  /** Old trees are deleted one after another, off the checkout's path. */
  private trashEmptied: Promise<void> = Promise.resolve();
  private trashSwept = false;
  private readonly treeIndexes = new Map<
    string,
    Promise<Map<string, string>>
  >();

  /** One repository per entry of `gitops.configRepos`; credentials from the `integrations` config. */
  static fromConfig(
    config: Config,
    options: { workDir: string; logger?: LoggerService },
  ): ConfigRepository[] {
    const integrations = ScmIntegrations.fromConfig(config);
    const allowedRemotes =
      config.getOptionalString('gitops.configRepoRemotes') ?? 'any';
    if (allowedRemotes !== 'any' && allowedRemotes !== 'integrations') {
      throw new InputError(
        `gitops.configRepoRemotes must be "any" or "integrations", not "${allowedRemotes}"`,
      );
    }
    const seen = new Set<string>();
    return (config.getOptionalConfigArray('gitops.configRepos') ?? []).map(
      entry => {
        const id = entry.getString('id');
        if (seen.has(id)) {
          throw new InputError(
            `gitops.configRepos has two repos with id "${id}"`,
          );
        }
        seen.add(id);
        return new ConfigRepository({
          id,
          url: entry.getString('url'),
          branch: entry.getOptionalString('branch'),
          path: entry.getOptionalString('path'),
          workDir: options.workDir,
          integrations,
          logger: options.logger,
          allowedRemotes,
        });
      },
    );
  }

  constructor(private readonly options: ConfigRepositoryOptions) {
    if (!REPO_ID.test(options.id) || options.id.includes('..')) {
      throw new InputError(
        `config repo id "${options.id}" must be letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    this.id = options.id;
    this.branch = options.branch ?? 'main';
    const branchProblem = validateBranchName(this.branch);
    if (branchProblem) {
      throw new InputError(
        `config repo "${this.id}" branch "${this.branch}": ${branchProblem}`,
      );
    }
    this.path = normalizeRepoPath(
      options.path ?? '.',
      `config repo "${this.id}" path`,
    );
    this.remote = parseRemoteUrl(options.url);
    const integrations =
      options.integrations ?? ScmIntegrations.fromConfig(new ConfigReader({}));
    if (options.allowedRemotes === 'integrations') {
      assertIntegrationHost(this.id, this.remote, integrations);
    }
    this.credentials = new GitCredentials(integrations);
    this.gitDir = join(options.workDir, 'repos', this.id);
    this.treesDir = join(options.workDir, 'trees', this.id);
    this.keepTrees = options.keepTrees ?? 4;
    this.networkTimeoutMs = options.networkTimeoutMs ?? 120_000;
  }

  /** Whether a webhook's repository (any of its clone URLs) and pushed ref are this config repo's branch. */
  isPushTo(ref: string, remoteUrls: string[]): boolean {
    if (ref !== `refs/heads/${this.branch}` || !this.remote.host) return false;
    const host = this.remote.host.toLowerCase();
    const repoPath = this.remote.repoPath?.toLowerCase();
    return remoteUrls.some(url => {
      try {
        const other = parseRemoteUrl(url);
        return (
          other.host?.toLowerCase() === host &&
          other.repoPath?.toLowerCase() === repoPath
        );
      } catch {
        return false;
      }
    });
  }

  /** The branch head's sha on the remote, without fetching: the cheapest way to notice a new commit. */
  async probe(): Promise<string> {
    await this.ensureRepository();
    const { stdout } = await this.network([
      'ls-remote',
      this.remote.url,
      `refs/heads/${this.branch}`,
    ]);
    const sha = stdout
      .split('\n')
      .map(line => line.split('\t'))
      .find(([, ref]) => ref === `refs/heads/${this.branch}`)?.[0];
    if (!sha) {
      throw this.unreachable(
        `branch "${this.branch}" does not exist on the remote`,
      );
    }
    return sha;
  }

  /** Fetches the branch (cloning on first use) and returns its head. Concurrent calls run one after another. */
  fetch(): Promise<RepoHead> {
    const run = this.fetchChain.then(
      () => this.fetchNow(),
      () => this.fetchNow(),
    );
    this.fetchChain = run.catch(() => undefined);
    return run;
  }

  /** Message subject, author, commit time and forge link of a fetched commit. */
  async revision(sha: string): Promise<Revision> {
    this.assertSha(sha);
    const { stdout } = await this.local([
      'show',
      '-s',
      '--no-show-signature',
      '--format=%H%x00%s%x00%an%x00%cI',
      `${sha}^{commit}`,
    ]);
    const [full, message, author, committedAt] = stdout.trimEnd().split('\0');
    const url = this.credentials.commitUrl(this.remote, full);
    return {
      sha: full,
      message,
      author,
      committedAt: new Date(committedAt).toISOString(),
      ...(url ? { url } : {}),
    };
  }

  /**
   * A read-only directory holding the config root at commit `sha`, created on first use and reused
   * after. Older trees beyond `keepTrees` are removed. Symlinks come out as plain files, so a
   * renderer never follows one out of the tree.
   */
  async checkout(sha: string): Promise<string> {
    this.assertSha(sha);
    let pending = this.checkouts.get(sha);
    if (!pending) {
      pending = this.checkoutNow(sha).finally(() => this.checkouts.delete(sha));
      this.checkouts.set(sha, pending);
    }
    return pending;
  }

  /** The git object id of a directory or file at `sha`, `undefined` when absent; equal ids mean equal content. */
  async treeHash(sha: string, path: string): Promise<string | undefined> {
    this.assertSha(sha);
    const normalized = normalizeRepoPath(path);
    return (await this.treeIndex(sha)).get(normalized);
  }

  /** Files that differ between two commits, relative to the config root, including deleted ones. */
  async changedPaths(from: string, to: string): Promise<string[]> {
    this.assertSha(from);
    this.assertSha(to);
    const relative = this.path === '.' ? [] : [`--relative=${this.path}/`];
    const { stdout } = await this.local(
      [
        'diff-tree',
        '-r',
        '--name-only',
        '--no-renames',
        '--no-commit-id',
        '-z',
        ...relative,
        from,
        to,
      ],
      { maxOutputBytes: 256 * 1024 * 1024 },
    );
    return stdout.split('\0').filter(Boolean);
  }

  /** The remote as configured, for SCM providers. */
  get url(): string {
    return this.remote.url;
  }

  /** Whether commit `ancestor` is `descendant` or one of its ancestors (both fetched). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    this.assertSha(ancestor);
    this.assertSha(descendant);
    const { exitCode } = await this.local(
      ['merge-base', '--is-ancestor', ancestor, descendant],
      { okExitCodes: [1, 128] },
    );
    return exitCode === 0;
  }

  /** The first parent of a fetched commit, `undefined` for a root commit or one that is not here. */
  async parentOf(sha: string): Promise<string | undefined> {
    this.assertSha(sha);
    const { stdout, exitCode } = await this.local(
      ['rev-parse', '--verify', '--quiet', `${sha}^1^{commit}`],
      {
        okExitCodes: [1, 128],
      },
    );
    return exitCode === 0 ? stdout.trim() : undefined;
  }

  /** A file's content at `sha`, relative to the config root; `undefined` when it does not exist there. */
  async readFile(sha: string, path: string): Promise<string | undefined> {
    this.assertSha(sha);
    const normalized = normalizeRepoPath(path);
    const full = this.path === '.' ? normalized : `${this.path}/${normalized}`;
    const { stdout, exitCode } = await this.local(
      ['cat-file', '-p', `${sha}:${full}`],
      { okExitCodes: [128], maxOutputBytes: 8 * 1024 * 1024 },
    );
    return exitCode === 0 ? stdout : undefined;
  }

  /** The repository-root path of a path relative to the config root (what a commit or forge sees). */
  repoPathOf(path: string): string {
    const normalized = normalizeRepoPath(path);
    return this.path === '.' ? normalized : `${this.path}/${normalized}`;
  }

  /**
   * A private, writable copy of the config root at `sha` in a new directory under `parent`, for
   * computing a change. The caller removes it.
   */
  async checkoutWritable(sha: string, parent: string): Promise<string> {
    this.assertSha(sha);
    await this.ensureRepository();
    const scratch = await fs.mkdtemp(join(parent, 'change-'));
    const tree = join(scratch, 'tree');
    try {
      await fs.mkdir(tree);
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await this.local(['read-tree', this.rootTreeish(sha)], { env });
      await this.local(
        [
          '--work-tree',
          tree,
          '-c',
          'core.symlinks=false',
          'checkout-index',
          '--all',
          '--force',
        ],
        { env, timeoutMs: 10 * LOCAL_TIMEOUT_MS },
      );
      await fs.rm(join(scratch, 'index'), { force: true });
      return tree;
    } catch (error) {
      await fs.rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  private async fetchNow(): Promise<RepoHead> {
    await this.ensureRepository();
    const tracking = `refs/remotes/origin/${this.branch}`;
    await this.network([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--no-recurse-submodules',
      this.remote.url,
      `+refs/heads/${this.branch}:${tracking}`,
    ]);
    const { stdout } = await this.local([
      'rev-parse',
      '--verify',
      `${tracking}^{commit}`,
    ]);
    const sha = stdout.trim();
    this.options.logger?.debug(
      `gitops: fetched config repo ${this.id} at ${sha}`,
    );
    return { sha, revision: await this.revision(sha) };
  }

  private async checkoutNow(sha: string): Promise<string> {
    const target = join(this.treesDir, sha);
    if (await exists(target)) {
      const now = new Date();
      await fs.utimes(target, now, now);
      this.latestTree = { sha, dir: target };
      return target;
    }
    await this.ensureRepository();
    const root = this.rootTreeish(sha);
    const found = await this.local(['cat-file', '-e', `${sha}^{commit}`], {
      okExitCodes: [1, 128],
    });
    if (found.exitCode !== 0) {
      throw new NotFoundError(
        `commit ${sha} has not been fetched from config repo "${this.id}"`,
      );
    }
    if (!(await this.isTree(root))) {
      throw new NotFoundError(
        `config repo "${this.id}" has no directory "${this.path}" at commit ${sha}`,
      );
    }

    await fs.mkdir(this.treesDir, { recursive: true });
    const scratch = await fs.mkdtemp(
      join(this.treesDir, `.tmp-${sha.slice(0, 12)}-`),
    );
    try {
      // A private index, so concurrent checkouts never contend for the repository's one.
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await this.local(['read-tree', root], { env });
      // A failed patch attempt leaves its directory to the cleanup below: the full checkout starts afresh.
      let tree = join(scratch, 'patched');
      const patched = await this.patchLatestTree(sha, tree, env);
      if (!patched) {
        tree = join(scratch, 'full');
        await fs.mkdir(tree);
        await this.local(
          [
            '--work-tree',
            tree,
            '-c',
            'core.symlinks=false',
            'checkout-index',
            '--all',
            '--force',
          ],
          { env, timeoutMs: 10 * LOCAL_TIMEOUT_MS },
        );
        await setReadOnly(tree, true);
      }
      // Moving a directory to another parent needs write permission on it; it is locked again below.
      await fs.chmod(tree, 0o755);
      try {
        await fs.rename(tree, target);
      } catch (error) {
        // Another process finished the same commit first; its tree is as good as ours.
        if (!(await exists(target))) {
          throw error;
        }
      }
      await fs.chmod(target, 0o555);
    } finally {
      await removeTree(scratch);
    }
    this.latestTree = { sha, dir: target };
    await this.collectOldTrees(target);
    return target;
  }

  /**
   * Builds `tree` for `sha` from the previous commit's tree when few files differ: every file is
   * hard-linked (trees are read-only, so they can share files), then the changed ones are removed and
   * checked out again. A checkout of one changed file in a tree of 20,000 costs the links, not 20,000
   * writes. Returns false, having written nothing, when there is no usable previous tree.
   */
  private async patchLatestTree(
    sha: string,
    tree: string,
    env: Record<string, string>,
  ): Promise<boolean> {
    const base = this.latestTree;
    if (!base || base.sha === sha || !(await exists(base.dir))) return false;
    let changes: Array<{ path: string; deleted: boolean }>;
    try {
      changes = await this.changedEntries(base.sha, sha);
    } catch {
      return false;
    }
    if (changes.length > MAX_INCREMENTAL_PATHS) return false;
    // Attributes (eol, encoding, ident) change how unchanged files are written out: only a full checkout applies them.
    if (
      changes.some(change => posix.basename(change.path) === '.gitattributes')
    )
      return false;
    // Pinned, so that collecting old trees meanwhile never removes the tree being linked from.
    this.pinnedTrees.add(base.dir);
    try {
      const dirs: string[] = [];
      await linkTree(base.dir, tree, dirs);
      // Removals first: a path that turns from a file into a directory (or back) is free before it is written.
      // A directory that became a file goes with everything in it: the diff lists its files as deleted too.
      const touchedDirs = new Set<string>();
      for (const { path } of changes) {
        await fs.rm(join(tree, path), { force: true, recursive: true });
        for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
          touchedDirs.add(dir);
        }
      }
      for (const dir of [...touchedDirs].sort((a, b) => b.length - a.length)) {
        // Directories git no longer has (every file in them deleted) go too.
        await fs.rmdir(join(tree, dir)).catch(() => undefined);
      }
      const written = changes
        .filter(change => !change.deleted)
        .map(change => change.path);
      if (written.length > 0) {
        await this.local(
          [
            '--work-tree',
            tree,
            '-c',
            'core.symlinks=false',
            'checkout-index',
            '--force',
            '-z',
            '--stdin',
          ],
          {
            env,
            input: `${written.join('\0')}\0`,
            timeoutMs: 10 * LOCAL_TIMEOUT_MS,
          },
        );
      }
      for (const path of written) {
        await fs.chmod(join(tree, path), 0o444);
      }
      const newDirs = new Set<string>();
      for (const path of written) {
        for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
          newDirs.add(join(tree, dir));
        }
      }
      for (const dir of new Set([...dirs, ...newDirs])) {
        await fs.chmod(dir, 0o555).catch(error => {
          // A linked directory whose files were all deleted was removed above.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        });
      }
      return true;
    } catch (error) {
      this.options.logger?.debug(
        `gitops: config repo ${this.id}: building ${sha} from ${base.sha} failed, checking it out in full: ${error}`,
      );
      return false;
    } finally {
      this.pinnedTrees.delete(base.dir);
    }
  }

  /** Files that differ between two commits, relative to the config root, and whether each was deleted. */
  private async changedEntries(
    from: string,
    to: string,
  ): Promise<Array<{ path: string; deleted: boolean }>> {
    const relative = this.path === '.' ? [] : [`--relative=${this.path}/`];
    const { stdout } = await this.local(
      [
        'diff-tree',
        '-r',
        '--no-renames',
        '--no-commit-id',
        '-z',
        ...relative,
        from,
        to,
      ],
      { maxOutputBytes: 256 * 1024 * 1024 },
    );
    // Records are ":<modes> <ids> <status>\0<path>\0".
    const fields = stdout.split('\0');
    const changes: Array<{ path: string; deleted: boolean }> = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const status = fields[i].slice(fields[i].lastIndexOf(' ') + 1);
      changes.push({ path: fields[i + 1], deleted: status === 'D' });
    }
    return changes;
  }

  private async collectOldTrees(keep: string): Promise<void> {
    const entries = await fs.readdir(this.treesDir, { withFileTypes: true });
    const trees: Array<{ path: string; mtime: number }> = [];
    for (const entry of entries) {
      const path = join(this.treesDir, entry.name);
      const stat = await fs.stat(path).catch(() => undefined);
      if (!stat) continue;
      if (entry.name.startsWith('.tmp-')) {
        if (Date.now() - stat.mtimeMs > STALE_TEMP_MS) {
          await removeTree(path);
        }
      } else if (path !== keep && !this.pinnedTrees.has(path)) {
        trees.push({ path, mtime: stat.mtimeMs });
      }
    }
    trees.sort((a, b) => b.mtime - a.mtime);
    for (const old of trees.slice(this.keepTrees)) {
      await this.discardTree(old.path);
    }
  }

  /**
   * Moves a tree out of the way at once and deletes it in the background: deleting 20,000 files costs as much as
   * writing them, and the commit that made the tree old should not wait for it. Trees a crash left in the
   * trash are deleted the first time.
   */
  private async discardTree(path: string): Promise<void> {
    const trash = join(this.options.workDir, 'trash');
    if (!this.trashSwept) {
      this.trashSwept = true;
      const left = await fs.readdir(trash).catch(() => [] as string[]);
      for (const name of left.filter(entry =>
        entry.startsWith(`${this.id}-`),
      )) {
        this.emptyTrash(join(trash, name));
      }
    }
    try {
      await fs.mkdir(trash, { recursive: true });
      const moved = join(
        trash,
        `${this.id}-${basename(path)}-${randomBytes(4).toString('hex')}`,
      );
      // Moving a directory to another parent needs write permission on it.
      await fs.chmod(path, 0o755);
      await fs.rename(path, moved);
      this.emptyTrash(moved);
    } catch {
      await removeTree(path);
    }
  }

  private emptyTrash(path: string): void {
    this.trashEmptied = this.trashEmptied
      .then(() => removeTree(path))
      .catch(error =>
        this.options.logger?.warn(
          `gitops: could not delete the old checkout ${path}: ${error}`,
        ),
      );
  }

  private treeIndex(sha: string): Promise<Map<string, string>> {
    let index = this.treeIndexes.get(sha);
    if (index) {
      // Re-inserted so the map iterates least recently used first.
      this.treeIndexes.delete(sha);
    } else {
      index = this.buildTreeIndex(sha);
      index.catch(() => this.treeIndexes.delete(sha));
    }
    this.treeIndexes.set(sha, index);
    while (this.treeIndexes.size > TREE_INDEXES_KEPT) {
      this.treeIndexes.delete(this.treeIndexes.keys().next().value!);
    }
    return index;
  }

  /** Every directory and file id under the config root at `sha`, from one `ls-tree`, so lookups spawn nothing. */
  private async buildTreeIndex(sha: string): Promise<Map<string, string>> {
    const index = new Map<string, string>();
    const root = this.rootTreeish(sha);
    if (!(await this.isTree(root))) {
      return index;
    }
    const { stdout: rootId } = await this.local([
      'rev-parse',
      '--verify',
      root,
    ]);
    index.set('.', rootId.trim());
    const { stdout } = await this.local(
      ['ls-tree', '-r', '-t', '-z', '--full-tree', root],
      {
        maxOutputBytes: 512 * 1024 * 1024,
      },
    );
    for (const record of stdout.split('\0')) {
      const tab = record.indexOf('\t');
      if (tab > 0) {
        const [, , id] = record.slice(0, tab).split(' ');
        index.set(record.slice(tab + 1), id);
      }
    }
    return index;
  }

  private async isTree(treeish: string): Promise<boolean> {
    const { stdout, exitCode } = await this.local(['cat-file', '-t', treeish], {
      okExitCodes: [128],
    });
    return exitCode === 0 && stdout.trim() === 'tree';
  }

  private rootTreeish(sha: string): string {
    return this.path === '.' ? `${sha}^{tree}` : `${sha}:${this.path}`;
  }

  private ensureRepository(): Promise<void> {
    this.ready ??= this.initRepository().catch(error => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async initRepository(): Promise<void> {
    if (await exists(join(this.gitDir, 'HEAD'))) {
      return;
    }
    const reposDir = join(this.options.workDir, 'repos');
    await fs.mkdir(reposDir, { recursive: true });
    const scratch = await fs.mkdtemp(join(reposDir, `.tmp-${this.id}-`));
    try {
      await runGit(['init', '--quiet', '--bare', scratch], { cwd: reposDir });
      await fs.rename(scratch, this.gitDir);
    } catch (error) {
      await removeTree(scratch);
      if (!(await exists(join(this.gitDir, 'HEAD')))) {
        throw error;
      }
    }
  }

  /** Runs a git command that talks to the remote; any failure means the repo is unreachable. */
  private async network(args: string[]) {
    const auth = await this.credentials.forRemote(this.remote);
    try {
      return await runGit(args, {
        gitDir: this.gitDir,
        config: auth.config,
        secrets: auth.secrets,
        timeoutMs: this.networkTimeoutMs,
      });
    } catch (error) {
      if (error instanceof GitCommandError) {
        throw this.unreachable(error.firstLine);
      }
      throw error;
    }
  }

  private local(args: string[], options: RunGitOptions = {}) {
    return runGit(args, {
      gitDir: this.gitDir,
      timeoutMs: LOCAL_TIMEOUT_MS,
      ...options,
    });
  }

  private unreachable(detail: string): RepoUnreachableError {
    const error = new RepoUnreachableError(this.id, detail);
    this.options.logger?.warn(error.message);
    return error;
  }

  private assertSha(sha: string): void {
    if (!SHA.test(sha)) {
      throw new InputError(`"${sha}" is not a full commit sha`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Files 0444 and directories 0555, or directories back to writable before removal. Files keep their
 * mode then: unlinking needs only the directory, and a file may be shared (hard-linked) with another tree.
 */
async function setReadOnly(dir: string, readOnly: boolean): Promise<void> {
  if (!readOnly) {
    await fs.chmod(dir, 0o755);
  }
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await setReadOnly(path, readOnly);
    } else if (entry.isFile() && readOnly) {
      await fs.chmod(path, 0o444);
    }
  }
  if (readOnly) {
    await fs.chmod(dir, 0o555);
  }
}

// Root may write into read-only directories: its linked directories get their final mode at once, which saves
// a chmod per directory (10,000 in a fleet of 10,000 applications). Others lock them once the tree is patched.
const LINKED_DIRECTORY_MODE = process.getuid?.() === 0 ? 0o555 : 0o755;

/**
 * Recreates `from`'s directories under `to` and hard-links every file. Directories left writable are listed in
 * `dirs`, for the caller to lock.
 */
async function linkTree(
  from: string,
  to: string,
  dirs: string[],
): Promise<void> {
  await fs.mkdir(to, { mode: LINKED_DIRECTORY_MODE });
  if (LINKED_DIRECTORY_MODE !== 0o555) dirs.push(to);
  const entries = await fs.readdir(from, { withFileTypes: true });
  // Every operation settles before a failure is reported, so nothing is still writing when the caller gives up.
  const results = await Promise.allSettled(
    entries.map(entry =>
      entry.isDirectory()
        ? linkTree(join(from, entry.name), join(to, entry.name), dirs)
        : fs.link(join(from, entry.name), join(to, entry.name)),
    ),
  );
  const failed = results.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failed) throw failed.reason;
}

async function removeTree(path: string): Promise<void> {
  if (!(await exists(path))) {
    return;
  }
  await setReadOnly(path, false).catch(() => undefined);
  await fs.rm(path, { recursive: true, force: true });
}

/** Refuses a remote that is local, or on a host no entry under `integrations` names. */
function assertIntegrationHost(
  id: string,
  remote: RemoteUrl,
  integrations: ScmIntegrationRegistry,
): void {
  const rule =
    'gitops.configRepoRemotes is "integrations": only https and ssh remotes on hosts configured under integrations';
  if (remote.protocol === 'file' || !remote.host) {
    throw new InputError(`config repo "${id}" is a local repository; ${rule}`);
  }
  // An ssh port is the git server's; integrations are keyed by the web host.
  const host =
    remote.protocol === 'ssh' ? remote.host.replace(/:\d+$/, '') : remote.host;
  if (!integrations.byHost(host.toLowerCase())) {
    throw new InputError(
      `config repo "${id}" is on ${host}, which has no entry under integrations; ${rule}`,
    );
  }
}
