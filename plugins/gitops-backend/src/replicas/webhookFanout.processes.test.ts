import knexFactory, { type Knex } from 'knex';
import { createHmac, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/*
 * A signed GitHub push webhook delivered to ONE replica refreshes EVERY replica: real backends
 * (`webhookBackend.ts`: the gitops plugin, the events backend and the GitHub webhook module) on one real
 * PostgreSQL with `events.useEventBus: always`, against a real Kubernetes control plane.
 *
 * Replica A receives the webhook; the application checked is on the cluster replica B holds, and only the
 * holder of a cluster writes its verdicts. Config repos are polled every 10 minutes here, so a verdict at the
 * new commit within seconds can only come from the webhook reaching B's reconciler through the events bus.
 * The bus relays the payload without the webhook's headers (`x-github-event`): B's push handler tells the
 * push by its payload (`handleGithubPush`), or B would drop it.
 *
 * The control runs the same with the push subscription id every replica shared before the fix: A's in-process
 * delivery is then recorded on the bus under the id B subscribes with too, so the bus stores nothing for B,
 * and B stays on the old commit until its next poll.
 */

jest.setTimeout(300_000);

const CLUSTERS = ['east', 'west'];
const REPO = 'fleet';
const LEASE_SECONDS = 4;
const POLL_MINUTES = 10;
const SECRET = 'fan-out-webhook-secret';
/** Push webhook -> verdict at the new commit on the other replica; about a second here (see the console). */
const FANOUT_BOUND_MS = 10_000;
/**
 * What the replicas are configured with, and what the webhook names: an https remote, so that `isPushTo`
 * (host and path of the repository's clone URLs) can match it. Git reads it from the local bare repository
 * through `url.<path>.insteadOf` in the replicas' git config; without that it would fail at once on a closed
 * loopback port, never reaching out.
 */
const REMOTE_URL = 'https://127.0.0.1:9/acme/fleet-config.git';

const skipReason =
  testClusterUnavailableReason() ?? testPostgresUnavailableReason();
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the webhook fan-out process tests: ${skipReason}`);
}
const describeWithProcesses = skipReason ? describe.skip : describe;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

interface Pair {
  a: ReplicaProcess;
  b: ReplicaProcess;
  gitops: Knex;
  events: Knex;
  /** The cluster each holds, one each. */
  clusterOfA: string;
  clusterOfB: string;
}

describeWithProcesses(
  'a push webhook delivered to one replica, as real processes',
  () => {
    let cluster: TestCluster;
    let postgres: TestPostgres;
    let remote: TestGitRemote;
    let logDir: string;
    let prefix: string;
    let image = '1.0.0';
    let previousXdgConfigHome: string | undefined;
    const replicas: ReplicaProcess[] = [];
    const databases: Knex[] = [];

    const appName = (clusterName: string) => `shop-${clusterName}`;

    function files(): Record<string, string> {
      const all: Record<string, string> = {};
      for (const clusterName of CLUSTERS) {
        const example = exampleApplication({
          name: appName(clusterName),
          entityRef: `component:default/shop-${clusterName}`,
          cluster: clusterName,
          namespace: `${prefix}-${clusterName}`,
          image: `shop:${image}`,
        });
        Object.assign(all, example.files);
      }
      return all;
    }

    async function startReplica(
      name: string,
      databasePrefix: string,
      sharedPushSubscription: boolean,
    ): Promise<ReplicaProcess> {
      const replica = await ReplicaProcess.start({
        name,
        entry: 'webhookBackend.ts',
        logDir,
        config: {
          backend: {
            database: {
              client: 'pg',
              connection: postgres.connectionString,
              prefix: databasePrefix,
            },
          },
          // What app-config.production.yaml sets.
          events: { useEventBus: 'always' },
          gitops: {
            workingDirectory: join(logDir, `work-${name}`),
            configRepos: [{ id: REPO, url: REMOTE_URL }],
            clusters: CLUSTERS.map(clusterName => ({
              name: clusterName,
              kubeconfig: { path: cluster.kubeconfigPath },
            })),
            // One poll at start, the next in 10 minutes: only the webhook explains a refresh in between.
            poll: {
              frequency: { minutes: POLL_MINUTES },
              timeout: { seconds: 60 },
              initialDelay: { seconds: 0 },
            },
            replicas: { leaseSeconds: LEASE_SECONDS },
            webhooks: { github: { secret: SECRET } },
          },
          gitopsTest: { sharedPushSubscription },
        },
      });
      replicas.push(replica);
      return replica;
    }

    /** Replica ids (lease holders, push subscription suffixes) embed the process id: `host-PID-random`. */
    const holds = (replica: ReplicaProcess, holder: string | null) =>
      !!holder?.includes(`-${replica.pid}-`);

    async function leaseHolders(gitops: Knex): Promise<Record<string, string>> {
      const rows = await gitops('gitops_cluster_leases')
        .where('expires_at', '>', gitops.fn.now())
        .select('cluster', 'holder');
      return Object.fromEntries(rows.map(row => [row.cluster, row.holder]));
    }

    /** Two replicas on one PostgreSQL (databases `databasePrefix*`), each holding one cluster. */
    async function startPair(
      databasePrefix: string,
      sharedPushSubscription: boolean,
    ): Promise<Pair> {
      // One after the other: the first creates the databases and migrates them.
      const a = await startReplica(
        `${databasePrefix}a`,
        databasePrefix,
        sharedPushSubscription,
      );
      const b = await startReplica(
        `${databasePrefix}b`,
        databasePrefix,
        sharedPushSubscription,
      );
      const connect = (database: string) => {
        const db = knexFactory({
          client: 'pg',
          connection: `${postgres.connectionString}/${databasePrefix}${database}`,
          pool: { min: 0, max: 2 },
        });
        databases.push(db);
        return db;
      };
      const gitops = connect('gitops');
      const events = connect('events');
      const holders = await waitUntil(
        () => leaseHolders(gitops),
        current => {
          expect(Object.keys(current).sort()).toEqual(CLUSTERS);
          expect(CLUSTERS.filter(name => holds(a, current[name]))).toHaveLength(
            1,
          );
          expect(CLUSTERS.filter(name => holds(b, current[name]))).toHaveLength(
            1,
          );
        },
        { timeoutMs: 90_000, intervalMs: 100 },
      );
      return {
        a,
        b,
        gitops,
        events,
        clusterOfA: CLUSTERS.find(name => holds(a, holders[name]))!,
        clusterOfB: CLUSTERS.find(name => holds(b, holders[name]))!,
      };
    }

    /** The status API of `replica`: the application's verdict, written by whichever replica holds its cluster. */
    async function verdictRevision(
      replica: ReplicaProcess,
      application: string,
    ): Promise<string | undefined> {
      const response = await fetch(
        replica.url(`/api/gitops/applications/${application}`),
        { signal: AbortSignal.timeout(5_000) },
      );
      if (response.status === 404) return undefined;
      expect(response.status).toBe(200);
      const detail = await response.json();
      return detail.status.revision?.sha;
    }

    /** Polls `replica`'s status API until `application`'s verdict is at `sha`; returns when it saw it. */
    async function verdictAt(
      replica: ReplicaProcess,
      application: string,
      sha: string,
      timeoutMs: number,
    ): Promise<number> {
      await waitUntil(
        () => verdictRevision(replica, application),
        revision => expect(revision).toBe(sha),
        { timeoutMs, intervalMs: 20 },
      );
      return Date.now();
    }

    /** The push subscriptions of the gitops plugin on the bus: one per replica after the fix. */
    async function pushSubscriptions(events: Knex) {
      return events('event_bus_subscriptions')
        .where('id', 'like', 'gitops.gitops-config-repos%')
        .select('id', 'read_until');
    }

    /** A GitHub push webhook, signed as GitHub signs it, to `replica`'s events endpoint. */
    async function deliverPush(
      replica: ReplicaProcess,
      before: string,
      after: string,
      secret = SECRET,
    ): Promise<Response> {
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before,
        after,
        created: false,
        deleted: false,
        forced: false,
        pusher: { name: 'ada', email: 'ada@example.com' },
        repository: {
          name: 'fleet-config',
          full_name: 'acme/fleet-config',
          clone_url: REMOTE_URL,
          html_url: REMOTE_URL.replace(/\.git$/, ''),
        },
        head_commit: { id: after, message: `shop ${image}` },
      });
      const signature = createHmac('sha256', secret).update(body).digest('hex');
      return fetch(replica.url('/api/events/http/github'), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-GitHub-Event': 'push',
          'X-GitHub-Delivery': randomUUID(),
          'X-Hub-Signature-256': `sha256=${signature}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    }

    /** Clusters `replica` took in its log (`now holds cluster X`), in order. */
    async function clustersTaken(replica: ReplicaProcess): Promise<string[]> {
      const text = (await fs.readFile(replica.logFile, 'utf8')).replace(
        ANSI,
        '',
      );
      return [...text.matchAll(/now holds cluster (\S+)/g)].map(m => m[1]);
    }

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

    beforeAll(async () => {
      logDir = await fs.mkdtemp(join(tmpdir(), 'gitops-webhook-fanout-'));
      prefix = uniqueName('fanout');
      [cluster, postgres, remote] = await Promise.all([
        startTestCluster(),
        startTestPostgres(),
        TestGitRemote.create(),
      ]);
      // Git in the replicas (they inherit this process's environment) reads REMOTE_URL from the bare repo.
      const gitConfigDir = join(logDir, 'xdg', 'git');
      await fs.mkdir(gitConfigDir, { recursive: true });
      await fs.writeFile(
        join(gitConfigDir, 'config'),
        `[url "${remote.bareDir}"]\n\tinsteadOf = ${REMOTE_URL}\n`,
      );
      previousXdgConfigHome = process.env.XDG_CONFIG_HOME;
      process.env.XDG_CONFIG_HOME = join(logDir, 'xdg');
      await remote.commit('Two applications, one per cluster', files());
    }, 240_000);

    afterAll(async () => {
      await Promise.all(replicas.map(replica => replica.kill()));
      await Promise.all(databases.map(db => db.destroy()));
      await postgres?.remove();
      await cluster?.stop();
      await remote?.cleanup();
      if (previousXdgConfigHome === undefined)
        delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = previousXdgConfigHome;
      if (logDir) await fs.rm(logDir, { recursive: true, force: true });
    }, 180_000);

    it('refreshes the replica holding the application cluster within seconds, not at its next poll', () =>
      withReplicaLogs(async () => {
        const pair = await startPair('fanout_', false);
        const { a, b, events } = pair;
        const onB = appName(pair.clusterOfB);
        const onA = appName(pair.clusterOfA);
        const r1 = (
          await remote.git(remote.workTree, 'rev-parse', 'HEAD')
        ).trim();
        // Each replica's startup poll: the holder of each cluster wrote its verdict at the first commit.
        await verdictAt(a, onB, r1, 60_000);
        await verdictAt(a, onA, r1, 60_000);
        // Both replicas subscribed to pushes on the bus, each under its own id (its replica id).
        await waitUntil(
          () => pushSubscriptions(events),
          rows => {
            expect(rows).toHaveLength(2);
            for (const replica of [a, b]) {
              expect(
                rows.filter(row => row.id.includes(`-${replica.pid}-`)),
              ).toHaveLength(1);
            }
          },
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        const takenByA = await clustersTaken(a);

        image = '1.1.0';
        const r2 = await remote.commit('shop 1.1.0', files());
        // A webhook that is not GitHub's is refused, and moves nothing.
        const forged = await deliverPush(a, r1, r2, 'not-the-secret');
        expect(forged.status).toBe(401);

        const delivered = Date.now();
        const response = await deliverPush(a, r1, r2);
        expect(response.status).toBe(202);
        const [atB, atA] = await Promise.all([
          verdictAt(a, onB, r2, FANOUT_BOUND_MS),
          verdictAt(a, onA, r2, FANOUT_BOUND_MS),
        ]);
        // eslint-disable-next-line no-console
        console.log(
          `push webhook to replica A -> verdict at the new commit on replica B (cluster ${
            pair.clusterOfB
          }): ${atB - delivered} ms; on A itself (cluster ${
            pair.clusterOfA
          }): ${atA - delivered} ms (poll every ${POLL_MINUTES} min)`,
        );
        expect(atB - delivered).toBeLessThan(FANOUT_BOUND_MS);

        // B wrote that verdict: it still holds the cluster, and A never took it.
        const holders = await leaseHolders(pair.gitops);
        expect(holds(b, holders[pair.clusterOfB])).toBe(true);
        expect(await clustersTaken(a)).toEqual(takenByA);
        // Through the bus: the push is stored for B (A's subscribers, notified in process, are listed as
        // such) and B's subscription has read past it.
        const stored = await events('event_bus_events')
          .where({ topic: 'github' })
          .select('id', 'data_json', 'notified_subscribers');
        const push = stored.find(
          row => JSON.parse(row.data_json).payload.after === r2,
        );
        expect(push).toBeDefined();
        expect(push.notified_subscribers).toEqual(
          expect.arrayContaining([
            'gitops.gitops-change-requests',
            expect.stringMatching(
              new RegExp(`^gitops\\.gitops-config-repos-.*-${a.pid}-`),
            ),
          ]),
        );
        const subscriptionOfB = (await pushSubscriptions(events)).find(row =>
          row.id.includes(`-${b.pid}-`),
        );
        expect(push.notified_subscribers.includes(subscriptionOfB!.id)).toBe(
          false,
        );
        expect(Number(subscriptionOfB!.read_until)).toBeGreaterThanOrEqual(
          Number(push.id),
        );
        // The forged one never got that far.
        expect(stored).toHaveLength(1);

        await Promise.all([a.stop(), b.stop()]);
      }));

    it('control: with one push subscription id shared by the replicas, only the receiving one refreshes', () =>
      withReplicaLogs(async () => {
        const pair = await startPair('fanout_shared_', true);
        const { a, events } = pair;
        const onB = appName(pair.clusterOfB);
        const onA = appName(pair.clusterOfA);
        const before = (
          await remote.git(remote.workTree, 'rev-parse', 'HEAD')
        ).trim();
        await verdictAt(a, onB, before, 60_000);
        await verdictAt(a, onA, before, 60_000);
        await waitUntil(
          () => pushSubscriptions(events),
          rows =>
            expect(rows.map(row => row.id)).toEqual([
              'gitops.gitops-config-repos',
            ]),
          { timeoutMs: 30_000, intervalMs: 100 },
        );

        image = '1.2.0';
        const after = await remote.commit('shop 1.2.0', files());
        const delivered = Date.now();
        expect((await deliverPush(a, before, after)).status).toBe(202);
        const atA = await verdictAt(a, onA, after, FANOUT_BOUND_MS);
        // Given as long as the fixed replicas were allowed, B is still at the old commit.
        await new Promise(resolve =>
          setTimeout(
            resolve,
            Math.max(0, delivered + FANOUT_BOUND_MS - Date.now()),
          ),
        );
        expect(await verdictRevision(a, onB)).toBe(before);
        // eslint-disable-next-line no-console
        console.log(
          `control (shared id): push webhook to replica A -> verdict on A: ${
            atA - delivered
          } ms; on replica B: still the old commit after ${
            Date.now() - delivered
          } ms`,
        );
        // Every subscriber of the topic was notified in A's process: the bus stored nothing for B.
        expect(
          await events('event_bus_events').where({ topic: 'github' }),
        ).toEqual([]);
      }));
  },
);
