import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
  NotFoundError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import type {
  CommitStatus,
  PullRequestHandle,
  PullRequestProposal,
  PullRequestStatus,
  ScmProvider,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import { validateBranchName } from '../../git/validateBranchName';
import { foldChecks } from './github/foldChecks';
import { githubErrorDetails } from './github/githubErrorDetails';
import { latestApprovals } from './github/latestApprovals';
import { mapGithubError } from './github/mapGithubError';
import { parseGithubRemote } from './github/parseGithubRemote';
import { retryGithubRequest } from './github/retryGithubRequest';

export interface GithubScmProviderOptions {
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  /** Default: `DefaultGithubCredentialsProvider` over `integrations` (tokens and GitHub Apps). */
  credentialsProvider?: GithubCredentialsProvider;
  /** Tries per GitHub request when it is rate limited or failing, the first included. Default 3. */
  maxAttempts?: number;
  /** Longest wait before one retry; a rate limit that resets later fails at once. Default 60 s. */
  maxRetryWaitMs?: number;
  /** Timeout of one GitHub request. Default 30 s. */
  requestTimeoutMs?: number;
  /** How pull requests are merged. Default `merge`. */
  mergeMethod?: 'merge' | 'squash' | 'rebase';
  /** Waits between retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/** One repository on GitHub with a client authenticated for it. */
interface GithubRepo {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** `owner/repo`, for messages. */
  slug: string;
}

/** The fields of a pull request that both `pulls.create` and `pulls.list` return. */
interface PullSummary {
  number: number;
  html_url: string;
  state: string;
  head: { ref: string; sha: string };
  base: { ref: string };
}

// GitHub refuses commit status descriptions longer than this.
const MAX_STATUS_DESCRIPTION = 140;

/**
 * Change requests as GitHub pull requests, on github.com or GitHub Enterprise Server, with the
 * credentials of Backstage's `integrations.github` config. Commits are made through the Git Data API, so
 * nothing is cloned; every method is safe to retry.
 */
export class GithubScmProvider implements ScmProvider {
  readonly type = 'github';

  private readonly integrations: ScmIntegrationRegistry;
  private readonly credentials: GithubCredentialsProvider;
  private readonly logger: LoggerService;
  private readonly maxAttempts: number;
  private readonly maxRetryWaitMs: number;
  private readonly requestTimeoutMs: number;
  private readonly mergeMethod: 'merge' | 'squash' | 'rebase';
  private readonly sleep: (ms: number) => Promise<void>;

  static fromConfig(
    config: Config,
    options: Omit<GithubScmProviderOptions, 'integrations'>,
  ): GithubScmProvider {
    return new GithubScmProvider({
      ...options,
      integrations: ScmIntegrations.fromConfig(config),
    });
  }

  constructor(options: GithubScmProviderOptions) {
    this.integrations = options.integrations;
    this.credentials =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
    this.logger = options.logger;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.mergeMethod = options.mergeMethod ?? 'merge';
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
  }

  supports(repository: ScmRepository): boolean {
    const remote = parseGithubRemote(repository.url);
    return (
      remote !== undefined &&
      this.integrations.github.byHost(remote.host) !== undefined
    );
  }

  async openPullRequest(
    proposal: PullRequestProposal,
  ): Promise<PullRequestHandle> {
    const { repository, branch } = proposal;
    const invalid = validateBranchName(branch);
    if (invalid) {
      throw new InputError(`Invalid head branch "${branch}": ${invalid}`);
    }
    if (branch === repository.branch) {
      throw new InputError(
        `The head branch "${branch}" cannot be the branch the pull request merges into`,
      );
    }
    if (proposal.files.length === 0) {
      throw new InputError(
        `A pull request needs at least one changed file; "${branch}" has none`,
      );
    }
    const github = await this.connect(repository);
    await this.call(`push branch "${branch}" to ${github.slug}`, () =>
      this.pushBranch(github, proposal),
    );
    const pull = await this.call(
      `open a pull request from "${branch}" into "${repository.branch}" on ${github.slug}`,
      () => this.createOrFindPull(github, proposal),
    );
    await this.decoratePull(github, pull.number, proposal);
    return {
      id: String(pull.number),
      url: pull.html_url,
      branch,
      headSha: pull.head.sha,
    };
  }

  async getPullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<PullRequestStatus> {
    const github = await this.connect(repository);
    const { octokit, owner, repo } = github;
    const pull_number = pullNumberOf(pullRequest);
    return this.call(
      `read pull request #${pull_number} of ${github.slug}`,
      async () => {
        const { data: pull } = await octokit.pulls.get({
          owner,
          repo,
          pull_number,
        });
        const reviews = await octokit.paginate(
          'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
          {
            owner,
            repo,
            pull_number,
            per_page: 100,
          },
        );
        const headSha = pull.head.sha;
        const { data: combined } = await octokit.repos.getCombinedStatusForRef({
          owner,
          repo,
          ref: headSha,
          per_page: 1,
        });
        const checkRuns = await this.listCheckRuns(github, headSha);
        let state: PullRequestStatus['state'] = 'open';
        if (pull.merged) {
          state = 'merged';
        } else if (pull.state === 'closed') {
          state = 'closed';
        }
        return {
          state,
          headSha,
          mergeSha:
            pull.merged && pull.merge_commit_sha
              ? pull.merge_commit_sha
              : undefined,
          approvals: latestApprovals(reviews),
          checks: foldChecks(combined, checkRuns),
          mergeable: pull.mergeable ?? undefined,
        };
      },
    );
  }

  async mergePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
    options: { commitTitle: string },
  ): Promise<{ mergeSha: string }> {
    const github = await this.connect(repository);
    const { octokit, owner, repo } = github;
    const pull_number = pullNumberOf(pullRequest);
    return this.call(
      `merge pull request #${pull_number} of ${github.slug}`,
      async () => {
        try {
          const { data } = await octokit.pulls.merge({
            owner,
            repo,
            pull_number,
            // GitHub refuses with 409 when the head moved since it was checked.
            sha: pullRequest.headSha,
            commit_title: options.commitTitle,
            merge_method: this.mergeMethod,
          });
          return { mergeSha: data.sha };
        } catch (error) {
          const details = githubErrorDetails(error);
          if (details?.status !== 405 && details?.status !== 409) {
            throw error;
          }
          // A retried merge, or one made by hand, leaves the PR merged and GitHub answers 405.
          const { data: pull } = await octokit.pulls.get({
            owner,
            repo,
            pull_number,
          });
          if (pull.merged && pull.merge_commit_sha) {
            return { mergeSha: pull.merge_commit_sha };
          }
          throw new ConflictError(
            `GitHub refused to merge pull request #${pull_number} of ${github.slug}: ${details.message}`,
          );
        }
      },
    );
  }

  async closePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<void> {
    const github = await this.connect(repository);
    const { octokit, owner, repo } = github;
    const pull_number = pullNumberOf(pullRequest);
    if (pullRequest.branch === repository.branch) {
      throw new InputError(
        `Refusing to close pull request #${pull_number}: its head "${pullRequest.branch}" is the base branch`,
      );
    }
    await this.call(
      `close pull request #${pull_number} of ${github.slug}`,
      async () => {
        const { data: pull } = await octokit.pulls.get({
          owner,
          repo,
          pull_number,
        });
        if (pull.merged) {
          throw new ConflictError(
            `Pull request #${pull_number} of ${github.slug} is already merged and cannot be closed`,
          );
        }
        if (pull.state !== 'closed') {
          await octokit.pulls.update({
            owner,
            repo,
            pull_number,
            state: 'closed',
          });
        }
      },
    );
    await this.call(
      `delete branch "${pullRequest.branch}" of ${github.slug}`,
      async () => {
        try {
          await octokit.request(
            'DELETE /repos/{owner}/{repo}/git/refs/{+ref}',
            {
              owner,
              repo,
              ref: headsRef(pullRequest.branch),
            },
          );
        } catch (error) {
          const status = githubErrorDetails(error)?.status;
          // 422 "Reference does not exist": an earlier close, or GitHub's auto-delete, removed it.
          if (status !== 404 && status !== 422) {
            throw error;
          }
        }
      },
    );
  }

  async setCommitStatus(
    repository: ScmRepository,
    sha: string,
    status: CommitStatus,
  ): Promise<void> {
    const github = await this.connect(repository);
    const { octokit, owner, repo } = github;
    await this.call(
      `set status "${status.context}" on ${sha.slice(0, 12)} of ${github.slug}`,
      () =>
        octokit.repos.createCommitStatus({
          owner,
          repo,
          sha,
          state: status.state,
          context: status.context,
          description: truncate(status.description, MAX_STATUS_DESCRIPTION),
          target_url: status.targetUrl,
        }),
    );
  }

  /** Creates the commit and the head branch, or finds them from an earlier attempt; returns the head sha. */
  private async pushBranch(
    github: GithubRepo,
    proposal: PullRequestProposal,
  ): Promise<string> {
    const { octokit, owner, repo, slug } = github;
    const { branch, baseSha } = proposal;
    let baseTreeSha: string;
    try {
      const { data } = await octokit.git.getCommit({
        owner,
        repo,
        commit_sha: baseSha,
      });
      baseTreeSha = data.tree.sha;
    } catch (error) {
      if (githubErrorDetails(error)?.status === 404) {
        throw new NotFoundError(
          `Base commit ${baseSha} of "${branch}" is not in ${slug} (or the credentials cannot see the repository)`,
        );
      }
      throw error;
    }

    const entries: Array<{
      path: string;
      mode: '100644';
      type: 'blob';
      sha: string | null;
    }> = [];
    // One at a time: GitHub counts concurrent writes against its secondary rate limit.
    for (const file of proposal.files) {
      let sha: string | null = null;
      if (file.content !== null) {
        const { data } = await octokit.git.createBlob({
          owner,
          repo,
          content: Buffer.from(file.content, 'utf8').toString('base64'),
          encoding: 'base64',
        });
        sha = data.sha;
      }
      entries.push({ path: file.path, mode: '100644', type: 'blob', sha });
    }
    const { data: tree } = await octokit.git.createTree({
      owner,
      repo,
      base_tree: baseTreeSha,
      tree: entries,
    });
    const { data: commit } = await octokit.git.createCommit({
      owner,
      repo,
      message: proposal.commitMessage,
      tree: tree.sha,
      parents: [baseSha],
      author: { name: proposal.author.name, email: proposal.author.email },
    });

    try {
      await octokit.git.createRef({
        owner,
        repo,
        ref: `refs/heads/${branch}`,
        sha: commit.sha,
      });
      return commit.sha;
    } catch (error) {
      const details = githubErrorDetails(error);
      if (details?.status !== 422 || !/already exists/i.test(details.message)) {
        throw error;
      }
    }

    // The branch is there: ours from an earlier attempt when its commit holds the same files.
    const { data: ref } = await octokit.request(
      'GET /repos/{owner}/{repo}/git/ref/{+ref}',
      { owner, repo, ref: headsRef(branch) },
    );
    const existingSha: string = ref.object.sha;
    if (ref.object.type === 'commit') {
      const { data: existing } = await octokit.git.getCommit({
        owner,
        repo,
        commit_sha: existingSha,
      });
      if (existing.tree.sha === tree.sha) {
        this.logger.info(
          `Reusing branch "${branch}" of ${slug} at ${existingSha}, left by an earlier attempt`,
        );
        return existingSha;
      }
    }
    throw new ConflictError(
      `Branch "${branch}" already exists on ${slug} at ${existingSha} with other content; delete it or submit the change again`,
    );
  }

  private async createOrFindPull(
    github: GithubRepo,
    proposal: PullRequestProposal,
  ): Promise<PullSummary> {
    const { octokit, owner, repo, slug } = github;
    const { branch, repository } = proposal;
    try {
      const { data } = await octokit.pulls.create({
        owner,
        repo,
        title: proposal.title,
        body: proposal.body,
        head: branch,
        base: repository.branch,
      });
      return data;
    } catch (error) {
      const details = githubErrorDetails(error);
      if (
        details?.status !== 422 ||
        !/pull request already exists/i.test(details.message)
      ) {
        throw error;
      }
    }
    const pulls = await octokit.paginate('GET /repos/{owner}/{repo}/pulls', {
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: 'all',
      per_page: 100,
    });
    const open = pulls.find(
      pull => pull.state === 'open' && pull.head.ref === branch,
    );
    if (!open) {
      throw new ConflictError(
        `GitHub reports a pull request for "${branch}" on ${slug}, but none is open`,
      );
    }
    if (open.base.ref !== repository.branch) {
      throw new ConflictError(
        `Pull request #${open.number} of ${slug} from "${branch}" merges into "${open.base.ref}", not "${repository.branch}"`,
      );
    }
    this.logger.info(
      `Reusing pull request #${open.number} of ${slug} for "${branch}"`,
    );
    return open;
  }

  /** Labels and reviewers are a courtesy: a missing label permission or a non-collaborator must not lose the PR. */
  private async decoratePull(
    github: GithubRepo,
    pull_number: number,
    proposal: PullRequestProposal,
  ): Promise<void> {
    const { octokit, owner, repo, slug } = github;
    if (proposal.labels.length > 0) {
      try {
        await octokit.issues.addLabels({
          owner,
          repo,
          issue_number: pull_number,
          labels: proposal.labels,
        });
      } catch (error) {
        this.logger.warn(
          `Could not label pull request #${pull_number} of ${slug} with ${proposal.labels.join(
            ', ',
          )}: ${describe(error)}`,
        );
      }
    }
    const { reviewers, team_reviewers } = splitReviewers(proposal.reviewers);
    if (reviewers.length > 0 || team_reviewers.length > 0) {
      try {
        await octokit.pulls.requestReviewers({
          owner,
          repo,
          pull_number,
          reviewers,
          team_reviewers,
        });
      } catch (error) {
        this.logger.warn(
          `Could not request reviews from ${proposal.reviewers.join(
            ', ',
          )} on pull request #${pull_number} of ${slug}: ${describe(error)}`,
        );
      }
    }
  }

  private async listCheckRuns(github: GithubRepo, ref: string) {
    const { octokit, owner, repo, slug } = github;
    try {
      return await octokit.paginate(
        'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
        {
          owner,
          repo,
          ref,
          filter: 'latest',
          per_page: 100,
        },
      );
    } catch (error) {
      // A GitHub App without the Checks permission still sees commit statuses; branch protection guards the merge.
      if (githubErrorDetails(error)?.status === 403) {
        this.logger.warn(
          `Cannot read check runs of ${slug}, folding commit statuses only: ${describe(
            error,
          )}`,
        );
        return [];
      }
      throw error;
    }
  }

  private async connect(repository: ScmRepository): Promise<GithubRepo> {
    const remote = parseGithubRemote(repository.url);
    if (!remote) {
      throw new InputError(
        `Config repo "${repository.id}" has no GitHub remote: expected https://host/owner/repo or git@host:owner/repo`,
      );
    }
    const integration = this.integrations.github.byHost(remote.host);
    if (!integration) {
      throw new InputError(
        `Config repo "${repository.id}" is on ${remote.host}, which has no entry under integrations.github`,
      );
    }
    const { host, apiBaseUrl } = integration.config;
    const slug = `${remote.owner}/${remote.repo}`;
    let token: string | undefined;
    try {
      ({ token } = await this.credentials.getCredentials({
        url: `https://${host}/${slug}`,
      }));
    } catch (error) {
      // An answer from GitHub refusing the app or token is final; anything else (network, 5xx) is worth a retry.
      const status = (error as { status?: unknown; response?: { status?: unknown } })?.status ??
        (error as { response?: { status?: unknown } })?.response?.status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        throw new NotAllowedError(
          `No GitHub credentials for ${slug} on ${host}: ${describe(error)}`,
        );
      }
      throw new ServiceUnavailableError(
        `Could not get GitHub credentials for ${slug} on ${host}, will retry: ${describe(error)}`,
      );
    }
    if (!token) {
      throw new NotAllowedError(
        `No GitHub credentials for ${slug} on ${host}: configure a token or a GitHub App under integrations.github`,
      );
    }
    const octokit = new Octokit({
      auth: token,
      // Backstage leaves apiBaseUrl unset for Enterprise hosts when the config does; this is GHES's default.
      baseUrl: apiBaseUrl ?? `https://${host}/api/v3`,
      userAgent: 'backstage-gitops',
      log: {
        debug: () => {},
        info: () => {},
        warn: (message: string) => this.logger.warn(message),
        error: (message: string) => this.logger.error(message),
      },
    });
    octokit.hook.wrap('request', (request, options) =>
      retryGithubRequest(
        async () =>
          request({
            ...options,
            request: {
              ...options.request,
              signal: AbortSignal.timeout(this.requestTimeoutMs),
            },
          }),
        `${options.method} ${options.url}`,
        {
          maxAttempts: this.maxAttempts,
          maxWaitMs: this.maxRetryWaitMs,
          sleep: this.sleep,
          logger: this.logger,
        },
      ),
    );
    return { octokit, owner: remote.owner, repo: remote.repo, slug };
  }

  /** Runs `fn`, turning GitHub's answers into `@backstage/errors` errors that say what failed. */
  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw mapGithubError(error, action);
    }
  }
}

