import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A PostgreSQL 15 of the test's own (scripts/postgres.sh), which the test may stop and start again. */
export interface TestPostgres {
  dir: string;
  /** `postgresql://postgres@127.0.0.1:PORT`; the same across `stop` and `start`. */
  connectionString: string;
  /** Stops the server (fast shutdown: sessions are cut, as in an outage). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** Why these tests cannot run here, or undefined when they can (the Debian server binaries). */
export function testPostgresUnavailableReason(): string | undefined {
  return existsSync('/usr/lib/postgresql/15/bin/pg_ctl')
    ? undefined
    : 'PostgreSQL 15 server binaries are not installed (see scripts/postgres.sh)';
}

function postgresScript(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 10; depth++) {
    const candidate = join(dir, 'scripts', 'postgres.sh');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('scripts/postgres.sh not found above the test file');
}

/** Starts a throwaway server in a fresh directory under /tmp (the postgres user must reach it). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const script = postgresScript();
  const dir = await fs.mkdtemp('/tmp/gitops-test-postgres-');
  const run = (command: 'start' | 'stop') =>
    execFileAsync('bash', [script, command, dir], { timeout: 120_000 });
  const connection = async () => {
    const env = await fs.readFile(join(dir, 'env'), 'utf8');
    const match = env.match(/=(postgresql:\/\/\S+)/);
    if (!match) throw new Error(`no connection string in ${dir}/env`);
    return match[1];
  };
  await run('start');
  const connectionString = await connection();
  return {
    dir,
    connectionString,
    stop: async () => {
      await run('stop');
    },
    start: async () => {
      await run('start');
      const now = await connection();
      if (now !== connectionString) {
        throw new Error(
          `PostgreSQL came back on ${now}, not ${connectionString}`,
        );
      }
    },
    remove: async () => {
      await run('stop').catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
