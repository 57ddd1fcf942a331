import { CustomErrorBase } from '@backstage/errors';
import type { StatusProblem } from '@backstage-gitops/plugin-gitops-common';

/** A config repo remote that is down, refuses us, or lacks the branch; the message is safe to show. */
export class RepoUnreachableError extends CustomErrorBase {
  name = 'RepoUnreachableError' as const;
  readonly code = 'REPO_UNREACHABLE' as const;

  constructor(
    readonly repoId: string,
    /** What git said (its first line of standard error), secrets redacted. */
    readonly detail: string,
  ) {
    super(`config repo "${repoId}" is unreachable: ${detail}`);
  }

  /** The problem to store on every application of this repo while it stays unreachable. */
  toProblem(since: Date): StatusProblem {
    return {
      code: this.code,
      message: this.message,
      since: since.toISOString(),
    };
  }
}
