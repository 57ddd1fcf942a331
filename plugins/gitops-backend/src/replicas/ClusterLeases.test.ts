import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { ClusterLeases, type ClusterReleaseReason } from './ClusterLeases';

jest.setTimeout(60_000);

// PostgreSQL runs too when its connection string is set (scripts/postgres.sh); sharing needs it.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const postgres = databases
  .eachSupportedId()
  .filter(([id]) => id === 'POSTGRES_15');

const CLUSTERS = ['east', 'north', 'west'];
const LEASE_MS = 3000;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A replica whose rounds the test drives, recording what its handlers were told. */
function replica(db: Knex, id: string, clusters = CLUSTERS) {
  const events: string[] = [];
  const leases = new ClusterLeases({
    db,
    clusters,
    logger: mockServices.logger.mock(),
    leaseMs: LEASE_MS,
    replicaId: id,
    handlers: {
      onAcquire: cluster => {
        events.push(`+${cluster}`);
      },
      onRelease: (cluster: string, reason: ClusterReleaseReason) => {
        events.push(`-${cluster} ${reason}`);
      },
    },
  });
  return Object.assign(leases, { events });
}

type Replica = ReturnType<typeof replica>;

/** One round on every replica at once, as their timers would run them. */
async function roundAll(replicas: ClusterLeases[]): Promise<void> {
  await Promise.all(replicas.map(r => r.tick()));
}

/** Each cluster acted on by at most one replica, and the database names that same replica. */
async function expectExclusive(replicas: ClusterLeases[]): Promise<void> {
  const rows = await replicas[0].snapshot();
  for (const cluster of CLUSTERS) {
    const owners = replicas.filter(r => r.owns(cluster)).map(r => r.replicaId);
    expect(owners.length).toBeLessThanOrEqual(1);
    if (owners.length === 1) {
      expect(rows.find(row => row.cluster === cluster)?.holder).toBe(owners[0]);
    }
  }
}

function heldCounts(replicas: ClusterLeases[]): number[] {
  return replicas.map(r => r.owned().length);
}

describe('ClusterLeases', () => {
  it('owns every cluster on SQLite, a single process, and lets go of them all on stop', async () => {
    const db = await databases.init('SQLITE_3');
    const only = replica(db, 'only');
    expect(only.shared).toBe(false);
    await only.start();
    expect(only.owned()).toEqual(CLUSTERS);
    expect(only.events.sort()).toEqual(['+east', '+north', '+west']);
    await only.stop();
    expect(only.owned()).toEqual([]);
    expect(only.events.filter(e => e.startsWith('-')).sort()).toEqual([
      '-east shutdown',
      '-north shutdown',
      '-west shutdown',
    ]);
  });

  describe.each(postgres)('on %p', databaseId => {
    let db: Knex;
    const running: Replica[] = [];

    beforeEach(async () => {
      db = await databases.init(databaseId);
      await db.migrate.latest({
        directory: resolvePackagePath(
          '@backstage-gitops/plugin-gitops-backend',
          'migrations',
        ),
      });
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map(r => r.stop()));
    });

    function started(id: string): Replica {
      const r = replica(db, id);
      running.push(r);
      return r;
    }

    it('gives a lone replica every cluster, then moves only the excess to replicas that join', async () => {
      const a = started('a');
      await a.tick();
      expect(a.owned()).toEqual(CLUSTERS);

      const b = started('b');
      for (let i = 0; i < 3; i++) {
        await roundAll([a, b]);
        await expectExclusive([a, b]);
      }
      expect(heldCounts([a, b]).sort()).toEqual([1, 2]);
      // ceil(3 / 2) = 2: a gave up exactly one cluster, b took exactly that one.
      expect(a.events.filter(e => e.startsWith('-'))).toHaveLength(1);
      expect(b.events).toHaveLength(1);

      const c = started('c');
      for (let i = 0; i < 3; i++) {
        await roundAll([a, b, c]);
        await expectExclusive([a, b, c]);
      }
      expect(heldCounts([a, b, c])).toEqual([1, 1, 1]);
      expect(a.events.filter(e => e.endsWith('rebalance'))).toHaveLength(2);
      expect(b.events.filter(e => e.startsWith('-'))).toEqual([]);
    });

    it('never lets two replicas hold a cluster when several claim at once', async () => {
      const replicas = ['r1', 'r2', 'r3', 'r4', 'r5'].map(started);
      for (let i = 0; i < 6; i++) {
        await roundAll(replicas);
        await expectExclusive(replicas);
      }
      const held = replicas.flatMap(r => r.owned()).sort();
      expect(held).toEqual(CLUSTERS);
    });

    it('takes over the clusters of a replica that stopped renewing once its lease expired, and that replica stops acting first', async () => {
      const a = started('a');
      const b = started('b');
      for (let i = 0; i < 3; i++) await roundAll([a, b]);
      const orphaned = b.owned();
      expect(orphaned.length).toBeGreaterThan(0);

      // b is killed: it never renews again. a keeps its rhythm (a third of the lease).
      const killedAt = Date.now();
      let takenOverAt: number | undefined;
      while (Date.now() - killedAt < 3 * LEASE_MS) {
        await a.tick();
        if (orphaned.every(cluster => a.owns(cluster))) {
          takenOverAt = Date.now();
          break;
        }
        // While b's lease runs, a may not have its clusters; once a does, b no longer acts on them.
        for (const cluster of orphaned) {
          expect(a.owns(cluster) && b.owns(cluster)).toBe(false);
        }
        await sleep(LEASE_MS / 3);
      }
      expect(takenOverAt).toBeDefined();
      expect(a.owned()).toEqual(CLUSTERS);
      expect(orphaned.some(cluster => b.owns(cluster))).toBe(false);
      // Lease expiry plus at most one renewal period (and the statements' time).
      expect(takenOverAt! - killedAt).toBeLessThan(
        LEASE_MS + LEASE_MS / 3 + 1000,
      );
    });

    it('hands a cluster over only after its release handler finished, and frees every lease at once on stop', async () => {
      let finishRelease!: () => void;
      const releaseDone = new Promise<void>(
        resolve => (finishRelease = resolve),
      );
      const a = new ClusterLeases({
        db,
        clusters: CLUSTERS,
        logger: mockServices.logger.mock(),
        leaseMs: LEASE_MS,
        replicaId: 'a',
        handlers: { onRelease: () => releaseDone },
      });
      await a.tick();
      const b = started('b');
      await b.tick(); // b announces itself
      await a.tick(); // a's share drops to 2: it starts handing one over
      expect(a.owned()).toHaveLength(2);
      const [released] = CLUSTERS.filter(cluster => !a.owns(cluster));
      for (let i = 0; i < 3; i++) {
        await roundAll([a, b]);
        expect(b.owns(released)).toBe(false);
      }
      finishRelease();
      await sleep(50);
      await b.tick();
      expect(b.owns(released)).toBe(true);

      await a.stop();
      await b.tick();
      expect(b.owned()).toEqual(CLUSTERS);
      expect(await b.snapshot()).toEqual(
        CLUSTERS.map(cluster => ({
          cluster,
          holder: 'b',
          expiresAt: expect.any(String),
        })),
      );
    });
  });
});
