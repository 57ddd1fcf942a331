import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeTestClient } from './KubeTestClient';

const TESTBIN = resolve(__dirname, '../../../../../tools/k8s-testbin');

/** A build from a cold Go cache takes many minutes; a cached one returns at once. */
const BUILD_TIMEOUT_MS = 900_000;
/** start.sh gives up by itself after 120 s (K8S_TESTENV_READY_TIMEOUT). */
const START_SCRIPT_TIMEOUT_MS = 150_000;
/** For the beforeAll that starts a plane: a possible cold build plus a start. */
export const START_TIMEOUT_MS = BUILD_TIMEOUT_MS + START_SCRIPT_TIMEOUT_MS;
export const STOP_TIMEOUT_MS = 60_000;

/** Binaries prebuilt by scripts/test.sh, which exports their dir. */
const PREBUILT_BIN = process.env.K8S_TESTBIN_BIN;

/** Why the conformance suite cannot run here, or `undefined` when it can: only a missing `go` skips it. */
export const SKIP_REASON: string | undefined =
  PREBUILT_BIN ||
  spawnSync('go', ['version'], { stdio: 'ignore' }).error === undefined
    ? undefined
    : "'go' is not installed: the conformance suite builds its control plane from Go modules";

/** `describe`, or `describe.skip` when the control plane cannot be built here. */
export const describeConformance: jest.Describe = SKIP_REASON
  ? describe.skip
  : describe;

if (SKIP_REASON) console.warn(`skipping the conformance suite: ${SKIP_REASON}`);

export interface ControlPlane {
  /** The data dir start.sh wrote kubeconfig, env, pids and logs into; stop.sh needs it. */
  readonly dir: string;
  readonly client: KubeTestClient;
}

function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout: number,
): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'bash',
      [join(TESTBIN, script), ...args],
      { env, timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = String(stderr).split('\n').slice(-30).join('\n');
          fail(new Error(`${script} failed: ${error.message}\n${tail}`));
        } else {
          done(String(stdout).trim().split('\n').pop() ?? '');
        }
      },
    );
  });
}

/** Builds (cached) and starts etcd, kube-apiserver, controllers, scheduler and kwok into a fresh temp dir. */
export async function startControlPlane(): Promise<ControlPlane> {
  if (!existsSync(join(TESTBIN, 'start.sh')))
    throw new Error(`no control plane scripts in ${TESTBIN}`);
  const bin =
    PREBUILT_BIN || (await run('build.sh', [], process.env, BUILD_TIMEOUT_MS));
  const dir = mkdtempSync(join(tmpdir(), 'gitops-conformance-'));
  try {
    const started = await run(
      'start.sh',
      [dir],
      { ...process.env, K8S_TESTBIN_BIN: bin },
      START_SCRIPT_TIMEOUT_MS,
    );
    return {
      dir: started,
      client: KubeTestClient.fromKubeconfig(join(started, 'kubeconfig')),
    };
  } catch (error) {
    // start.sh stops what it started when it fails, but not when it is killed for running too long: stop.sh
    // (idempotent) stops whatever its pid files name before the dir, and the pid files, are removed.
    await run('stop.sh', [dir, '--rm'], process.env, STOP_TIMEOUT_MS).catch(
      () => undefined,
    );
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops exactly the processes start.sh recorded in the plane's dir, then removes the dir. */
export async function stopControlPlane(
  plane: ControlPlane | undefined,
): Promise<void> {
  if (!plane) return;
  plane.client.close();
  await run('stop.sh', [plane.dir, '--rm'], process.env, STOP_TIMEOUT_MS);
}

/** Polls until `probe` returns a value other than `undefined`, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const attempts = Math.ceil(timeoutMs / intervalMs);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise(done => setTimeout(done, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${
      lastError ? `: ${String(lastError)}` : ''
    }`,
  );
}
