import { KubeConfig } from '@kubernetes/client-node';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A real control plane (etcd, kube-apiserver, controllers, kwok) on loopback, from tools/k8s-testbin. */
export interface TestCluster {
  /** The data dir start.sh wrote: kubeconfig, env, pids/, logs/. */
  dir: string;
  binDir: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Variables from `dir/env` (server, token, CA file, etcd URL, pids). */
  env: Record<string, string>;
  /** Runs the cluster's kubectl with our kubeconfig; resolves with its standard output. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Kills kube-apiserver (SIGKILL, like a crash), remembering its command line. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again with the same command line (port, certificates, etcd) and waits for /readyz. */
  startApiServer(): Promise<void>;
  /** Kills etcd (SIGKILL): the API server stays up and answers requests that need storage with errors. */
  stopEtcd(): Promise<void>;
  /** Starts etcd again with the same command line and data dir, and waits for its /health. */
  startEtcd(): Promise<void>;
  /** Deletes a key straight from etcd: a change the API server did not see, made while it was down. */
  deleteFromEtcd(key: string): Promise<void>;
  /** Stops every process start.sh (or startApiServer) started, by the pids in `dir`, and removes `dir`. */
  stop(): Promise<void>;
}

/** Why the control-plane tests cannot run here, or undefined when they can (Go is what builds the binaries). */
export function testClusterUnavailableReason(): string | undefined {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore', timeout: 30_000 });
    return undefined;
  } catch {
    return "'go' is not installed: the Kubernetes control plane for these tests is built from Go modules";
  }
}

/** `describe` when a control plane can be started, else `describe.skip` with the reason printed once. */
export function describeWithCluster(name: string, body: () => void): void {
  const reason = testClusterUnavailableReason();
  if (reason) {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": ${reason}`);
  }
  (reason ? describe.skip : describe)(name, body);
}

