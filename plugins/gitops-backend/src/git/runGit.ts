import { execFile, type ExecFileException } from 'node:child_process';
import { GitCommandError } from './GitCommandError';
import { redactSecrets } from './redactSecrets';

export interface RunGitOptions {
  /** Repository (bare or not) to run in, passed as `--git-dir`. */
  gitDir?: string;
  cwd?: string;
  /** Extra environment, e.g. `GIT_INDEX_FILE`. */
  env?: Record<string, string>;
  /** Config entries passed through `GIT_CONFIG_COUNT`, so they never show in argv or `ps`. */
  config?: ReadonlyArray<readonly [key: string, value: string]>;
  /** Values to redact from every error. */
  secrets?: readonly string[];
  /** Kill git after this long. Default 60 s. */
  timeoutMs?: number;
  /** Most bytes of standard output accepted. Default 16 MiB. */
  maxOutputBytes?: number;
  /** Exit codes that are answers rather than failures (e.g. 1 for `rev-parse --verify --quiet`). */
  okExitCodes?: readonly number[];
  /** Written to git's standard input, which is otherwise closed at once. */
  input?: string;
}

export interface GitResult {
  stdout: string;
  exitCode: number;
}

// Inherited variables that would point git at another repository, index or config than ours.
const INHERITED_GIT_VARIABLES = new Set([
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSH_VARIANT',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_EXEC_PATH',
]);

/**
 * Runs the git binary without a shell: no prompts, C locale, only the https, ssh and file transports,
 * a timeout and a bound on output. Failures become `GitCommandError` with secrets redacted.
 */
export function runGit(
  args: readonly string[],
  options: RunGitOptions = {},
): Promise<GitResult> {
  const secrets = options.secrets ?? [];
  const argv = options.gitDir
    ? ['--git-dir', options.gitDir, ...args]
    : [...args];
  const command = args.find(arg => !arg.startsWith('-')) ?? 'git';
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      argv,
      {
        cwd: options.cwd,
        env: gitEnvironment(options),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: options.maxOutputBytes ?? 16 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const exitCode = typeof error?.code === 'number' ? error.code : 0;
        if (!error || (options.okExitCodes ?? []).includes(exitCode)) {
          resolve({ stdout, exitCode });
          return;
        }
        const cleanStderr = redactSecrets(String(stderr ?? ''), secrets);
        const reason = describeFailure(error, cleanStderr);
        reject(
          new GitCommandError(
            command,
            typeof error.code === 'number' ? error.code : undefined,
            cleanStderr,
            redactSecrets(`git ${command} failed: ${reason}`, secrets),
          ),
        );
      },
    );
    // A git that exits without reading its input reports that itself; the broken pipe says nothing more.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

function describeFailure(error: ExecFileException, stderr: string): string {
  if (error.code === 'ENOENT') {
    return 'the git binary was not found on PATH';
  }
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return 'its output exceeded the limit';
  }
  if (error.killed || error.signal) {
    return `it was stopped (${
      error.signal ?? 'timeout'
    }) after running too long`;
  }
  const firstLine = stderr
    .split('\n')
    .map(line => line.trim())
    .find(line => line !== '');
  return firstLine ?? `exit code ${error.code}`;
}

function gitEnvironment(options: RunGitOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('GIT_') || INHERITED_GIT_VARIABLES.has(name)) {
      env[name] = value;
    }
  }
  Object.assign(env, {
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_ALLOW_PROTOCOL: 'https:ssh:file',
    GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    GIT_OPTIONAL_LOCKS: '0',
  });
  const config = options.config ?? [];
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { ...env, ...options.env };
}
