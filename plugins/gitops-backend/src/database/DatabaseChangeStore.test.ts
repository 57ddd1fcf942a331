import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { DatabaseChangeStore, StoredChangeRequest } from './DatabaseChangeStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function createStore(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  return DatabaseChangeStore.create({ database: { getClient: async () => knex } });
}

function request(id: string, overrides: Partial<StoredChangeRequest> = {}): StoredChangeRequest {
  const at = `2026-11-26T12:${id.slice(-2)}:00.000Z`;
  return {
    id,
    title: `change ${id}`,
    entityRef: 'component:default/shop-api',
    repo: 'demo',
    changes: [{ type: 'image', application: 'shop-api-dev', tag: '1.0.0' }],
    applications: [{ name: 'shop-api-dev', environment: 'dev' }],
    state: 'checked',
    requestedBy: 'user:default/alice',
    createdAt: at,
    updatedAt: at,
    baseSha: 'a'.repeat(40),
    policy: { verdict: 'allow', findings: [] },
    approvals: [],
    approvalsRequired: [],
    events: [{ at, state: 'checked' }],
    proposal: { files: [{ path: 'apps/shop-api/overlays/dev/kustomization.yaml', content: 'x' }] },
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseChangeStore on %p', databaseId => {
  it('keeps one request per idempotency key and requester, even when two submits race', async () => {
    const store = await createStore(databaseId);
    const [a, b] = await Promise.all([
      store.insert(request('cr-01'), 'key-1'),
      store.insert(request('cr-02'), 'key-1'),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.request.id).toBe(b.request.id);
    expect((await store.list()).items).toHaveLength(1);
    // Another requester may use the same key.
    const other = await store.insert(request('cr-03', { requestedBy: 'user:default/bob' }), 'key-1');
    expect(other.created).toBe(true);
  });

  it('updates in a transaction and never writes when the mutation declines', async () => {
    const store = await createStore(databaseId);
    await store.insert(request('cr-04'));
    const updated = await store.update('cr-04', current => ({ ...current, state: 'pr-open' }));
    expect(updated.state).toBe('pr-open');
    const unchanged = await store.update('cr-04', () => undefined);
    expect(unchanged.state).toBe('pr-open');
    expect((await store.get('cr-04'))?.proposal.files).toHaveLength(1);
    await expect(store.update('cr-nope', c => c)).rejects.toThrow(NotFoundError);
  });

  it('serializes concurrent updates of one request: no step is lost', async () => {
    const store = await createStore(databaseId);
    await store.insert(request('cr-05'));
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.update('cr-05', current => ({
          ...current,
          events: [...current.events, { at: current.updatedAt, state: current.state, message: `step ${i}` }],
        })),
      ),
    );
    expect((await store.get('cr-05'))?.events).toHaveLength(9);
  });

  it('lists newest first by entity and state, page by page, without the proposed files', async () => {
    const store = await createStore(databaseId);
    for (const id of ['cr-10', 'cr-11', 'cr-12', 'cr-13']) {
      await store.insert(request(id, id === 'cr-12' ? { entityRef: 'component:default/ledger' } : {}));
    }
    await store.update('cr-13', c => ({ ...c, state: 'healthy' }));
    const first = await store.list({ entityRef: 'Component:default/Shop-API', limit: 2 });
    expect(first.items.map(i => i.id)).toEqual(['cr-13', 'cr-11']);
    expect(first.items[0]).not.toHaveProperty('proposal');
    const second = await store.list({ entityRef: 'component:default/shop-api', limit: 2, cursor: first.nextCursor });
    expect(second.items.map(i => i.id)).toEqual(['cr-10']);
    expect(second.nextCursor).toBeUndefined();
    expect((await store.list({ state: 'healthy' })).items.map(i => i.id)).toEqual(['cr-13']);
    expect((await store.listActive()).map(i => i.id)).toEqual(['cr-10', 'cr-11', 'cr-12']);
  });
});