function testbinDir(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 10; depth++) {
    const candidate = join(dir, 'tools', 'k8s-testbin');
    if (existsSync(join(candidate, 'start.sh'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('tools/k8s-testbin not found above the test file');
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

async function commandLineOf(pid: number): Promise<string[]> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw.split('\0').filter(Boolean);
}

/** Whether `pid` still runs: a zombie (state Z) or a vanished process does not. */
async function running(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return false;
  // The state follows the parenthesised command name, which may itself contain spaces or ')'.
  const state = stat.slice(
    stat.lastIndexOf(')') + 2,
    stat.lastIndexOf(')') + 3,
  );
  return state !== 'Z' && state !== 'X';
}

/** The loopback ports a daemon's command line listens on (`--secure-port=N`, `--listen-*-urls=http://h:N`). */
export function listeningPorts(command: string[]): number[] {
  const ports: number[] = [];
  for (const arg of command) {
    const secure = /^--secure-port=(\d+)$/.exec(arg);
    if (secure) ports.push(Number(secure[1]));
    const urls = /^--listen-[a-z-]*urls=(.+)$/.exec(arg);
    if (urls) {
      for (const url of urls[1].split(',')) {
        const port = /:(\d+)\/?$/.exec(url.trim());
        if (port) ports.push(Number(port[1]));
      }
    }
  }
  return ports;
}

/** Whether a listener could bind 127.0.0.1:port now (Node, like Go, sets SO_REUSEADDR, so TIME_WAIT does not count). */
function portFree(port: number): Promise<boolean> {
  return new Promise(resolveFree => {
    const server = net.createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolveFree(true)),
    );
  });
}

class ExitedEarly extends Error {}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  fatal: (error: unknown) => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await check().catch(error => {
      if (fatal(error)) throw error;
      return false;
    });
    if (ok) return;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function readyz(kubeConfig: KubeConfig): Promise<boolean> {
  const server = new URL(kubeConfig.getCurrentCluster()!.server);
  const options: https.RequestOptions = {
    hostname: server.hostname,
    port: server.port,
    path: '/readyz',
    method: 'GET',
  };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise(resolveReady => {
    const req = https.request(options, res => {
      res.resume();
      res.on('end', () => resolveReady(res.statusCode === 200));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolveReady(false));
    req.end();
  });
}

async function etcdHealthy(url: string): Promise<boolean> {
  return new Promise(resolveHealthy => {
    const req = http.get(new URL('/health', url), { agent: false }, res => {
      res.resume();
      res.on('end', () => resolveHealthy(res.statusCode === 200));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolveHealthy(false));
  });
}

/** Kills and restarts the daemons start.sh started in `dir`, by the pids it recorded, with their command lines. */
function restartableDaemons(dir: string) {
  const commands = new Map<string, string[]>();
  const pidFile = (name: string) => join(dir, 'pids', `${name}.pid`);
  const logFile = (name: string) => join(dir, 'logs', `${name}.log`);
  return {
    async stop(name: string): Promise<void> {
      const pid = Number((await fs.readFile(pidFile(name), 'utf8')).trim());
      const command = await commandLineOf(pid);
      // Only a process whose command line names our dir is ours to kill (pids get reused).
      if (!command.some(arg => arg.includes(`${dir}/`))) {
        throw new Error(`${name} pid ${pid} is not running for ${dir}`);
      }
      commands.set(name, command);
      process.kill(pid, 'SIGKILL');
      // A killed Go process can still hold its listeners for a moment after /proc shows it gone (its
      // threads close the files after the leader's memory is released), so wait for the ports too.
      await waitFor(
        `${name} pid ${pid} to exit`,
        async () => !(await running(pid)),
        15_000,
      );
      const ports = listeningPorts(command);
      await waitFor(
        `${name}'s ports ${ports.join(', ')} to be released`,
        async () => (await Promise.all(ports.map(portFree))).every(Boolean),
        15_000,
      );
    },
    async start(
      name: string,
      what: string,
      ready: () => Promise<boolean>,
    ): Promise<void> {
      const command = commands.get(name);
      if (!command)
        throw new Error(`stop ${name} first: that records its command line`);
      // Something else may still take a port between our check and the bind (another suite probing for
      // free ports): a daemon that exits before it is ready is started again, a bounded number of times.
      const attempts = 3;
      for (let attempt = 1; ; attempt++) {
        const log = openSync(logFile(name), 'a');
        let exited = false;
        try {
          const child = spawn(command[0], command.slice(1), {
            detached: true,
            stdio: ['ignore', log, log],
          });
          child.once('exit', () => {
            exited = true;
          });
          child.unref();
          await fs.writeFile(pidFile(name), `${child.pid}\n`);
        } finally {
          closeSync(log);
        }
        try {
          await waitFor(
            what,
            async () => {
              if (exited) throw new ExitedEarly();
              return ready();
            },
            90_000,
            error => error instanceof ExitedEarly,
          );
          return;
        } catch (error) {
          const lines = await fs
            .readFile(logFile(name), 'utf8')
            .catch(() => '');
          const early = error instanceof ExitedEarly;
          if (early && attempt < attempts) {
            await new Promise(r => setTimeout(r, 1000 * attempt));
            continue;
          }
          throw new Error(
            `${
              early
                ? `${name} exited before it was ready (attempt ${attempt} of ${attempts})`
                : (error as Error).message
            }; log tail:\n${lines.split('\n').slice(-15).join('\n')}`,
          );
        }
      }
    },
  };
}

/**
 * Builds (cached) and starts a control plane in a fresh temp dir: `tools/k8s-testbin/build.sh`, then
 * `start.sh DIR`. One per test file, in beforeAll; always `stop()` it in afterAll.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const testbin = testbinDir();
  const build = await execFileAsync('bash', [join(testbin, 'build.sh')], {
    timeout: 1_800_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const binDir = build.stdout.trim().split('\n').pop()!;
  const dir = await fs.mkdtemp(join(tmpdir(), 'gitops-cluster-test-'));
  const cleanup = () =>
    execFileAsync('bash', [join(testbin, 'stop.sh'), dir, '--rm'], {
      timeout: 120_000,
    });
  try {
    await execFileAsync('bash', [join(testbin, 'start.sh'), dir], {
      timeout: 180_000,
      env: { ...process.env, K8S_TESTBIN_BIN: binDir },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
  const env = parseEnv(await fs.readFile(join(dir, 'env'), 'utf8'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const daemons = restartableDaemons(dir);

  const cluster: TestCluster = {
    dir,
    binDir,
    kubeconfigPath,
    kubeConfig,
    env,
    async kubectl(args, input) {
      return new Promise((resolveRun, reject) => {
        const child = execFile(
          join(binDir, 'kubectl'),
          ['--kubeconfig', kubeconfigPath, '--request-timeout=20s', ...args],
          { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            if (error)
              reject(
                new Error(
                  `kubectl ${args.join(' ')} failed: ${
                    stderr || error.message
                  }`,
                ),
              );
            else resolveRun(stdout);
          },
        );
        child.stdin?.end(input ?? '');
      });
    },
    stopApiServer: () => daemons.stop('kube-apiserver'),
    startApiServer: () =>
      daemons.start('kube-apiserver', 'kube-apiserver /readyz', () =>
        readyz(kubeConfig),
      ),
    stopEtcd: () => daemons.stop('etcd'),
    startEtcd: () =>
      daemons.start('etcd', 'etcd /health', () => etcdHealthy(env.ETCD_URL)),
    async deleteFromEtcd(key) {
      const body = JSON.stringify({ key: Buffer.from(key).toString('base64') });
      const url = new URL('/v3/kv/deleterange', env.ETCD_URL);
      await new Promise<void>((resolveDelete, reject) => {
        const req = http.request(
          url,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            agent: false,
          },
          res => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 200
                ? resolveDelete()
                : reject(new Error(`etcd deleterange: HTTP ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    async stop() {
      await cleanup();
    },
  };
  return cluster;
}

/** A namespace name unique to this run, for tests that share one control plane. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}
