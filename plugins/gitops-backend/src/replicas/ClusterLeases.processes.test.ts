import type { JsonObject } from '@backstage/types';
import knexFactory, { type Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeHttpClient } from '../cluster/KubeHttpClient';
import {
  startTestCluster,
  testClusterUnavailableReason,
  uniqueName,
  type TestCluster,
} from '../cluster/__testUtils__/startTestCluster';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { exampleApplication } from '../reconcile/__testUtils__/exampleApplication';
import { waitUntil } from '../reconcile/__testUtils__/waitUntil';
import { ReplicaProcess } from './__testUtils__/ReplicaProcess';
import {
  startTestPostgres,
  testPostgresUnavailableReason,
  type TestPostgres,
} from './__testUtils__/startTestPostgres';

jest.setTimeout(300_000);

/** Short leases keep the suite quick; `GITOPS_TEST_LEASE_SECONDS=15` measures the default. */
const LEASE_SECONDS = Number(process.env.GITOPS_TEST_LEASE_SECONDS ?? 4);
const CLUSTERS = ['east', 'north', 'west'];
const REPO = 'fleet';
const DATABASE_PREFIX = 'replicas_';
const FIELD_MANAGER = 'backstage-gitops';

const skipReason =
  testClusterUnavailableReason() ?? testPostgresUnavailableReason();
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the replica process tests: ${skipReason}`);
}
const describeWithProcesses = skipReason ? describe.skip : describe;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

interface LeaseRow {
  cluster: string;
  holder: string | null;
  live: boolean;
}

/** `holds` and `gives up` / `lost` lines of one replica's log, per cluster, in order. */
async function ownershipIntervals(
  replica: ReplicaProcess,
  endedAt: number,
): Promise<Array<{ cluster: string; from: number; to: number }>> {
  const text = (await fs.readFile(replica.logFile, 'utf8')).replace(ANSI, '');
  const open = new Map<string, number>();
  const intervals: Array<{ cluster: string; from: number; to: number }> = [];
  for (const line of text.split('\n')) {
    const at = Date.parse(line.slice(0, 24));
    const held = line.match(/now holds cluster (\S+)/);
    const gone = line.match(/(?:gives up|lost its lease on) cluster (\S+)/);
    if (held) open.set(held[1], at);
    if (gone && open.has(gone[1])) {
      intervals.push({ cluster: gone[1], from: open.get(gone[1])!, to: at });
      open.delete(gone[1]);
    }
  }
  for (const [cluster, from] of open)
    intervals.push({ cluster, from, to: endedAt });
  return intervals;
}

describeWithProcesses(
  'replicas sharing one PostgreSQL, as real processes',
  () => {
    let cluster: TestCluster;
    let client: KubeHttpClient;
    let postgres: TestPostgres;
    let db: Knex;
    let remote: TestGitRemote;
    let logDir: string;
    let prefix: string;
    let image = '1.0.0';
    const replicas: ReplicaProcess[] = [];
    let started = 0;

    const appName = (clusterName: string) => `shop-${clusterName}`;
    const namespaceOf = (clusterName: string) => `${prefix}-${clusterName}`;

    function files(): Record<string, string> {
      const all: Record<string, string> = {};
      for (const clusterName of CLUSTERS) {
        const example = exampleApplication({
          name: appName(clusterName),
          entityRef: `component:default/shop-${clusterName}`,
          cluster: clusterName,
          namespace: namespaceOf(clusterName),
          image: `shop:${image}`,
        });
        all[example.applicationFile] = `${
          example.files[example.applicationFile]
        }  syncPolicy:\n    automated: true\n`;
        all[example.manifestFile] = example.files[example.manifestFile];
      }
      return all;
    }

    async function commit(message: string): Promise<string> {
      return remote.commit(message, files());
    }

    function config(name: string): JsonObject {
      return {
        backend: {
          database: {
            client: 'pg',
            connection: postgres.connectionString,
            prefix: DATABASE_PREFIX,
          },
        },
        events: { useEventBus: 'never' },
        gitops: {
          workingDirectory: join(logDir, `work-${name}`),
          fieldManager: FIELD_MANAGER,
          configRepos: [{ id: REPO, url: remote.url }],
          clusters: CLUSTERS.map(clusterName => ({
            name: clusterName,
            kubeconfig: { path: cluster.kubeconfigPath },
          })),
          poll: {
            frequency: { seconds: 1 },
            timeout: { seconds: 60 },
            initialDelay: { seconds: 0 },
          },
          changes: {
            track: {
              frequency: { seconds: 2 },
              timeout: { seconds: 10 },
              initialDelay: { seconds: 1 },
            },
          },
          replicas: { leaseSeconds: LEASE_SECONDS },
        },
      };
    }

    async function startReplica(hangFile?: string): Promise<ReplicaProcess> {
      started += 1;
      const name = `replica-${started}`;
      const replica = await ReplicaProcess.start({
        name,
        config: config(name),
        logDir,
        hangFile,
      });
      replicas.push(replica);
      return replica;
    }

    /** Replica ids embed the process id: `host-PID-random`. */
    const replicaOf = (holder: string | null) =>
      replicas.find(r => holder?.includes(`-${r.pid}-`));

    async function leases(): Promise<LeaseRow[]> {
      const rows = await db('gitops_cluster_leases')
        .select(
          'cluster',
          'holder',
          db.raw('coalesce(expires_at > now(), false) as live'),
        )
        .orderBy('cluster');
      return rows.map(row => ({
        cluster: row.cluster,
        holder: row.holder,
        live: row.live,
      }));
    }

    /** Every cluster held, by a live lease, by one of `expected` (running replicas), `perReplica` each. */
    async function waitForShares(
      expected: ReplicaProcess[],
      perReplica: number[],
    ) {
      return waitUntil(
        leases,
        rows => {
          expect(rows.map(row => row.cluster)).toEqual(CLUSTERS);
          for (const row of rows) {
            expect(row.live).toBe(true);
            expect(expected).toContain(replicaOf(row.holder));
          }
          const counts = expected.map(
            replica =>
              rows.filter(row => replicaOf(row.holder) === replica).length,
          );
          expect(counts.sort()).toEqual([...perReplica].sort());
        },
        { timeoutMs: 90_000, intervalMs: 100 },
      );
    }

    async function applicationRow(name: string) {
      return db('gitops_applications').where({ name }).first();
    }

    /** Every application Synced, with no problem, at `sha`. */
    async function waitForRevision(sha: string, names = CLUSTERS.map(appName)) {
      for (const name of names) {
        await waitUntil(
          () => applicationRow(name),
          row => {
            expect(row).toBeDefined();
            expect(JSON.parse(row.revision ?? 'null')?.sha).toBe(sha);
            expect(row.problem).toBeNull();
            expect(row.sync).toBe('Synced');
          },
          { timeoutMs: 120_000, intervalMs: 100 },
        );
      }
    }

    /** Sync runs that applied something (not skipped), per application and revision. */
    async function runsPerRevision(): Promise<Record<string, number>> {
      const rows = await db('gitops_sync_runs')
        .whereNot('result', 'skipped')
        .select('application', 'revision', 'result');
      const counts: Record<string, number> = {};
      for (const row of rows) {
        expect(row.result).toBe('succeeded');
        const key = `${row.application}@${row.revision.slice(0, 7)}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    }

    async function gitopsBranches(): Promise<string[]> {
      const out = await remote.git(
        remote.bareDir,
        'for-each-ref',
        '--format=%(refname:short) %(objectname)',
        'refs/heads/gitops/',
      );
      return out.split('\n').filter(Boolean).sort();
    }

    async function changeRow(id: string) {
      const row = await db('gitops_change_requests').where({ id }).first();
      return row ? { ...row, record: JSON.parse(row.record) } : undefined;
    }

    beforeAll(async () => {
      logDir = await fs.mkdtemp(join(tmpdir(), 'gitops-replicas-'));
      prefix = uniqueName('replicas');
      [cluster, postgres, remote] = await Promise.all([
        startTestCluster(),
        startTestPostgres(),
        TestGitRemote.create(),
      ]);
      client = new KubeHttpClient(cluster.kubeConfig);
      for (const clusterName of CLUSTERS) {
        await client.apply(
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: namespaceOf(clusterName) },
          },
          { fieldManager: 'test' },
        );
      }
      await commit('Three applications, one per cluster');
      db = knexFactory({
        client: 'pg',
        connection: `${postgres.connectionString}/${DATABASE_PREFIX}gitops`,
        pool: { min: 0, max: 2 },
      });
    }, 240_000);

    afterAll(async () => {
      await Promise.all(replicas.map(replica => replica.kill()));
      await db?.destroy();
      client?.close();
      await postgres?.remove();
      await cluster?.stop();
      await remote?.cleanup();
      if (logDir) await fs.rm(logDir, { recursive: true, force: true });
    }, 180_000);

    /** Runs a test's body; when it fails, prints what the replicas logged. */
    async function withReplicaLogs(body: () => Promise<void>): Promise<void> {
      try {
        await body();
      } catch (error) {
        for (const replica of replicas) {
          // eslint-disable-next-line no-console
          console.log(
            `--- ${replica.name} (pid ${replica.pid})\n${await replica.logTail(
              40,
            )}`,
          );
        }
        throw error;
      }
    }

    /** The branch the hanging provider pushed, once it wrote it; undefined after `timeoutMs`. */
    async function hungBranch(
      file: string,
      timeoutMs: number,
    ): Promise<string | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const branch = await fs.readFile(file, 'utf8').catch(() => undefined);
        if (branch) return branch;
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      return undefined;
    }

    it('gives each cluster to exactly one replica, moves only the excess when one joins, and syncs each revision once', () =>
      withReplicaLogs(async () => {
        const first = await startReplica();
        // The first creates the database and migrates it; the second joins a running deployment.
        const second = await startReplica();
        await waitForShares([first, second], [1, 2]);
        const r1 = await remote.git(remote.workTree, 'rev-parse', 'HEAD');
        await waitForRevision(r1.trim());

        const before = await leases();
        const third = await startReplica();
        const after = await waitForShares([first, second, third], [1, 1, 1]);
        // ceil(3 / 3) = 1: only the replica that held two gave one up; the other kept its cluster.
        const moved = after.filter(
          row =>
            before.find(b => b.cluster === row.cluster)!.holder !== row.holder,
        );
        expect(moved).toHaveLength(1);
        expect(replicaOf(moved[0].holder)).toBe(third);

        image = '1.1.0';
        const committed = Date.now();
        const r2 = await commit('shop 1.1.0 everywhere');
        await waitForRevision(r2);
        // Each replica polls for itself (every second here): a poll that only one replica at a time may run
        // would leave the others' clusters minutes behind.
        // eslint-disable-next-line no-console
        console.log(
          `commit -> synced on every cluster: ${Date.now() - committed} ms`,
        );
        expect(Date.now() - committed).toBeLessThan(30_000);
        const globalTasks = await db('backstage_backend_tasks__tasks').pluck(
          'id',
        );
        expect(globalTasks).toContain('gitops-change-tracker');
        expect(globalTasks).not.toContain(`gitops-poll-${REPO}`);
        const runs = await runsPerRevision();
        for (const name of CLUSTERS.map(appName)) {
          expect(runs[`${name}@${r1.slice(0, 7)}`]).toBe(1);
          expect(runs[`${name}@${r2.slice(0, 7)}`]).toBe(1);
        }
      }));

    it('hands the clusters of a killed replica to the others within a lease and a third, and applies the next revision once', () =>
      withReplicaLogs(async () => {
        const running = replicas.filter(replica => replica.alive);
        const rows = await leases();
        const victim = replicaOf(
          rows.find(row => row.cluster === 'east')!.holder,
        )!;
        const orphaned = rows
          .filter(row => replicaOf(row.holder) === victim)
          .map(row => row.cluster);

        const killedAt = Date.now();
        await victim.kill();
        image = '1.2.0';
        const r3 = await commit('shop 1.2.0 everywhere');
        const survivors = running.filter(replica => replica !== victim);
        await waitUntil(
          leases,
          current => {
            for (const clusterName of orphaned) {
              const row = current.find(r => r.cluster === clusterName)!;
              expect(row.live).toBe(true);
              expect(survivors).toContain(replicaOf(row.holder));
            }
          },
          { timeoutMs: 60_000, intervalMs: 50 },
        );
        const takeoverMs = Date.now() - killedAt;
        await waitForRevision(r3, orphaned.map(appName));
        const syncedMs = Date.now() - killedAt;
        // eslint-disable-next-line no-console
        console.log(
          `replica killed -> its clusters (${orphaned.join(
            ', ',
          )}) held by another: ${takeoverMs} ms; ` +
            `-> next revision synced there: ${syncedMs} ms (lease ${LEASE_SECONDS} s)`,
        );
        // Expiry of the lease and the heartbeat, then at most one renewal period; the rest is slack for 2 cores.
        expect(takeoverMs).toBeLessThan(LEASE_SECONDS * 1000 * (4 / 3) + 5000);
        await waitForShares(survivors, [1, 2]);
        await waitForRevision(r3);

        const runs = await runsPerRevision();
        for (const name of CLUSTERS.map(appName)) {
          expect(runs[`${name}@${r3.slice(0, 7)}`]).toBe(1);
        }
        // Per cluster, the replicas' own logs never show two of them holding it at the same moment.
        const intervals = (
          await Promise.all(
            replicas.map(replica =>
              ownershipIntervals(
                replica,
                replica === victim ? killedAt : Date.now(),
              ),
            ),
          )
        ).flat();
        for (const clusterName of CLUSTERS) {
          const spans = intervals
            .filter(span => span.cluster === clusterName)
            .sort((a, b) => a.from - b.from);
          for (let i = 1; i < spans.length; i++) {
            expect(spans[i].from).toBeGreaterThanOrEqual(spans[i - 1].to);
          }
        }
      }));

    it('runs a "sync now" sent to a replica that does not hold the cluster on the one that does, and settles runs a dead replica left running', () =>
      withReplicaLogs(async () => {
        const rows = await leases();
        const owner = replicaOf(
          rows.find(row => row.cluster === 'west')!.holder,
        )!;
        const other = replicas.find(
          replica => replica.alive && replica !== owner,
        )!;
        const response = await fetch(
          other.url(`/api/gitops/applications/${appName('west')}/sync`),
          {
            method: 'POST',
          },
        );
        expect(response.status).toBe(202);
        const queued = await response.json();
        expect(queued).toMatchObject({ trigger: 'manual', result: 'running' });
        expect(queued.message).toMatch(
          /^Queued for the replica that watches cluster west/,
        );
        const done = await waitUntil(
          () => db('gitops_sync_runs').where({ id: queued.id }).first(),
          row => expect(row?.result).toBe('succeeded'),
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        const line = `Sync of ${appName('west')} at ${
          done.revision
        } (manual) succeeded`;
        expect(await fs.readFile(owner.logFile, 'utf8')).toContain(line);
        expect(await fs.readFile(other.logFile, 'utf8')).not.toContain(line);

        // A run the killed replica would have left `running` (it was mid-sync): the cluster's holder fails it.
        const orphan = {
          id: '00000000-0000-4000-8000-000000000001',
          application: appName('north'),
          trigger: 'automated',
          revision: done.revision,
          started_at: new Date().toISOString(),
          result: 'running',
          resources: '[]',
        };
        await db('gitops_sync_runs').insert(orphan);
        const settled = await waitUntil(
          () => db('gitops_sync_runs').where({ id: orphan.id }).first(),
          row => expect(row?.result).toBe('failed'),
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        expect(settled.message).toBe(
          'the backend stopped before this sync finished',
        );
      }));

    it('opens one branch for a change request sent to two replicas at once with the same idempotency key', () =>
      withReplicaLogs(async () => {
        const [a, b] = replicas.filter(replica => replica.alive);
        const body = JSON.stringify({
          changes: [
            { type: 'image', application: appName('west'), tag: '2.0.0' },
          ],
          idempotencyKey: 'retried-by-a-load-balancer',
        });
        const before = await gitopsBranches();
        const answers = await Promise.all(
          [a, b].map(async replica => {
            const response = await fetch(replica.url('/api/gitops/changes'), {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body,
            });
            return { status: response.status, body: await response.json() };
          }),
        );
        expect(answers.map(answer => answer.status).sort()).toEqual([200, 201]);
        const [id] = new Set(answers.map(answer => answer.body.id));
        expect(answers.every(answer => answer.body.id === id)).toBe(true);

        const open = await waitUntil(
          () => changeRow(id),
          row => expect(row?.record.state).toBe('pr-open'),
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        const branches = await gitopsBranches();
        expect(branches.filter(branch => !before.includes(branch))).toEqual([
          `gitops/${id} ${open!.record.pullRequest.headSha}`,
        ]);
        expect(
          await db('gitops_change_requests').where({
            idempotency_key: 'retried-by-a-load-balancer',
          }),
        ).toHaveLength(1);
      }));

    it('resumes a change request whose replica was killed after storing it and before its PR opened: one branch, then pr-open', () =>
      withReplicaLogs(async () => {
        // Alone, so no other replica's tracker finishes the request before the kill.
        await Promise.all(
          replicas
            .filter(replica => replica.alive)
            .map(replica => replica.stop()),
        );
        const hangFile = join(logDir, 'hang');
        const doomed = await startReplica(hangFile);
        const body = JSON.stringify({
          changes: [
            { type: 'image', application: appName('north'), tag: '3.0.0' },
          ],
          idempotencyKey: 'interrupted',
        });
        let branch: string | undefined;
        // Until its first fetch the replica cannot plan a change, and answers so: then ask again, bounded.
        for (let attempt = 1; attempt <= 20 && !branch; attempt++) {
          const answered = fetch(doomed.url('/api/gitops/changes'), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
          }).then(
            response => `HTTP ${response.status}`,
            (error: Error) => error.message,
          );
          const outcome = await Promise.race([
            answered,
            hungBranch(hangFile, 60_000),
          ]);
          if (outcome?.startsWith('gitops/')) branch = outcome;
          else await new Promise(resolve => setTimeout(resolve, 1000));
        }
        expect(branch).toMatch(/^gitops\/cr-[0-9a-f]{20}$/);
        const id = branch!.slice('gitops/'.length);
        const stored = await changeRow(id);
        expect(stored?.record.state).toBe('checked');
        const [pushed] = (await gitopsBranches()).filter(line =>
          line.startsWith(`${branch} `),
        );
        expect(pushed).toBeDefined();

        await doomed.kill();
        const restartedAt = Date.now();
        await startReplica();
        const resumed = await waitUntil(
          () => changeRow(id),
          row => expect(row?.record.state).toBe('pr-open'),
          { timeoutMs: 90_000, intervalMs: 200 },
        );
        // eslint-disable-next-line no-console
        console.log(
          `replica restarted -> interrupted change request pr-open: ${
            Date.now() - restartedAt
          } ms`,
        );
        expect(resumed!.record.pullRequest).toMatchObject({
          branch,
          headSha: pushed.split(' ')[1],
        });
        expect(
          (await gitopsBranches()).filter(line =>
            line.startsWith(`${branch} `),
          ),
        ).toEqual([pushed]);
        expect(
          resumed!.record.events.map((event: { state: string }) => event.state),
        ).toEqual(['draft', 'checked', 'pr-open']);
      }));
  },
);
