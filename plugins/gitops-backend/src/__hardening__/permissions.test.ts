import {
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import {
  kustomizeUnavailable,
  readExampleRepo,
} from '../changes/__testUtils__/changeTestbed';
import {
  ALICE,
  BOB,
  allowAll,
  startGitopsBackend,
  type GitopsBackend,
  type Policy,
} from './__testUtils__/startGitopsBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const SHOP = 'component:default/shop-api';
const LEDGER = 'component:default/ledger';

/** bob may do nothing at all on shop-api; everything else, and the fleet, stays allowed. */
const bobDeniedShop: Policy = (_permission, resourceRef, user) =>
  user === BOB && resourceRef === SHOP
    ? AuthorizeResult.DENY
    : AuthorizeResult.ALLOW;

describe('every route refuses an entity the permission policy denies, and changes nothing', () => {
  let skipReason: string | undefined;
  let remote: TestGitRemote;
  let backend: GitopsBackend;
  let shopRequest: ChangeRequest;
  let ledgerRequest: ChangeRequest;
  const workingDirectory = createMockDirectory();

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason) {
      console.warn(`skipping the permission matrix: ${skipReason}`);
      return;
    }
    remote = await TestGitRemote.create();
    await remote.commit('seed', await readExampleRepo());
    backend = await startGitopsBackend({
      knex: await databases.init('SQLITE_3'),
      gitops: {
        workingDirectory: workingDirectory.path,
        configRepos: [{ id: 'demo', url: remote.url }],
      },
    });
    await backend.triggerTask('gitops-poll-demo');
    const image = (application: string, tag: string, container?: string) => ({
      changes: [
        {
          type: 'image',
          application,
          tag,
          ...(container ? { container } : {}),
        },
      ],
    });
    const shop = await backend.post(
      '/changes',
      image('shop-api-dev', '1.9.0', 'web'),
    );
    const ledger = await backend.post('/changes', image('ledger-dev', '2.9.0'));
    if (shop.status !== 201 || ledger.status !== 201) {
      throw new Error(
        `seeding change requests failed: ${shop.text} ${ledger.text}`,
      );
    }
    shopRequest = shop.body;
    ledgerRequest = ledger.body;
  });

  afterAll(async () => {
    await backend?.stop();
    await remote?.cleanup();
  });

  beforeEach(() => {
    if (backend) backend.policy = allowAll;
  });

  /** What a refused call must leave as it was: branches, change requests, sync runs. */
  async function snapshot() {
    backend.policy = allowAll;
    const branches = await remote.git(
      remote.bareDir,
      'for-each-ref',
      '--format=%(refname:short) %(objectname)',
      'refs/heads',
    );
    const changes = (await backend.get('/changes')).body.items.map(
      (c: ChangeRequest) => ({
        id: c.id,
        state: c.state,
        approvals: c.approvals,
        updatedAt: c.updatedAt,
      }),
    );
    const syncs = (await backend.get('/applications/shop-api-dev/syncs')).body
      .items;
    backend.policy = bobDeniedShop;
    return { branches, changes, syncs };
  }

  const routes: Array<[string, () => Promise<{ status: number; body: any }>]> =
    [
      [
        'GET status',
        () => backend.get('/entities/component/default/shop-api/status', BOB),
      ],
      ['GET application', () => backend.get('/applications/shop-api-dev', BOB)],
      [
        'GET history',
        () => backend.get('/applications/shop-api-dev/history', BOB),
      ],
      ['GET syncs', () => backend.get('/applications/shop-api-dev/syncs', BOB)],
      [
        'POST sync now',
        () => backend.post('/applications/shop-api-dev/sync', {}, BOB),
      ],
      [
        'GET changes of the entity',
        () => backend.get(`/changes?entityRef=${SHOP}`, BOB),
      ],
      [
        'GET a change request',
        () => backend.get(`/changes/${shopRequest.id}`, BOB),
      ],
      [
        'POST preview',
        () =>
          backend.post(
            '/changes/preview',
            {
              changes: [
                { type: 'replicas', application: 'shop-api-dev', replicas: 3 },
              ],
            },
            BOB,
          ),
      ],
      [
        'POST submit',
        () =>
          backend.post(
            '/changes',
            {
              changes: [
                { type: 'replicas', application: 'shop-api-dev', replicas: 3 },
              ],
            },
            BOB,
          ),
      ],
      [
        'POST submit of a new application for the entity',
        () =>
          backend.post(
            '/changes',
            {
              changes: [
                {
                  type: 'application',
                  name: 'shop-api-2',
                  entityRef: SHOP,
                  image: 'ghcr.io/acme/shop',
                  tag: '1',
                  port: 80,
                  environments: [{ name: 'dev', namespace: 'shop2-dev' }],
                },
              ],
            },
            BOB,
          ),
      ],
      [
        "POST rollback of the entity's request",
        () =>
          backend.post(
            '/changes',
            { changes: [{ type: 'rollback', changeRequest: shopRequest.id }] },
            BOB,
          ),
      ],
      [
        'POST approve',
        () => backend.post(`/changes/${shopRequest.id}/approve`, {}, BOB),
      ],
      [
        'POST merge',
        () => backend.post(`/changes/${shopRequest.id}/merge`, {}, BOB),
      ],
      [
        'POST cancel',
        () => backend.post(`/changes/${shopRequest.id}/cancel`, {}, BOB),
      ],
    ];

  it.each(routes)(
    '%s answers 403 and leaves Git, change requests and sync runs as they were',
    async (_, call) => {
      if (skipReason) return;
      const before = await snapshot();
      const res = await call();
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      // Nothing about the entity leaks through the refusal besides its name.
      expect(JSON.stringify(res.body)).not.toMatch(
        /shop-dev|newTag|ghcr\.io|1\.9\.0/,
      );
      expect(await snapshot()).toEqual(before);
    },
  );

  it('refuses a preview before planning it: a change that would fail planning still answers 403, not its planning error', async () => {
    if (skipReason) return;
    backend.policy = bobDeniedShop;
    // Codifying a field that has not drifted is a planning error (400) for someone allowed to try.
    const codify = {
      changes: [
        {
          type: 'codify',
          application: 'shop-api-dev',
          resource: {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'shop-dev',
            name: 'shop-api',
          },
          path: 'spec.replicas',
        },
      ],
    };
    expect((await backend.post('/changes/preview', codify, BOB)).status).toBe(
      403,
    );
    backend.policy = allowAll;
    const planned = await backend.post('/changes/preview', codify, BOB);
    expect(planned.body.error.message).toMatch(/spec\.replicas/);
    expect(planned.status).toBe(404);
  });

  it('lists, with gitops.fleet.read, only the change requests of entities the caller may read', async () => {
    if (skipReason) return;
    backend.policy = bobDeniedShop;
    const res = await backend.get('/changes', BOB);
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: ChangeRequest) => c.id)).toEqual([
      ledgerRequest.id,
    ]);
    expect(
      (await backend.get('/changes', ALICE)).body.items
        .map((c: ChangeRequest) => c.id)
        .sort(),
    ).toEqual([shopRequest.id, ledgerRequest.id].sort());
  });

  it('leaves the denied entity out of the fleet', async () => {
    if (skipReason) return;
    backend.policy = bobDeniedShop;
    const res = await backend.get('/fleet', BOB);
    expect(res.status).toBe(200);
    const entities = new Set(
      res.body.items.map(
        (item: { application: { entityRef: string } }) =>
          item.application.entityRef,
      ),
    );
    expect(entities.has(SHOP)).toBe(false);
    expect(entities.has(LEDGER)).toBe(true);
  });

  it('does not hand back an earlier request to a requester who lost access, when a retry reuses its idempotency key', async () => {
    if (skipReason) return;
    const body = {
      changes: [
        {
          type: 'image',
          application: 'shop-api-dev',
          container: 'web',
          tag: '1.9.1',
        },
      ],
      idempotencyKey: 'retry-after-revoke',
    };
    const first = await backend.post('/changes', body, ALICE);
    expect(first.status).toBe(201);
    backend.policy = (_permission, resourceRef, user) =>
      user === ALICE && resourceRef === SHOP
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW;
    const retried = await backend.post('/changes', body, ALICE);
    expect(retried.status).toBe(403);
    expect(JSON.stringify(retried.body)).not.toContain(first.body.id);
  });
});
