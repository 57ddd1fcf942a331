import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type {
  AuditEntry,
  ChangeRequest,
} from '@backstage-gitops/plugin-gitops-common';
import { changeRequestAuditEntries, compareAuditEntries } from './auditEntries';
import { DatabaseMetricsStore } from './DatabaseMetricsStore';
import { at, changeRequest, hours } from './__testUtils__/metricsFixtures';
import { BILLING, SHOP, seedMetrics } from './__testUtils__/seedMetrics';

jest.setTimeout(60_000);

// PostgreSQL runs too when its connection string is set (scripts/postgres.sh).
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const RANGE = hours(0, 72);

async function createStore(
  databaseId: TestDatabaseId,
  options: { changeRequests?: ChangeRequest[] } = {},
) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseMetricsStore.create({
    database: { getClient: async () => knex },
  });
  await seedMetrics(knex, options);
  return store;
}

/** `application@hour` of each point, hours after T0. */
const pointsOf = (points: Array<{ application: string; at: string }>) =>
  points.map(
    p =>
      `${p.application}@${(Date.parse(p.at) - Date.parse(at(0))) / 3_600_000}`,
  );

/** Every entry of every page, walking the cursor with the given page size. */
async function walk(
  store: DatabaseMetricsStore,
  query: { limit: number; entityRef?: string; actor?: string },
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.listAudit({ ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    entries.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return entries;
  }
  throw new Error('the cursor never ended');
}

describe.each(databases.eachSupportedId())(
  'DatabaseMetricsStore on %p',
  databaseId => {
    describe('readHistory', () => {
      it('reads the verdict changes of the range and where every application stood at its start', async () => {
        const store = await createStore(databaseId);
        const history = await store.readHistory(RANGE, {});

        expect(pointsOf(history.points)).toEqual([
          'shop-api-dev@1',
          'shop-api-prod@2',
          'billing-prod@3',
          'removed-app@4',
          'shop-api-prod@5',
          'shop-api-prod@30',
        ]);
        expect(history.points[5]).toEqual({
          application: 'shop-api-prod',
          at: at(30),
          sync: 'OutOfSync',
          health: 'Healthy',
          revision: 'r1',
          driftCount: 1,
        });
        // The declared applications and those with history in the range; long-gone is neither.
        expect([...history.start.keys()].sort()).toEqual([
          'billing-prod',
          'removed-app',
          'shop-api-dev',
          'shop-api-prod',
        ]);
        expect(history.start.get('shop-api-prod')).toEqual({
          last: {
            application: 'shop-api-prod',
            at: at(-20),
            sync: 'Synced',
            health: 'Progressing',
            revision: 'r0',
            driftCount: 0,
          },
          syncedRevision: 'r0',
          degradedSince: at(-30),
        });
        // Degraded, then Healthy again before the range: no spell is open.
        expect(history.start.get('shop-api-dev')).toEqual({
          last: expect.objectContaining({ at: at(-10), health: 'Healthy' }),
          syncedRevision: 'd0',
        });
        expect(history.start.get('billing-prod')).toEqual({});
      });

      it('reads on past the end of the range up to `until`', async () => {
        const store = await createStore(databaseId);
        expect(
          pointsOf(
            (await store.readHistory(RANGE, {}, RANGE.to + 10 * 3_600_000))
              .points,
          ),
        ).not.toContain('billing-prod@100');
        expect(
          pointsOf(
            (await store.readHistory(RANGE, {}, RANGE.to + 29 * 3_600_000))
              .points,
          ),
        ).toContain('billing-prod@100');
      });

      it.each`
        filter                                         | points                                                                          | applications
        ${{ entityRef: SHOP }}                         | ${['shop-api-dev@1', 'shop-api-prod@2', 'shop-api-prod@5', 'shop-api-prod@30']} | ${['shop-api-dev', 'shop-api-prod']}
        ${{ entityRef: 'Component:default/Shop-API' }} | ${['shop-api-dev@1', 'shop-api-prod@2', 'shop-api-prod@5', 'shop-api-prod@30']} | ${['shop-api-dev', 'shop-api-prod']}
        ${{ environment: 'prod' }}                     | ${['shop-api-prod@2', 'billing-prod@3', 'shop-api-prod@5', 'shop-api-prod@30']} | ${['billing-prod', 'shop-api-prod']}
        ${{ entityRef: BILLING, environment: 'dev' }}  | ${[]}                                                                           | ${[]}
      `('narrows to $filter', async ({ filter, points, applications }) => {
        const store = await createStore(databaseId);
        const history = await store.readHistory(RANGE, filter);
        expect(pointsOf(history.points)).toEqual(points);
        expect([...history.start.keys()].sort()).toEqual(applications);
      });

      it('answers nothing for a range without history or applications', async () => {
        const knex = await databases.init(databaseId);
        const store = await DatabaseMetricsStore.create({
          database: { getClient: async () => knex },
        });
        const history = await store.readHistory(RANGE, {});
        expect(history.points).toEqual([]);
        expect(history.start.size).toBe(0);
      });
    });

    describe('readChangeRequests', () => {
      it('reads the change requests with a step in the range, without their proposed files', async () => {
        const store = await createStore(databaseId);
        const requests = await store.readChangeRequests(RANGE, {});
        expect(requests.map(r => r.id).sort()).toEqual([
          'cr-b',
          'cr-c',
          'cr-e',
        ]);
        expect(requests.every(r => !('proposal' in r))).toBe(true);

        const later = await store.readChangeRequests(
          { from: RANGE.from, to: RANGE.to + 24 * 3_600_000 },
          {},
        );
        expect(later.map(r => r.id).sort()).toEqual([
          'cr-b',
          'cr-c',
          'cr-d',
          'cr-e',
        ]);
      });

      it.each`
        filter                                      | ids
        ${{ entityRef: SHOP }}                      | ${['cr-b', 'cr-c']}
        ${{ entityRef: BILLING }}                   | ${['cr-e']}
        ${{ environment: 'dev' }}                   | ${['cr-c']}
        ${{ entityRef: SHOP, environment: 'prod' }} | ${['cr-b']}
      `('narrows to $filter', async ({ filter, ids }) => {
        const store = await createStore(databaseId);
        expect(
          (await store.readChangeRequests(RANGE, filter)).map(r => r.id).sort(),
        ).toEqual(ids);
      });
    });

    describe('readCommitTimes', () => {
      it('knows the commit times of the revisions the applications run', async () => {
        const store = await createStore(databaseId);
        expect(await store.readCommitTimes({})).toEqual(
          new Map([['r1', at(4)]]),
        );
        expect(await store.readCommitTimes({ environment: 'dev' })).toEqual(
          new Map(),
        );
      });
    });

    describe('readDoraInput', () => {
      it('reads history and change requests on through the failure window', async () => {
        const store = await createStore(databaseId);
        const input = await store.readDoraInput(RANGE, {}, 30);
        expect(input.range).toEqual(RANGE);
        expect(input.failureWindowHours).toBe(30);
        expect(pointsOf(input.history.points)).toContain('billing-prod@100');
        expect(input.changeRequests.map(r => r.id).sort()).toEqual([
          'cr-b',
          'cr-c',
          'cr-d',
          'cr-e',
        ]);
        expect(input.commitTimes.get('r1')).toBe(at(4));
      });
    });

    describe('listAudit', () => {
      const ALL = [
        'cr-d:0000 user:default/alice requested',
        'sync:run-3 user:default/Carol synced',
        'cr-c:0001 user:default/carol cancelled',
        'cr-c:0000 user:default/carol requested',
        'sync:run-1 user:default/bob synced',
        'cr-b:0003 user:default/alice merged',
        'cr-e:0000 user:default/dave requested',
        'cr-b:0002 user:default/bob approved',
        'cr-b:0000 user:default/alice requested',
        'cr-a:0000 user:default/alice requested',
      ];
      const short = (entries: AuditEntry[]) =>
        entries.map(e => `${e.id} ${e.actor} ${e.action}`);

      it('lists who did what, newest first, from change request steps and manual syncs', async () => {
        const store = await createStore(databaseId);
        const page = await store.listAudit({ limit: 50 });
        expect(short(page.items)).toEqual(ALL);
        expect(page.nextCursor).toBeUndefined();
        expect(page.items[1]).toEqual({
          id: 'sync:run-3',
          at: at(20),
          actor: 'user:default/Carol',
          action: 'synced',
          entityRef: SHOP,
          application: 'shop-api-dev',
          revision: 'r1',
          result: 'succeeded',
        });
        expect(page.items[2]).toEqual({
          id: 'cr-c:0001',
          at: at(20),
          actor: 'user:default/carol',
          action: 'cancelled',
          entityRef: SHOP,
          changeRequest: { id: 'cr-c', title: 'Change cr-c' },
          message: 'cancelled',
        });
      });

      it.each([1, 2, 3, 9, 10])(
        'pages by %p without losing or repeating an entry',
        async limit => {
          const store = await createStore(databaseId);
          expect(short(await walk(store, { limit }))).toEqual(ALL);
        },
      );

      it.each`
        query                                             | expected
        ${{ actor: 'user:default/carol' }}                | ${ALL.filter(line => /carol/i.test(line))}
        ${{ actor: 'USER:default/Bob' }}                  | ${ALL.filter(line => line.includes('bob'))}
        ${{ actor: 'user:default/%' }}                    | ${[]}
        ${{ actor: 'user:default/alic_' }}                | ${[]}
        ${{ entityRef: BILLING }}                         | ${['cr-e:0000 user:default/dave requested']}
        ${{ entityRef: SHOP, actor: 'user:default/bob' }} | ${['sync:run-1 user:default/bob synced', 'cr-b:0002 user:default/bob approved']}
      `('filters by $query', async ({ query, expected }) => {
        const store = await createStore(databaseId);
        expect(short(await walk(store, { limit: 1, ...query }))).toEqual(
          expected,
        );
      });

      it('scans many change requests in batches, whatever order they were last updated in', async () => {
        // Requests created an hour apart; every other one merged much later, so update order differs from creation order.
        const many = Array.from({ length: 130 }, (_, i) =>
          changeRequest(
            `cr-${String(i).padStart(3, '0')}`,
            {},
            {
              events: [
                {
                  at: at(i),
                  state: 'draft',
                  actor: `user:default/u${i % 4}`,
                  message: 'requested',
                },
                ...(i % 2 === 0
                  ? [
                      {
                        at: at(400 - i),
                        state: 'merged' as const,
                        actor: 'user:default/merger',
                        message: 'merged',
                      },
                    ]
                  : []),
              ],
            },
          ),
        );
        const store = await createStore(databaseId, { changeRequests: many });
        const expected = [
          ...many.flatMap(changeRequestAuditEntries),
          { id: 'sync:run-1', at: at(4) },
          { id: 'sync:run-3', at: at(20) },
        ]
          .sort(compareAuditEntries)
          .map(e => e.id);

        expect((await walk(store, { limit: 7 })).map(e => e.id)).toEqual(
          expected,
        );
        expect(
          (await store.listAudit({ limit: 500 })).items.map(e => e.id),
        ).toEqual(expected);
        expect(
          (await walk(store, { limit: 11, actor: 'user:default/u1' })).map(
            e => e.id,
          ),
        ).toEqual(
          many
            .filter((_, i) => i % 4 === 1)
            .map(r => `${r.id}:0000`)
            .reverse(),
        );
      });

      it('refuses a malformed cursor', async () => {
        const store = await createStore(databaseId);
        await expect(
          store.listAudit({ limit: 5, cursor: 'garbage' }),
        ).rejects.toThrow('Malformed page cursor');
      });
    });
  },
);
