import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { SyncResourceResult } from '@backstage-gitops/plugin-gitops-common';
import { DatabaseSyncStore } from './DatabaseSyncStore';

jest.setTimeout(60_000);

// PostgreSQL runs too when its connection string is set (scripts/postgres.sh).
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const SHOP = 'shop-api-prod';
const BILLING = 'billing-prod';

/** Minute `m` of a fixed day, so every timestamp the store sees is known. */
function at(minute: number, second = 0): string {
  return new Date(Date.UTC(2026, 10, 26, 12, minute, second)).toISOString();
}

const applied: SyncResourceResult[] = [
  {
    ref: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' },
    action: 'applied',
  },
  {
    ref: { group: '', kind: 'ConfigMap', namespace: 'shop', name: 'broken' },
    action: 'failed',
    message: 'ConfigMap "broken" is invalid: metadata.name: Invalid value',
  },
];

describe.each(databases.eachSupportedId())(
  'DatabaseSyncStore on %p',
  databaseId => {
    let store: DatabaseSyncStore;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      store = await DatabaseSyncStore.create({
        database: { getClient: async () => knex },
      });
    });

    it('records a run from start to finish, with its per-resource results', async () => {
      const started = await store.startRun({
        application: SHOP,
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        revision: 'a1b2c3d',
        startedAt: at(1),
      });
      expect(started).toEqual({
        id: expect.any(String),
        application: SHOP,
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        revision: 'a1b2c3d',
        startedAt: at(1),
        result: 'running',
        resources: [],
      });

      const finished = await store.finishRun(started!.id, {
        finishedAt: at(2),
        result: 'failed',
        message: '1 of 2 resources failed',
        resources: applied,
      });
      expect(finished).toEqual({
        ...started,
        finishedAt: at(2),
        result: 'failed',
        message: '1 of 2 resources failed',
        resources: applied,
      });
      expect(await store.getRun(started!.id)).toEqual(finished);
    });

    it('refuses a second running run of the same application, but not of another one', async () => {
      const first = await store.startRun({
        application: SHOP,
        trigger: 'automated',
        startedAt: at(1),
      });
      expect(first).toBeDefined();
      expect(
        await store.startRun({
          application: SHOP,
          trigger: 'manual',
          startedAt: at(2),
        }),
      ).toBeUndefined();
      expect(
        await store.startRun({
          application: BILLING,
          trigger: 'automated',
          startedAt: at(2),
        }),
      ).toBeDefined();

      await store.finishRun(first!.id, {
        finishedAt: at(3),
        result: 'succeeded',
        resources: [],
      });
      expect(
        await store.startRun({
          application: SHOP,
          trigger: 'manual',
          startedAt: at(4),
        }),
      ).toMatchObject({ result: 'running', startedAt: at(4) });
    });

    it('marks runs left running by a stopped process as failed, and leaves finished ones alone', async () => {
      const interrupted = await store.startRun({
        application: SHOP,
        trigger: 'automated',
        startedAt: at(1),
      });
      const done = await store.startRun({
        application: BILLING,
        trigger: 'manual',
        startedAt: at(1),
      });
      await store.finishRun(done!.id, {
        finishedAt: at(2),
        result: 'succeeded',
        resources: [],
      });

      expect(
        await store.failInterruptedRuns(
          at(5),
          'the backend stopped during the sync',
        ),
      ).toBe(1);
      expect(await store.getRun(interrupted!.id)).toMatchObject({
        result: 'failed',
        finishedAt: at(5),
        message: 'the backend stopped during the sync',
      });
      expect((await store.getRun(done!.id))?.result).toBe('succeeded');
      // The application can sync again.
      expect(
        await store.startRun({
          application: SHOP,
          trigger: 'manual',
          startedAt: at(6),
        }),
      ).toBeDefined();
    });

    it('keeps skipped runs as finished, and finds the newest run that applied something', async () => {
      const run = await store.startRun({
        application: SHOP,
        trigger: 'automated',
        revision: 'aaa1111',
        startedAt: at(1),
      });
      await store.finishRun(run!.id, {
        finishedAt: at(2),
        result: 'succeeded',
        resources: [],
      });
      const skipped = await store.recordSkipped({
        application: SHOP,
        trigger: 'automated',
        revision: 'bbb2222',
        startedAt: at(3),
        message: 'deny: Fridays from 16:00 (Europe/Berlin)',
      });
      expect(skipped).toMatchObject({
        result: 'skipped',
        startedAt: at(3),
        finishedAt: at(3),
      });

      expect(await store.latestRun(SHOP)).toEqual(skipped);
      expect(await store.latestRun(SHOP, { attempted: true })).toMatchObject({
        id: run!.id,
        revision: 'aaa1111',
        result: 'succeeded',
      });
      expect(await store.latestRun('no-such-app')).toBeUndefined();
    });

    it('lists runs newest first, page by page, with ties on the start time kept apart by id', async () => {
      for (const minute of [1, 2, 2, 3, 4]) {
        const run = await store.startRun({
          application: SHOP,
          trigger: 'automated',
          startedAt: at(minute),
        });
        await store.finishRun(run!.id, {
          finishedAt: at(minute, 30),
          result: 'succeeded',
          resources: [],
        });
      }
      await store.recordSkipped({
        application: BILLING,
        trigger: 'automated',
        startedAt: at(9),
        message: 'outside every allow window',
      });

      const seen: string[] = [];
      const startedAts: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns(SHOP, { limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map(item => item.id));
        startedAts.push(...page.items.map(item => item.startedAt));
        cursor = page.nextCursor;
      } while (cursor);
      expect(startedAts).toEqual([at(4), at(3), at(2), at(2), at(1)]);
      expect(new Set(seen).size).toBe(5);

      const all = await store.listRuns(SHOP, { limit: 10 });
      expect(all.nextCursor).toBeUndefined();
      expect(all.items.map(item => item.id)).toEqual(seen);
    });

    it('rejects a malformed cursor and a bad trigger with an InputError', async () => {
      await expect(
        store.listRuns(SHOP, { cursor: 'not-a-cursor' }),
      ).rejects.toMatchObject({
        name: 'InputError',
      });
      await expect(
        store.listRuns(SHOP, {
          cursor: Buffer.from('{"startedAt":1}').toString('base64url'),
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        store.startRun({
          application: SHOP,
          trigger: 'cron' as 'manual',
          startedAt: at(1),
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        store.finishRun('no-such-run', {
          finishedAt: at(1),
          result: 'succeeded',
          resources: [],
        }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('keeps a long API server message bounded', async () => {
      const run = await store.startRun({
        application: SHOP,
        trigger: 'manual',
        startedAt: at(1),
      });
      const finished = await store.finishRun(run!.id, {
        finishedAt: at(2),
        result: 'failed',
        message: 'x'.repeat(10_000),
        resources: [],
      });
      expect(finished.message!.length).toBeLessThanOrEqual(4000);
    });

    it('lists running runs for the replicas, lets one claim a queued run, and fails only the runs it names', async () => {
      const queued = await store.startRun({
        application: SHOP,
        trigger: 'manual',
        revision: 'a1b2c3d',
        startedAt: at(1),
        message: 'Queued for the replica that watches cluster east',
      });
      const orphan = await store.startRun({
        application: BILLING,
        trigger: 'automated',
        revision: 'a1b2c3d',
        startedAt: at(2),
      });
      expect((await store.listRunning()).map(run => run.id)).toEqual([
        queued!.id,
        orphan!.id,
      ]);

      const claims = await Promise.all([
        store.claimRun(queued!.id, queued!.message!),
        store.claimRun(queued!.id, queued!.message!),
      ]);
      expect(claims.sort()).toEqual([false, true]);
      expect((await store.getRun(queued!.id))?.message).toBeUndefined();

      expect(
        await store.failInterruptedRuns(at(3), 'gone', [orphan!.id]),
      ).toBe(1);
      expect((await store.getRun(orphan!.id))?.result).toBe('failed');
      expect((await store.getRun(queued!.id))?.result).toBe('running');
      expect((await store.listRunning()).map(run => run.id)).toEqual([
        queued!.id,
      ]);
    });
  },
);

describe('the sync_runs migration', () => {
  it.each(databases.eachSupportedId())(
    'goes down and up again on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await DatabaseSyncStore.create({
        database: { getClient: async () => knex },
      });
      expect(await knex.schema.hasTable('gitops_sync_runs')).toBe(true);
      const directory = resolvePackagePath(
        '@backstage-gitops/plugin-gitops-backend',
        'migrations',
      );
      await knex.migrate.down({
        directory,
        name: '20261126180000_sync_runs.js',
      });
      expect(await knex.schema.hasTable('gitops_sync_runs')).toBe(false);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('gitops_sync_runs')).toBe(true);
    },
  );
});
