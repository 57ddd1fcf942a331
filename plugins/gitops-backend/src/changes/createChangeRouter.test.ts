import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { ChangeRequest, ChangePreview } from '@backstage-gitops/plugin-gitops-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizePermissionRequest, AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { join } from 'node:path';
import { loadApplications } from '../applications';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { ConfigRepository } from '../git';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { gitopsPlugin } from '../plugin';
import { kustomizeUnavailable, readExampleRepo } from './__testUtils__/changeTestbed';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const SHOP = 'component:default/shop-api';

type Policy = (permission: string, resourceRef?: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
let policy: Policy = () => AuthorizeResult.ALLOW;
const permissions = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map((req: AuthorizePermissionRequest) => ({ result: policy(req.permission.name, req.resourceRef) })),
});
const signals: Array<{ channel: string; message: unknown }> = [];
const recordingSignals = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({
    publish: async (signal: { channel: string; message: unknown }) => {
      signals.push(signal);
    },
  }),
});

const CAROL = 'user:default/carol';
// bob is in the platform team, carol is not: only bob's approval satisfies the prod rule.
const groupsOf: Record<string, string[]> = { [BOB]: ['group:default/platform-team'] };
const userInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    getUserInfo: async (credentials: any) => {
      const userEntityRef = credentials.principal.userEntityRef;
      return { userEntityRef, ownershipEntityRefs: [userEntityRef, ...(groupsOf[userEntityRef] ?? [])] };
    },
  }),
});

