import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  CommitStatus,
  PullRequestHandle,
  PullRequestProposal,
  PullRequestStatus,
  ScmProvider,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  GitCommandError,
  normalizeRepoPath,
  parseRemoteUrl,
  runGit,
} from '../../git';
import { validateBranchName } from '../../git/validateBranchName';

const BRANCH_PREFIX = 'refs/heads/';

function assertBranch(branch: string): void {
  const problem = validateBranchName(branch);
  if (problem)
    throw new InputError(`invalid branch name "${branch}": ${problem}`);
}

/** Plumbing on one local repository. */
class LocalRepo {
  private constructor(
    readonly repository: ScmRepository,
    readonly gitDir: string,
    /** The working tree, for a non-bare repository. */
    readonly workTree: string | undefined,
  ) {}

  static async open(repository: ScmRepository): Promise<LocalRepo> {
    const remote = parseRemoteUrl(repository.url);
    if (remote.protocol !== 'file') {
      throw new InputError(
        `config repo ${repository.id} is not a local repository`,
      );
    }
    assertBranch(repository.branch);
    const path = remote.url.startsWith('file://')
      ? new URL(remote.url).pathname
      : remote.url;
    try {
      const { stdout } = await runGit(
        ['rev-parse', '--absolute-git-dir', '--is-bare-repository'],
        { cwd: path },
      );
      const [gitDir, bare] = stdout.trim().split('\n');
      let workTree: string | undefined;
      if (bare !== 'true') {
        workTree = (
          await runGit(['rev-parse', '--show-toplevel'], { cwd: path })
        ).stdout.trim();
      }
      return new LocalRepo(repository, gitDir, workTree);
    } catch (error) {
      if (error instanceof GitCommandError) {
        throw new NotFoundError(
          `config repo ${repository.id}: ${error.firstLine}`,
        );
      }
      throw error;
    }
  }

  git(
    args: string[],
    options: { env?: Record<string, string>; okExitCodes?: number[] } = {},
  ) {
    return runGit(args, { gitDir: this.gitDir, ...options });
  }

  async resolve(branch: string): Promise<string | undefined> {
    const { stdout, exitCode } = await this.git(
      [
        'rev-parse',
        '--verify',
        '--quiet',
        `${BRANCH_PREFIX}${branch}^{commit}`,
      ],
      { okExitCodes: [1] },
    );
    return exitCode === 0 ? stdout.trim() : undefined;
  }

  async resolveRequired(branch: string): Promise<string> {
    const sha = await this.resolve(branch);
    if (!sha) {
      throw new NotFoundError(
        `config repo ${this.repository.id} has no branch ${branch}`,
      );
    }
    return sha;
  }

  async assertCommit(sha: string): Promise<void> {
    const { exitCode } = await this.git(['cat-file', '-e', `${sha}^{commit}`], {
      okExitCodes: [1, 128],
    });
    if (exitCode !== 0) {
      throw new ConflictError(
        `commit ${sha} is not in config repo ${this.repository.id}`,
      );
    }
  }

  async treeOf(commit: string): Promise<string> {
    return (await this.git(['rev-parse', `${commit}^{tree}`])).stdout.trim();
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { exitCode } = await this.git(
      ['merge-base', '--is-ancestor', ancestor, descendant],
      {
        okExitCodes: [1],
      },
    );
    return exitCode === 0;
  }