/**
 * `heads/<branch>` for a ref URL, each segment encoded but the slashes kept: Octokit would send `%2F`,
 * which older GitHub Enterprise Server versions answer with 404.
 */
function headsRef(branch: string): string {
  return `heads/${branch.split('/').map(encodeURIComponent).join('/')}`;
}

function pullNumberOf(pullRequest: PullRequestHandle): number {
  if (!/^[1-9]\d{0,9}$/.test(pullRequest.id)) {
    throw new InputError(
      `"${pullRequest.id}" is not a GitHub pull request number`,
    );
  }
  return Number(pullRequest.id);
}

/** `org/team` names a team (GitHub wants only its slug); anything else a user. */
function splitReviewers(names: string[]): {
  reviewers: string[];
  team_reviewers: string[];
} {
  const reviewers: string[] = [];
  const team_reviewers: string[] = [];
  for (const name of names) {
    const trimmed = name.trim().replace(/^@/, '');
    const slash = trimmed.indexOf('/');
    if (slash >= 0) {
      team_reviewers.push(trimmed.slice(slash + 1));
    } else if (trimmed !== '') {
      reviewers.push(trimmed);
    }
  }
  return { reviewers, team_reviewers };
}

function describe(error: unknown): string {
  const details = githubErrorDetails(error);
  if (details) {
    return `GitHub answered ${details.status} ${details.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