describe('the change request routes', () => {
  let skipReason: string | undefined;
  let remote: TestGitRemote;
  let server: Parameters<typeof request>[0];
  let stop: () => Promise<void>;
  const workingDirectory = createMockDirectory();

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason) {
      console.warn(`skipping the change request routes: ${skipReason}`);
      return;
    }
    remote = await TestGitRemote.create();
    await remote.commit('seed', await readExampleRepo());
    // The test backend's scheduler runs no tasks, so the store is filled as the reconciler's first poll would.
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseGitOpsStore.create({ database: { getClient: async () => knex } });
    const repo = new ConfigRepository({ id: 'demo', url: remote.url, workDir: join(remote.root, 'seed') });
    const { applications } = await loadApplications(await repo.checkout((await repo.fetch()).sha), 'demo');
    await store.syncApplications('demo', applications, new Map());
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            gitops: {
              workingDirectory: workingDirectory.path,
              configRepos: [{ id: 'demo', url: remote.url }],
              environments: { prod: { approvals: { count: 1, from: ['group:default/platform-team'] } } },
            },
          },
        }),
        mockServices.database.factory({ knex }),
        permissions.factory,
        catalogServiceMock.factory(),
        recordingSignals,
        userInfo,
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    await remote?.cleanup();
  });

  beforeEach(() => {
    policy = () => AuthorizeResult.ALLOW;
  });

  const post = (url: string, body: unknown, user = ALICE) =>
    request(server).post(`/api/gitops${url}`).set('Authorization', mockCredentials.user.header(user)).send(body as object);
  const image = (tag: string, application = 'shop-api-prod') => ({ type: 'image', application, container: 'web', tag });

  it('needs a signed-in user', async () => {

    if (skipReason) return;
    const anonymous = await request(server)
      .post('/api/gitops/changes/preview')
      .set('Authorization', mockCredentials.none.header())
      .send({ changes: [image('1.5.0')] });
    expect(anonymous.status).toBe(401);
    const service = await request(server)
      .post('/api/gitops/changes')
      .set('Authorization', mockCredentials.service.header())
      .send({ changes: [image('1.5.0')] });
    expect(service.status).toBe(403);
  });

  it.each([
    ['path traversal in an application name', { changes: [image('1.5.0', '../../etc/passwd')] }, /changes.0.application: must be an application name/],
    ['an absolute path as an application', { changes: [image('1.5.0', '/etc/passwd')] }, /changes.0.application/],
    ['shell metacharacters in a tag', { changes: [image('1.5.0;rm -rf /')] }, /changes.0.tag: must be an image tag/],
    ['command substitution in an env name', { changes: [{ type: 'env', application: 'shop-api-prod', name: '$(id)', value: 'x' }] }, /changes.0.name: must be an environment variable name/],
    ['a control character in an env value', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'X', value: 'a\u0007b' }] }, /changes.0.value: must not contain control characters/],
    ['a quantity that is not one', { changes: [{ type: 'resources', application: 'shop-api-prod', limits: { memory: '1 GB' } }] }, /changes.0.limits.memory/],
    ['an unknown change type', { changes: [{ type: 'delete-cluster', application: 'shop-api-prod' }] }, /changes.0.type/],
    ['an unknown field', { changes: [image('1.5.0')], branch: 'main' }, /Unrecognized key/],
    ['a bad idempotency key', { changes: [image('1.5.0')], idempotencyKey: 'a b/../c' }, /idempotencyKey/],
    ['a base that is not a sha', { changes: [image('1.5.0')], baseSha: 'HEAD~1' }, /baseSha: must be a full commit sha/],
    ['a new service with a path in its name', { changes: [{ type: 'application', name: '../x', entityRef: SHOP, image: 'ghcr.io/acme/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x' }] }] }, /changes.0.name: must be a DNS label/],
    ['no changes', { changes: [] }, /changes/],
    ['a NUL byte in a tag', { changes: [image('1.5.0\u0000')] }, /changes.0.tag: must be an image tag/],
    ['a NUL byte in an env value', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'X', value: 'a\u0000b' }] }, /changes.0.value: must not contain control characters/],
    ['a NUL byte in an application name', { changes: [image('1.5.0', 'shop-api-prod\u0000')] }, /changes.0.application/],
    ['a look-alike Cyrillic letter in an application name', { changes: [image('1.5.0', 'shop-api-pr\u043ed')] }, /changes.0.application: must be an application name/],
    ['fullwidth dots and slash in an application name', { changes: [image('1.5.0', '\uff0e\uff0e\uff0fetc')] }, /changes.0.application/],
    ['a right-to-left override in an env value', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'X', value: 'safe\u202etxt.exe' }] }, /changes.0.value: must not contain control characters or bidirectional overrides/],
    ['a right-to-left override in the title', { changes: [image('1.5.0')], title: 'Bump \u2066admin\u2069' }, /title: must be one line/],
    ['a newline in the title', { changes: [image('1.5.0')], title: 'Bump\n\nRequested-by: user:default/ceo' }, /title: must be one line/],
    ['a control character in the description', { changes: [image('1.5.0')], description: 'ok\u001b[31mred' }, /description: must not contain control characters/],
    ['a tag of 129 characters', { changes: [image('1'.repeat(129))] }, /changes.0.tag/],
    ['an env value over 32 KiB', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'X', value: 'v'.repeat(32 * 1024 + 1) }] }, /changes.0.value/],
    ['an env name of 254 characters', { changes: [{ type: 'env', application: 'shop-api-prod', name: `X${'y'.repeat(253)}`, value: 'v' }] }, /changes.0.name/],
    ['a title of 201 characters', { changes: [image('1.5.0')], title: 't'.repeat(201) }, /title/],
    ['a description of 10,001 characters', { changes: [image('1.5.0')], description: 'd'.repeat(10_001) }, /description/],
    ['51 changes', { changes: Array.from({ length: 51 }, () => image('1.5.0')) }, /changes/],
    ['".." inside a workload name', { changes: [{ ...image('1.5.0'), workload: { kind: 'Deployment', name: 'shop..api' } }] }, /changes.0.workload.name: must be a Kubernetes object name/],
    ['a workload name that is a parent path', { changes: [{ ...image('1.5.0'), workload: { kind: 'Deployment', name: '../../etc' } }] }, /changes.0.workload.name/],
    ['".." inside a container name', { changes: [{ ...image('1.5.0'), container: 'web..x' }] }, /changes.0.container: must be a container name/],
    ['a workload kind with a slash', { changes: [{ ...image('1.5.0'), workload: { kind: 'apps/Deployment', name: 'shop-api' } }] }, /changes.0.workload.kind/],
    ['an env name with "="', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'A=B', value: 'x' }] }, /changes.0.name: must be an environment variable name/],
    ['an env name with a newline', { changes: [{ type: 'env', application: 'shop-api-prod', name: 'A\nB', value: 'x' }] }, /changes.0.name/],
    ['a codify path with quotes', { changes: [{ type: 'codify', application: 'shop-api-prod', resource: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'shop-api' }, path: "spec['a'].b" }] }, /changes.0.path: must be a field path/],
    ['a codify resource in a namespace with ".."', { changes: [{ type: 'codify', application: 'shop-api-prod', resource: { group: 'apps', kind: 'Deployment', namespace: '..', name: 'shop-api' }, path: 'spec.replicas' }] }, /changes.0.resource.namespace/],
    ['a new service whose image is a URL', { changes: [{ type: 'application', name: 'x', entityRef: SHOP, image: 'https://evil.example/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x' }] }] }, /changes.0.image/],
    ['a new service with a cluster name holding a path', { changes: [{ type: 'application', name: 'x', entityRef: SHOP, image: 'ghcr.io/acme/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x', cluster: '../prod' }] }] }, /changes.0.environments.0.cluster/],
    ['a new service with a repo id holding a path', { changes: [{ type: 'application', name: 'x', entityRef: SHOP, image: 'ghcr.io/acme/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x' }], repo: '../demo' }] }, /changes.0.repo/],
    ['an entity ref with a newline', { changes: [{ type: 'application', name: 'x', entityRef: 'component:default/x\nadmin', image: 'ghcr.io/acme/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x' }] }] }, /changes.0.entityRef/],
  ])('refuses %s with 400 and a message naming the field', async (_what, body, message) => {
    if (skipReason) return;
    const res = await post('/changes', body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
    const list = await request(server)
      .get(`/api/gitops/changes?entityRef=${SHOP}`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(list.body.items.filter((c: ChangeRequest) => c.title.includes('1.5.0;'))).toEqual([]);
  });

  it('refuses a malformed change request id in the path', async () => {

    if (skipReason) return;
    const res = await post('/changes/..%2F..%2Fetc/merge', {});
    expect(res.status).toBe(400);
  });

  it('previews, submits once, approves by someone else and merges', async () => {

    if (skipReason) return;
    const preview = await post('/changes/preview', { changes: [image('1.6.0')] });
    expect(preview.status).toBe(200);
    const body: ChangePreview = preview.body;
    expect(body.files.map(f => f.path)).toEqual(['apps/shop-api/overlays/prod/kustomization.yaml']);
    expect(body.approvalsRequired).toEqual([{ environment: 'prod', count: 1, from: ['group:default/platform-team'] }]);

    const submit = { changes: [image('1.6.0')], idempotencyKey: 'route-test-1', baseSha: body.baseSha };
    const created = await post('/changes', submit);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ state: 'pr-open', entityRef: SHOP, requestedBy: ALICE });
    expect(created.body).not.toHaveProperty('proposal');
    const retried = await post('/changes', submit);
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(id);

    const fetched = await request(server).get(`/api/gitops/changes/${id}`).set('Authorization', mockCredentials.user.header(BOB));
    expect(fetched.status).toBe(200);
    const listed = await request(server).get(`/api/gitops/changes?entityRef=${SHOP}`).set('Authorization', mockCredentials.user.header(BOB));
    expect(listed.body.items.map((c: ChangeRequest) => c.id)).toContain(id);

    const early = await post(`/changes/${id}/merge`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/still needs 1 more approval/);
    const self = await post(`/changes/${id}/approve`, {});
    expect(self.status).toBe(403);
    policy = (permission, ref) =>
      permission === 'gitops.change.approve' && ref === SHOP ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
    expect((await post(`/changes/${id}/approve`, {}, BOB)).status).toBe(403);
    policy = () => AuthorizeResult.ALLOW;

    // carol is not in the platform team: her approval is recorded but does not satisfy the rule.
    expect((await post(`/changes/${id}/approve`, {}, CAROL)).status).toBe(200);
    expect((await post(`/changes/${id}/merge`, {})).status).toBe(409);
    const approved = await post(`/changes/${id}/approve`, {}, BOB);
    expect(approved.body.approvals.map((a: { by: string }) => a.by)).toEqual([CAROL, BOB]);
    const merged = await post(`/changes/${id}/merge`, {});
    expect(merged.status).toBe(200);
    expect(merged.body.state).toBe('merged');
    expect(merged.body.pullRequest.mergeSha).toMatch(/^[0-9a-f]{40}$/);

    expect(signals.some(s => s.channel === 'gitops:change')).toBe(true);
  });

  it('answers 403 to someone who may not change the entity, and 404 for an unknown application', async () => {

    if (skipReason) return;
    policy = permission => (permission === 'gitops.change.create' ? AuthorizeResult.DENY : AuthorizeResult.ALLOW);
    const denied = await post('/changes', { changes: [image('1.7.0')] });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/may not propose changes to component:default\/shop-api/);
    policy = () => AuthorizeResult.ALLOW;
    const unknown = await post('/changes/preview', { changes: [image('1.7.0', 'nope-prod')] });
    expect(unknown.status).toBe(404);
  });

  it('answers 409 naming the policy that denies a change', async () => {

    if (skipReason) return;
    const res = await post('/changes', { changes: [{ type: 'replicas', application: 'shop-api-prod', replicas: 1 }] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/prod-min-replicas/);
  });

  it('needs entity read permission to see a change request', async () => {

    if (skipReason) return;
    const created = await post('/changes', { changes: [image('1.8.0', 'shop-api-dev')] });
    expect(created.status).toBe(201);
    policy = permission => (permission === 'gitops.entity.read' ? AuthorizeResult.DENY : AuthorizeResult.ALLOW);
    const res = await request(server).get(`/api/gitops/changes/${created.body.id}`).set('Authorization', mockCredentials.user.header(BOB));
    expect(res.status).toBe(403);
    const all = await request(server).get('/api/gitops/changes').set('Authorization', mockCredentials.user.header(BOB));
    expect(all.status).toBe(200);
    policy = permission => (permission === 'gitops.fleet.read' ? AuthorizeResult.DENY : AuthorizeResult.ALLOW);
    const denied = await request(server).get('/api/gitops/changes').set('Authorization', mockCredentials.user.header(BOB));
    expect(denied.status).toBe(403);
    // The requester can still cancel it.
    policy = () => AuthorizeResult.ALLOW;
    const cancelled = await post(`/changes/${created.body.id}/cancel`, {});
    expect(cancelled.body.state).toBe('closed');
  });
});
