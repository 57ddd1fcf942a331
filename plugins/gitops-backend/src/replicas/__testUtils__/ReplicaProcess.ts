import type { JsonObject } from '@backstage/types';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ReplicaProcessOptions {
  /** Shown in failures, and names the log file. */
  name: string;
  /** app-config for the replica; `backend.listen`, `backend.baseUrl` are filled in. */
  config: JsonObject;
  /** Where its standard output and error go. */
  logDir: string;
  /** Makes opening a PR hang after the branch is pushed, writing the branch name here (see replicaBackend). */
  hangFile?: string;
  /** The backend's entry file in this directory; `replicaBackend.ts` (the gitops plugin) unless set. */
  entry?: string;
  readyTimeoutMs?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** One backend replica (`replicaBackend.ts`, or another `entry`) in its own node process, on loopback. */
export class ReplicaProcess {
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly logFile: string,
  ) {
    this.exited = new Promise(resolve =>
      child.once('exit', code => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  static async start(options: ReplicaProcessOptions): Promise<ReplicaProcess> {
    const port = await freePort();
    const config: JsonObject = {
      ...options.config,
      backend: {
        ...(options.config.backend as JsonObject),
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { host: '127.0.0.1', port },
      },
    };
    const logFile = join(options.logDir, `${options.name}.log`);
    // Straight to a file: a pipe the test reads late would block the replica's synchronous stdout writes.
    const log = openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        join(__dirname, options.entry ?? 'replicaBackend.ts'),
      ],
      {
        env: {
          ...process.env,
          // Not `test` (Jest's): the scheduler then runs its janitor, which frees a killed replica's task claims.
          NODE_ENV: 'development',
          LOG_LEVEL: 'info',
          GITOPS_REPLICA_CONFIG: JSON.stringify(config),
          ...(options.hangFile && {
            GITOPS_REPLICA_HANG_FILE: options.hangFile,
          }),
        },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const replica = new ReplicaProcess(options.name, child, port, logFile);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
    for (;;) {
      const text = await fs.readFile(logFile, 'utf8').catch(() => '');
      if (text.includes(`{"ready":true,"pid":${child.pid}}`)) return replica;
      if (!replica.alive || Date.now() > deadline) {
        await replica.kill();
        throw new Error(
          `replica ${options.name} ${
            replica.alive ? 'not ready in time' : 'exited before it was ready'
          }; log:\n${text.split('\n').slice(-30).join('\n')}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** SIGKILL, like a crash: nothing is released or flushed. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the backend shuts down and gives its leases back; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    await this.kill();
  }

  /** The last lines of its log, for failure messages. */
  async logTail(lines = 30): Promise<string> {
    const text = await fs.readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }
}
