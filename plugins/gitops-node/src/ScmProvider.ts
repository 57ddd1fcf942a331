/** A config repo as an SCM provider sees it. */
export interface ScmRepository {
  /** Config repo id from `gitops.configRepos[].id`. */
  id: string;
  /** Its remote URL as configured (https, ssh, file:// or a local path). */
  url: string;
  /** The branch applications are read from and change requests merge into. */
  branch: string;
}

/** One file of a proposal; the path is relative to the repository root, `content: null` deletes the file. */
export interface ProposedFile {
  path: string;
  content: string | null;
}

/** Everything needed to open a pull request for a change request. */
export interface PullRequestProposal {
  repository: ScmRepository;
  /** The commit the files were computed against: the new commit's parent. */
  baseSha: string;
  /** Head branch; deterministic per change request, so a retried submit finds the first attempt's work. */
  branch: string;
  title: string;
  /** Markdown; never holds Secret values. */
  body: string;
  commitMessage: string;
  author: { name: string; email: string };
  files: ProposedFile[];
  labels: string[];
  /** Forge user names; `org/team` for teams. */
  reviewers: string[];
}

/** A pull request opened by a provider. */
export interface PullRequestHandle {
  /** The forge's number as a string, or the branch name for the local provider. */
  id: string;
  url?: string;
  branch: string;
  headSha: string;
}

export type CheckState = 'pending' | 'success' | 'failure' | 'none';

export interface PullRequestStatus {
  state: 'open' | 'merged' | 'closed';
  headSha: string;
  /** The commit the merge made on the base branch, once merged. */
  mergeSha?: string;
  /** Approving reviews on the forge (the latest review of each reviewer counts). */
  approvals: Array<{ by: string; at: string }>;
  /** Combined commit statuses and check runs on the head commit. */
  checks: CheckState;
  /** False when the forge knows the PR cannot merge (conflicts); undefined while it is computing. */
  mergeable?: boolean;
}

/** A commit status posted on the head commit, such as the policy verdict. */
export interface CommitStatus {
  state: 'pending' | 'success' | 'failure' | 'error';
  /** Stable name of the check, e.g. `gitops/policy`. */
  context: string;
  description: string;
  targetUrl?: string;
}

/**
 * Opens, tracks and merges pull requests on one kind of forge. Every method is safe to retry: opening a
 * pull request for a branch that already has one returns that one; merging a merged one returns its merge.
 * Errors use `@backstage/errors`: `ConflictError` for a stale base or a merge conflict, `NotFoundError`,
 * `NotAllowedError`, and `ServiceUnavailableError` (with the forge's retry-after when it gave one).
 */
export interface ScmProvider {
  /** `github`, `local`, ... : shown in the UI and stored with each change request. */
  readonly type: string;
  /** Whether this provider serves the repository (by its URL's host or scheme). */
  supports(repository: ScmRepository): boolean;
  openPullRequest(proposal: PullRequestProposal): Promise<PullRequestHandle>;
  getPullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<PullRequestStatus>;
  /**
   * Merges into the repository's branch, only when the head is still `pullRequest.headSha`.
   * Returns the merge commit's sha.
   */
  mergePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
    options: { commitTitle: string },
  ): Promise<{ mergeSha: string }>;
  /** Closes without merging and removes the head branch. */
  closePullRequest(
    repository: ScmRepository,
    pullRequest: PullRequestHandle,
  ): Promise<void>;
  /** Publishes a commit status on the head commit; a no-op where the forge has none. */
  setCommitStatus(
    repository: ScmRepository,
    sha: string,
    status: CommitStatus,
  ): Promise<void>;
}