  /** The first commit on the base branch's first-parent line that merged `head`. */
  async mergeCommitOf(head: string, base: string): Promise<string | undefined> {
    const { stdout } = await this.git([
      'rev-list',
      '--first-parent',
      '--parents',
      '--reverse',
      `${head}..${base}`,
    ]);
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [commit, ...parents] = line.split(' ');
      if (parents.slice(1).includes(head)) return commit;
    }
    // Fast-forwarded: the head itself is on the base branch.
    return head;
  }

  /** The tree of `base` with the files replaced (or removed, for `content: null`). */
  async treeWith(
    base: string,
    files: ReadonlyArray<{ path: string; content: string | null }>,
  ): Promise<string> {
    const scratch = await fs.mkdtemp(join(os.tmpdir(), 'gitops-local-pr-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await this.git(['read-tree', base], { env });
      for (const file of files) {
        const path = normalizeRepoPath(file.path, 'changed file');
        if (file.content === null) {
          await this.git(['update-index', '--force-remove', '--', path], {
            env,
          });
          continue;
        }
        const blobFile = join(scratch, 'blob');
        await fs.writeFile(blobFile, file.content);
        const blob = (
          await this.git(['hash-object', '-w', '--no-filters', blobFile])
        ).stdout.trim();
        const mode = await this.modeOf(base, path);
        await this.git(
          ['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`],
          { env },
        );
      }
      return (await this.git(['write-tree'], { env })).stdout.trim();
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  async commit(
    tree: string,
    parents: string[],
    message: string,
    author: { name: string; email: string },
  ): Promise<string> {
    const scratch = await fs.mkdtemp(join(os.tmpdir(), 'gitops-local-msg-'));
    try {
      const messageFile = join(scratch, 'message');
      await fs.writeFile(
        messageFile,
        message.endsWith('\n') ? message : `${message}\n`,
      );
      const { stdout } = await this.git(
        [
          'commit-tree',
          tree,
          ...parents.flatMap(parent => ['-p', parent]),
          '-F',
          messageFile,
        ],
        {
          env: {
            GIT_AUTHOR_NAME: author.name,
            GIT_AUTHOR_EMAIL: author.email,
            GIT_COMMITTER_NAME: 'Backstage GitOps',
            GIT_COMMITTER_EMAIL: 'gitops@backstage.invalid',
          },
        },
      );
      return stdout.trim();
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  /** `git merge-tree --write-tree`: the merged tree without touching any working tree, or the conflicted paths. */
  async mergeTree(
    base: string,
    head: string,
  ): Promise<{ tree: string; conflicts: string[] }> {
    const { stdout, exitCode } = await this.git(
      [
        'merge-tree',
        '--write-tree',
        '--name-only',
        '--no-messages',
        base,
        head,
      ],
      { okExitCodes: [1] },
    );
    const [tree, ...rest] = stdout.split('\n').filter(Boolean);
    return { tree, conflicts: exitCode === 1 ? [...new Set(rest)] : [] };
  }

  /** Moves the base branch from `from` to `to` only if nobody moved it meanwhile; a checked-out tree follows. */
  async advanceBranch(branch: string, from: string, to: string): Promise<void> {
    const ref = `${BRANCH_PREFIX}${branch}`;
    if (this.workTree) {
      const { stdout, exitCode } = await this.git(
        ['symbolic-ref', '--quiet', 'HEAD'],
        {
          okExitCodes: [1],
        },
      );
      if (exitCode === 0 && stdout.trim() === ref) {
        try {
          // `merge --ff-only` updates the ref, index and files together and refuses to overwrite local edits.
          await runGit(['merge', '--ff-only', '--quiet', to], {
            cwd: this.workTree,
            env: {
              GIT_COMMITTER_NAME: 'Backstage GitOps',
              GIT_COMMITTER_EMAIL: 'gitops@backstage.invalid',
            },
          });
          return;
        } catch (error) {
          if (error instanceof GitCommandError) {
            throw new ConflictError(
              `could not merge into ${branch} of config repo ${this.repository.id}: ${error.firstLine}`,
            );
          }
          throw error;
        }
      }
    }
    try {
      await this.git(['update-ref', ref, to, from]);
    } catch (error) {
      if (error instanceof GitCommandError) {
        throw new ConflictError(
          `${branch} of config repo ${this.repository.id} moved while merging; try again`,
        );
      }
      throw error;
    }
  }

  private async modeOf(commit: string, path: string): Promise<string> {
    const { stdout } = await this.git(['ls-tree', commit, '--', path]);
    const mode = stdout.split(' ')[0];
    return mode === '100755' ? mode : '100644';
  }
}

/**
 * The embedded provider: a change request is a branch in a repository on this machine, approved and
 * merged through the GitOps API. Works with bare repositories and with ones that have a working tree
 * (the tree follows a merge into its checked-out branch, and a merge that would overwrite local edits
 * is refused). Only git plumbing is used, so nothing else in the repository is touched.
 */
export class LocalScmProvider implements ScmProvider {
  readonly type = 'local';

  supports(repository: ScmRepository): boolean {
    try {
      return parseRemoteUrl(repository.url).protocol === 'file';
    } catch {
      return false;
    }
  }

  async openPullRequest(
    proposal: PullRequestProposal,
  ): Promise<PullRequestHandle> {
    const repo = await LocalRepo.open(proposal.repository);
    assertBranch(proposal.branch);
    await repo.assertCommit(proposal.baseSha);
    const tree = await repo.treeWith(proposal.baseSha, proposal.files);
    const existing = await repo.resolve(proposal.branch);
    if (existing) {
      // A retried submit: the first attempt's commit is as good as a new one when it holds the same tree.
      if ((await repo.treeOf(existing)) === tree) {
        return this.handle(proposal.branch, existing);
      }
      throw new ConflictError(
        `branch ${proposal.branch} already exists in config repo ${proposal.repository.id} with other content`,
      );
    }
    const commit = await repo.commit(
      tree,
      [proposal.baseSha],
      proposal.commitMessage,
      proposal.author,
    );
    // The empty old value makes the update fail if another process created the branch meanwhile.
    await repo
      .git(['update-ref', `${BRANCH_PREFIX}${proposal.branch}`, commit, ''])
      .catch(async error => {
        const raced = await repo.resolve(proposal.branch);
        if (raced && (await repo.treeOf(raced)) === tree) return;
        throw error;
      });
    return this.handle(proposal.branch, (await repo.resolve(proposal.branch))!);
  }

  async getPullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<PullRequestStatus> {
    const repo = await LocalRepo.open(repository);
    const head = await repo.resolve(pullRequest.branch);
    const base = await repo.resolveRequired(repository.branch);
    if (!head) {
      return {
        state: 'closed',
        headSha: pullRequest.headSha,
        approvals: [],
        checks: 'none',
      };
    }
    if (await repo.isAncestor(head, base)) {
      return {
        state: 'merged',
        headSha: head,
        mergeSha: await repo.mergeCommitOf(head, base),
        approvals: [],
        checks: 'none',
      };
    }
    return {
      state: 'open',
      headSha: head,
      approvals: [],
      checks: 'none',
      mergeable: (await repo.mergeTree(base, head)).conflicts.length === 0,
    };
  }

  async mergePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
    options: { commitTitle: string },
  ): Promise<{ mergeSha: string }> {
    const repo = await LocalRepo.open(repository);
    const head = await repo.resolve(pullRequest.branch);
    if (!head) {
      throw new NotFoundError(
        `branch ${pullRequest.branch} no longer exists in config repo ${repository.id}`,
      );
    }
    if (head !== pullRequest.headSha) {
      throw new ConflictError(
        `branch ${pullRequest.branch} moved to ${head.slice(
          0,
          12,
        )} since it was proposed at ${pullRequest.headSha.slice(0, 12)}`,
      );
    }
    const base = await repo.resolveRequired(repository.branch);
    if (await repo.isAncestor(head, base)) {
      return { mergeSha: (await repo.mergeCommitOf(head, base)) ?? base };
    }
    const { tree, conflicts } = await repo.mergeTree(base, head);
    if (conflicts.length > 0) {
      throw new ConflictError(
        `${repository.branch} has changed ${conflicts.join(
          ', ',
        )} since this change was proposed; propose it again on the new head`,
      );
    }
    const merge = await repo.commit(tree, [base, head], options.commitTitle, {
      name: 'Backstage GitOps',
      email: 'gitops@backstage.invalid',
    });
    await repo.advanceBranch(repository.branch, base, merge);
    return { mergeSha: merge };
  }

  async closePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<void> {
    const repo = await LocalRepo.open(repository);
    const head = await repo.resolve(pullRequest.branch);
    if (head) {
      await repo.git([
        'update-ref',
        '-d',
        `${BRANCH_PREFIX}${pullRequest.branch}`,
        head,
      ]);
    }
  }

  async setCommitStatus(
    _repository: ScmRepository,
    _sha: string,
    _status: CommitStatus,
  ): Promise<void> {
    // A local repository has no commit statuses: the policy verdict is shown on the change request.
  }

  private handle(branch: string, headSha: string): PullRequestHandle {
    return { id: branch, branch, headSha };
  }
}
