/** What a command may touch, injected so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Relative paths on the command line are resolved against this directory. */
  cwd: string;
  /** Read for renderer binaries (`KUSTOMIZE_BIN`, `HELM_BIN`, `PATH`). */
  env: NodeJS.ProcessEnv;
}

/** Exit statuses CI pipelines rely on. */
export const EXIT = {
  ok: 0,
  /** Drift found, or a policy denied. */
  failed: 1,
  /** Bad input or usage; the message is on stderr. */
  error: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command: parses its own arguments and returns its exit status. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<ExitCode>;
}
