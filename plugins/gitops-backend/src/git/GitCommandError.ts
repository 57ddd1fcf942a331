import { CustomErrorBase } from '@backstage/errors';

/** A git process that failed, timed out or could not start; its output is already redacted. */
export class GitCommandError extends CustomErrorBase {
  name = 'GitCommandError' as const;

  constructor(
    /** The git subcommand, e.g. `fetch`; never the full argv, which may hold URLs. */
    readonly command: string,
    /** Exit code; undefined when the process was killed or never started. */
    readonly exitCode: number | undefined,
    /** git's standard error, secrets redacted. */
    readonly stderr: string,
    message: string,
  ) {
    super(message);
  }

  /** The first non-empty line of git's standard error, which is where git says what went wrong. */
  get firstLine(): string {
    return (
      this.stderr
        .split('\n')
        .map(line => line.trim())
        .find(line => line !== '') ?? this.message
    );
  }
}
