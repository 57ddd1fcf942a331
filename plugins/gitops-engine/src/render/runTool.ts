import { execFile } from 'node:child_process';
import { EngineError } from '../errors';

/** One way to invoke a tool; the first whose binary exists is used. */
export interface ToolInvocation {
  command: string;
  args: string[];
}

export interface RunToolOptions {
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  env: NodeJS.ProcessEnv;
  /** How to tell the user to install or point at the tool, for the missing-tool error. */
  installHint: string;
}

/**
 * Runs a renderer binary without a shell (arguments are never interpreted), with a timeout and a cap on
 * its output. A missing binary is `RENDER_TOOL_MISSING`; a failure, timeout or oversized output is `RENDER_FAILED`.
 */
export async function runTool(
  tool: string,
  invocations: ReadonlyArray<ToolInvocation>,
  options: RunToolOptions,
): Promise<string> {
  const tried: string[] = [];
  for (const { command, args } of invocations) {
    tried.push(command);
    try {
      return await execute(command, args, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw describeFailure(tool, command, args, error, options);
      }
    }
  }
  throw new EngineError(
    'RENDER_TOOL_MISSING',
    `${tool} is not installed: none of ${tried.join(', ')} could be run; ${
      options.installHint
    }`,
  );
}

function execute(
  command: string,
  args: string[],
  options: RunToolOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        maxBuffer: options.maxOutputBytes,
        killSignal: 'SIGKILL',
        windowsHide: true,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          Object.assign(error, { stderr });
          reject(error);
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

function describeFailure(
  tool: string,
  command: string,
  args: string[],
  error: unknown,
  options: RunToolOptions,
): EngineError {
  const failure = error as NodeJS.ErrnoException & {
    killed?: boolean;
    signal?: string;
    stderr?: string;
  };
  const invocation = [command, ...args].join(' ');
  if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new EngineError(
      'RENDER_FAILED',
      `${invocation} printed more than ${options.maxOutputBytes} bytes`,
      {},
      { cause: error },
    );
  }
  if (failure.killed || failure.signal) {
    return new EngineError(
      'RENDER_FAILED',
      `${invocation} did not finish within ${options.timeoutMs} ms`,
      {},
      { cause: error },
    );
  }
  const stderr = (failure.stderr ?? '').trim();
  const tail = stderr.length > 2000 ? `…${stderr.slice(-2000)}` : stderr;
  return new EngineError(
    'RENDER_FAILED',
    `${tool} failed (${invocation}): ${tail || failure.message}`,
    {},
    { cause: error },
  );
}
