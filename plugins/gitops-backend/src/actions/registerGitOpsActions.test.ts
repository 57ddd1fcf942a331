import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
} from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import {
  ChangeTestbed,
  kustomizeUnavailable,
} from '../changes/__testUtils__/changeTestbed';
import { permissionAuthorizer } from '../changes/createChangeRouter';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { DatabaseSyncStore } from '../database/DatabaseSyncStore';
import type { ApplicationVerdict } from '../database/GitOpsStore';
import type { DesiredState } from '../reconcile/Reconciler';
import { readEnvironmentPolicies } from '../sync/readEnvironmentPolicies';
import { Syncer, type SyncClusters } from '../sync/Syncer';
import {
  registerGitOpsActions,
  type GitOpsActionsOptions,
} from './registerGitOpsActions';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const SHOP = 'component:default/shop-api';
const BILLING = 'component:default/billing';
const VAULT = 'component:default/vault-proxy';
const SECRET_DESIRED = 's3cr3t-from-git-actions-41b7';
const SECRET_LIVE = 's3cr3t-in-cluster-actions-c9d0';

/** The permission policy: per permission, entity and user; each test may swap it. */
type Policy = (
  permission: string,
  resourceRef: string | undefined,
  user: string | undefined,
) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
const allowAllButMallory: Policy = (_permission, _ref, user) =>
  user === MALLORY ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
let policy: Policy = allowAllButMallory;
const authorizeCalls: Array<{ permission: string; resourceRef?: string }> = [];
const permissions = mockServices.permissions.mock({
  authorize: async (requests, options) =>
    requests.map((req: AuthorizePermissionRequest) => {
      authorizeCalls.push({
        permission: req.permission.name,
        resourceRef: req.resourceRef,
      });
      return {
        result: policy(
          req.permission.name,
          req.resourceRef,
          (
            options?.credentials?.principal as
              | { userEntityRef?: string }
              | undefined
          )?.userEntityRef,
        ),
      };
    }),
});

const userInfo = {
  getUserInfo: async (credentials: BackstageCredentials) => {
    const userEntityRef = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, 'group:default/team-shop'],
    };
  },
};

const audits: Array<{
  eventId: string;
  meta?: JsonObject;
  outcome?: 'success' | 'fail';
}> = [];
const auditor = mockServices.auditor.mock({
  createEvent: async options => {
    const record: (typeof audits)[number] = {
      eventId: options.eventId,
      meta: options.meta,
    };
    audits.push(record);
    return {
      success: async () => {
        record.outcome = 'success';
      },
      fail: async () => {
        record.outcome = 'fail';
      },
    };
  },
});

const unused = <T extends object>(what: string): T =>
  new Proxy({} as T, {
    get: () => {
      throw new Error(`this test does not expect ${what} to be used`);
    },
  });

/** A registry as the MCP backend reaches it, with the gitops actions on it; unused services throw. */
function registryWith(parts: Partial<GitOpsActionsOptions>) {
  const registry = actionsRegistryServiceMock();
  registerGitOpsActions({
    actionsRegistry: registry,
    store: unused('the status store'),
    changeService: unused('the change service'),
    syncer: unused('the syncer'),
    auth: mockServices.auth(),
    userInfo,
    permissions,
    auditor,
    ...parts,
  });
  const invoke = (
    name: string,
    input: JsonObject,
    credentials: BackstageCredentials = mockCredentials.user(ALICE),
  ) =>
    registry
      .invoke({ id: `test:${name}`, input, credentials })
      .then(result => result.output as any);
  return { registry, invoke };
}

beforeEach(() => {
  policy = allowAllButMallory;
  authorizeCalls.length = 0;
  audits.length = 0;
});

describe('the gitops actions as a client lists them', () => {
  it('offers five actions, each described, with JSON schemas and honest attributes', async () => {
    const { registry } = registryWith({});
    const { actions } = await registry.list();
    expect(actions.map(a => [a.name, a.attributes])).toEqual([
      [
        'get-gitops-status',
        { destructive: false, readOnly: true, idempotent: true },
      ],
      [
        'get-gitops-drift',
        { destructive: false, readOnly: true, idempotent: true },
      ],
      [
        'preview-gitops-change',
        { destructive: false, readOnly: true, idempotent: true },
      ],
      [
        'request-gitops-change',
        { destructive: false, readOnly: false, idempotent: true },
      ],
      [
        'sync-gitops-application',
        { destructive: true, readOnly: false, idempotent: false },
      ],
    ]);
    for (const action of actions) {
      expect(action.title.length).toBeGreaterThan(10);
      expect(action.description.length).toBeGreaterThan(200);
      expect(action.schema.input).toMatchObject({ type: 'object' });
      expect(action.schema.output).toMatchObject({ type: 'object' });
      expect(action.examples?.length).toBeGreaterThan(0);
    }
    const byName = new Map(actions.map(a => [a.name, a]));
    expect(byName.get('get-gitops-status')!.schema.input).toMatchObject({
      required: ['entityRef'],
    });
    expect(byName.get('request-gitops-change')!.schema.input).toMatchObject({
      required: expect.arrayContaining(['changes', 'idempotencyKey']),
    });
    // Every change type is spelled out for the client.
    const changes = (byName.get('preview-gitops-change')!.schema.input as any)
      .properties.changes.items;
    expect(
      changes.anyOf.map((option: any) => option.properties.type.const),
    ).toEqual([
      'image',
      'replicas',
      'env',
      'resources',
      'promote',
      'rollback',
      'codify',
      'application',
    ]);
  });
});

describe('get-gitops-status and get-gitops-drift over a seeded store', () => {
  let store: DatabaseGitOpsStore;

  const spec = (
    name: string,
    entityRef: string,
    environment: string,
  ): ApplicationSpec => ({
    name,
    entityRef,
    environment,
    source: {
      repo: 'platform-config',
      path: `apps/${name}`,
      renderer: 'plain',
    },
    destination: { cluster: `${environment}-cluster`, namespace: name },
    syncPolicy: {
      automated: environment !== 'prod',
      prune: false,
      selfHeal: false,
    },
    declaredIn: `applications/${name}.yaml`,
  });

  const verdict = (drifted: boolean): ApplicationVerdict => ({
    sync: drifted ? 'OutOfSync' : 'Synced',
    health: drifted ? 'Degraded' : 'Healthy',
    revision: { sha: 'a1b2c3d', message: 'Bump images', author: 'alice' },
    resources: [
      {
        ref: {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'app',
          name: 'web',
        },
        apiVersion: 'apps/v1',
        sync: drifted ? 'OutOfSync' : 'Synced',
        health: drifted ? 'Degraded' : 'Healthy',
        drifts: drifted
          ? [
              {
                path: 'spec.template.spec.containers[name=web].image',
                type: 'changed',
                desired: 'shop-api:1.2.0',
                live: 'shop-api:1.3.0-hotfix',
                manager: 'kubectl-edit',
              },
            ]
          : [],
      },
      {
        ref: { group: '', kind: 'Secret', namespace: 'app', name: 'db' },
        apiVersion: 'v1',
        sync: drifted ? 'OutOfSync' : 'Synced',
        drifts: drifted
          ? [
              // Flagged sensitive, as the reconciler flags Secret data: the values must never come out.
              {
                path: 'data.password',
                type: 'changed',
                desired: SECRET_DESIRED,
                live: SECRET_LIVE,
                sensitive: true,
              },
            ]
          : [],
      },
      {
        ref: {
          group: '',
          kind: 'ConfigMap',
          namespace: 'app',
          name: 'settings',
        },
        apiVersion: 'v1',
        sync: 'Synced',
        drifts: [],
      },
    ],
    observedAt: '2026-11-26T12:01:00.000Z',
  });

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    store = await DatabaseGitOpsStore.create({
      database: { getClient: async () => knex },
    });
    await store.syncApplications(
      'platform-config',
      [
        spec('shop-api-prod', SHOP, 'prod'),
        spec('shop-api-dev', SHOP, 'dev'),
        spec('billing-prod', BILLING, 'prod'),
        spec('vault-proxy-prod', VAULT, 'prod'),
      ],
      new Map(),
    );
    // billing's annotation also lists the vault proxy, which belongs to another entity.
    await store.linkEntities('platform-config', [
      { entityRef: BILLING, application: 'vault-proxy-prod' },
    ]);
    await store.writeVerdict('shop-api-dev', verdict(false));
    await store.writeVerdict('shop-api-prod', verdict(true));
    await store.writeVerdict('billing-prod', verdict(false));
    await store.writeVerdict('vault-proxy-prod', verdict(false));
  });

  it('answers per environment, dev first: sync, health, revision and drift count, for an allowed user', async () => {
    const { invoke } = registryWith({ store });
    const output = await invoke('get-gitops-status', { entityRef: SHOP });
    expect(output.entityRef).toBe(SHOP);
    expect(output.applications).toEqual([
      expect.objectContaining({
        name: 'shop-api-dev',
        environment: 'dev',
        entityRef: SHOP,
        cluster: 'dev-cluster',
        namespace: 'shop-api-dev',
        automatedSync: true,
        sync: 'Synced',
        health: 'Healthy',
        driftCount: 0,
        revision: { sha: 'a1b2c3d', message: 'Bump images', author: 'alice' },
      }),
      expect.objectContaining({
        name: 'shop-api-prod',
        environment: 'prod',
        automatedSync: false,
        sync: 'OutOfSync',
        health: 'Degraded',
        driftCount: 2,
        driftSince: expect.any(String),
        resourceCounts: expect.objectContaining({ Synced: 1, OutOfSync: 2 }),
      }),
    ]);
    expect(authorizeCalls).toEqual([
      { permission: 'gitops.entity.read', resourceRef: SHOP },
    ]);
  });

  it('takes a short ref (kind component, namespace default), as the catalog does', async () => {
    const { invoke } = registryWith({ store });
    const output = await invoke('get-gitops-status', { entityRef: 'shop-api' });
    expect(output.entityRef).toBe(SHOP);
    expect(output.applications.map((a: any) => a.name)).toEqual([
      'shop-api-dev',
      'shop-api-prod',
    ]);
  });

  it('leaves out a linked application of an entity the caller may not read, as the status route does', async () => {
    const { invoke } = registryWith({ store });
    expect(
      (
        await invoke('get-gitops-status', { entityRef: BILLING })
      ).applications.map((a: any) => a.name),
    ).toEqual(['billing-prod', 'vault-proxy-prod']);
    policy = (_p, ref) =>
      ref === VAULT ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
    expect(
      (
        await invoke('get-gitops-status', { entityRef: BILLING })
      ).applications.map((a: any) => a.name),
    ).toEqual(['billing-prod']);
  });

  it('refuses a user without gitops.entity.read with NotAllowedError', async () => {
    const { invoke } = registryWith({ store });
    await expect(
      invoke(
        'get-gitops-status',
        { entityRef: SHOP },
        mockCredentials.user(MALLORY),
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      invoke(
        'get-gitops-status',
        { entityRef: SHOP },
        mockCredentials.user(MALLORY),
      ),
    ).rejects.toThrow(`Not allowed to read the GitOps status of ${SHOP}`);
  });

  it('names what is wrong with a bad entity ref, before asking the policy anything', async () => {
    const { invoke } = registryWith({ store });
    await expect(
      invoke('get-gitops-status', { entityRef: 'component:default/shop api' }),
    ).rejects.toThrow(InputError);
    await expect(
      invoke('get-gitops-status', { entityRef: 'component:default/shop api' }),
    ).rejects.toThrow(
      /Invalid entity reference: name: must be a catalog entity name/,
    );
    await expect(
      invoke('get-gitops-status', { entityRef: 'a:b:c/d' }),
    ).rejects.toThrow(/namespace: must be a catalog namespace/);
    await expect(
      invoke('get-gitops-status', { entityRef: 'component:default/' }),
    ).rejects.toThrow(
      /Invalid entity ref 'component:default\/': expected kind:namespace\/name/,
    );
    await expect(invoke('get-gitops-status', {})).rejects.toThrow(InputError);
    await expect(invoke('get-gitops-status', {})).rejects.toThrow(/entityRef/);
    expect(authorizeCalls).toEqual([]);
  });

  it("returns an application's field-level drift, only what needs attention, Secret values never included", async () => {
    const { invoke } = registryWith({ store });
    const output = await invoke('get-gitops-drift', {
      application: 'shop-api-prod',
    });
    expect(output.application).toMatchObject({
      name: 'shop-api-prod',
      sync: 'OutOfSync',
      driftCount: 2,
    });
    expect(output.totalResources).toBe(3);
    expect(output.omittedResources).toBe(1);
    const byKind = (a: any, b: any) => a.kind.localeCompare(b.kind);
    expect([...output.resources].sort(byKind)).toEqual([
      {
        group: 'apps',
        kind: 'Deployment',
        namespace: 'app',
        name: 'web',
        apiVersion: 'apps/v1',
        sync: 'OutOfSync',
        health: 'Degraded',
        drifts: [
          {
            path: 'spec.template.spec.containers[name=web].image',
            type: 'changed',
            desired: 'shop-api:1.2.0',
            live: 'shop-api:1.3.0-hotfix',
            manager: 'kubectl-edit',
            firstSeenAt: expect.any(String),
          },
        ],
      },
      {
        group: '',
        kind: 'Secret',
        namespace: 'app',
        name: 'db',
        apiVersion: 'v1',
        sync: 'OutOfSync',
        drifts: [
          {
            path: 'data.password',
            type: 'changed',
            sensitive: true,
            firstSeenAt: expect.any(String),
          },
        ],
      },
    ]);
    const text = JSON.stringify(output);
    expect(text).not.toContain(SECRET_DESIRED);
    expect(text).not.toContain(SECRET_LIVE);
    expect(authorizeCalls).toEqual([
      { permission: 'gitops.entity.read', resourceRef: SHOP },
    ]);

    const all = await invoke('get-gitops-drift', {
      application: 'shop-api-prod',
      includeSyncedResources: true,
    });
    expect(all.resources.map((r: any) => r.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Secret',
    ]);
    expect(all.omittedResources).toBe(0);
  });

  it('refuses drift to a user who may not read the entity; a bad or unknown name is an input or not-found error', async () => {
    const { invoke } = registryWith({ store });
    await expect(
      invoke(
        'get-gitops-drift',
        { application: 'shop-api-prod' },
        mockCredentials.user(MALLORY),
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      invoke('get-gitops-drift', { application: 'Shop_API' }),
    ).rejects.toThrow(InputError);
    await expect(
      invoke('get-gitops-drift', { application: 'Shop_API' }),
    ).rejects.toThrow(
      /Invalid application name: application: must be an application name/,
    );
    await expect(
      invoke('get-gitops-drift', { application: 42 as any }),
    ).rejects.toThrow(InputError);
    await expect(
      invoke('get-gitops-drift', { application: 'nope' }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe('sync-gitops-application with a real Syncer and sync store (stub cluster)', () => {
  const SPEC: ApplicationSpec = {
    name: 'shop-api-dev',
    entityRef: SHOP,
    environment: 'dev',
    source: {
      repo: 'platform-config',
      path: 'apps/shop-api',
      renderer: 'plain',
    },
    destination: { cluster: 'local', namespace: 'shop-dev' },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: 'applications/shop-api.yaml',
  };
  const desiredState = (name: string): DesiredState | undefined =>
    name === SPEC.name
      ? {
          spec: SPEC,
          revision: { sha: 'c0ffee1234567890' },
          objects: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'settings', namespace: 'shop-dev' },
              data: { a: 'b' },
            },
          ],
        }
      : undefined;
  const apply = jest.fn(async (object: KubeObject) => ({
    ...object,
    metadata: { ...object.metadata, resourceVersion: '7' },
  }));
  const clusters: SyncClusters = {
    client: () => ({
      apply,
      request: jest.fn(),
      discovery: {
        resolve: async () => ({
          apiVersion: 'v1',
          group: '',
          version: 'v1',
          kind: 'ConfigMap',
          plural: 'configmaps',
          namespaced: true,
        }),
      } as never,
    }),
    get: () => ({ objectsOf: () => [] }),
  };
  let store: DatabaseGitOpsStore;
  let syncStore: DatabaseSyncStore;
  let syncer: Syncer;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const database = { getClient: async () => knex };
    store = await DatabaseGitOpsStore.create({ database });
    await store.syncApplications('platform-config', [SPEC], new Map());
    syncStore = await DatabaseSyncStore.create({ database });
    syncer = new Syncer({
      source: { desiredState, noteSynced: () => {} },
      clusters,
      store: syncStore,
      policies: readEnvironmentPolicies(mockServices.rootConfig()),
      auditor,
      logger: mockServices.logger.mock(),
      fieldManager: 'backstage-gitops',
    });
  });
  afterAll(() => syncer.stop());
  beforeEach(() => apply.mockClear());

  it('refuses a user without gitops.sync.trigger with NotAllowedError: no run stored, nothing applied', async () => {
    policy = (permission, _ref, user) =>
      permission === 'gitops.sync.trigger' && user === ALICE
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW;
    const { invoke } = registryWith({ store, syncer });
    await expect(
      invoke('sync-gitops-application', { application: 'shop-api-dev' }),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      invoke('sync-gitops-application', { application: 'shop-api-dev' }),
    ).rejects.toThrow(`Not allowed to sync the applications of ${SHOP}`);
    expect((await syncStore.listRuns('shop-api-dev')).items).toEqual([]);
    expect(apply).not.toHaveBeenCalled();
    expect(audits).toEqual([]);
  });

  it('starts a manual sync for an allowed user, recorded as requested by them', async () => {
    const { invoke } = registryWith({ store, syncer });
    const output = await invoke('sync-gitops-application', {
      application: 'shop-api-dev',
    });
    expect(output).toMatchObject({
      runId: expect.any(String),
      application: 'shop-api-dev',
      trigger: 'manual',
      result: 'running',
      revision: 'c0ffee1234567890',
      requestedBy: ALICE,
      startedAt: expect.any(String),
    });
    expect(authorizeCalls).toEqual([
      { permission: 'gitops.sync.trigger', resourceRef: SHOP },
    ]);
    await syncer.whenClusterIdle('local');
    const { items } = await syncStore.listRuns('shop-api-dev');
    expect(items).toEqual([
      expect.objectContaining({
        id: output.runId,
        result: 'succeeded',
        requestedBy: ALICE,
      }),
    ]);
    expect(apply).toHaveBeenCalledTimes(1);
    expect(audits).toContainEqual(
      expect.objectContaining({
        eventId: 'sync',
        meta: expect.objectContaining({ requestedBy: ALICE }),
      }),
    );
  });

  it('gives an input error for a bad name and not-found for an unknown one, syncing nothing', async () => {
    const { invoke } = registryWith({ store, syncer });
    await expect(
      invoke('sync-gitops-application', { application: '../etc' }),
    ).rejects.toThrow(InputError);
    await expect(
      invoke('sync-gitops-application', { application: 'nope' }),
    ).rejects.toThrow(NotFoundError);
    expect(apply).not.toHaveBeenCalled();
  });
});

describe('preview-gitops-change and request-gitops-change over the example config repo (real Git)', () => {
  let skipReason: string | undefined;
  let bed: ChangeTestbed;

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason)
      console.warn(`skipping change request action tests: ${skipReason}`);
  });
  beforeEach(async () => {
    if (skipReason) return;
    bed = await ChangeTestbed.create(databases);
    // The authorizer production uses: gitops.change.create asked of the permission framework, per entity.
    bed.service = bed.createService({
      authorizer: permissionAuthorizer(permissions),
    });
  });
  afterEach(async () => {
    await bed?.cleanup();
  });

  const image = {
    type: 'image',
    application: 'shop-api-prod',
    container: 'web',
    tag: '1.5.0',
  };

  it('previews: files changed, the rendered diff summary and the policy verdict, with nothing written', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    const output = await invoke('preview-gitops-change', { changes: [image] });
    expect(output.baseSha).toBe(bed.baseSha);
    expect(output.files).toEqual([
      expect.objectContaining({
        path: 'apps/shop-api/overlays/prod/kustomization.yaml',
        added: 1,
        removed: 1,
      }),
    ]);
    expect(output.files[0].diff).toContain('+    newTag: 1.5.0');
    expect(output.applications).toEqual([
      {
        application: 'shop-api-prod',
        environment: 'prod',
        manifests: [
          expect.objectContaining({
            action: 'update',
            kind: 'Deployment',
            namespace: 'shop-prod',
            name: 'shop-api',
          }),
        ],
      },
    ]);
    expect(output.policy.verdict).not.toBe('deny');
    expect(output.wouldBeAccepted).toBe(true);
    expect(output.summary).toContain(
      '1 file changed: apps/shop-api/overlays/prod/kustomization.yaml (+1 -1).',
    );
    expect(output.summary).toContain(
      'shop-api-prod (prod): update Deployment shop-prod/shop-api',
    );
    expect(output.summary).toMatch(/Policy verdict: (allow|warn)/);
    // Asked of the permission framework (the change service asks before and after planning).
    expect(authorizeCalls).toContainEqual({
      permission: 'gitops.change.create',
      resourceRef: SHOP,
    });
    expect(
      authorizeCalls.filter(
        call =>
          call.permission !== 'gitops.change.create' ||
          call.resourceRef !== SHOP,
      ),
    ).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('shows a policy deny in the preview; requesting it is refused with nothing written', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    const changes = [
      { type: 'replicas', application: 'shop-api-prod', replicas: 1 },
    ];
    const preview = await invoke('preview-gitops-change', { changes });
    expect(preview.policy.verdict).toBe('deny');
    expect(preview.wouldBeAccepted).toBe(false);
    expect(preview.summary).toContain(
      'Policy verdict: deny (Deny prod-min-replicas',
    );
    await expect(
      invoke('request-gitops-change', { changes, idempotencyKey: 'deny-1' }),
    ).rejects.toThrow(ConflictError);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    expect((await bed.changes.list()).items).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({
        eventId: 'change-request-create',
        outcome: 'fail',
      }),
    ]);
  });

  it('requests a change: the id and page path, once per idempotency key, audited as the caller', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    const input = {
      title: 'Ship 1.5.0 to prod',
      changes: [image],
      idempotencyKey: 'agent-run-7',
    };
    const first = await invoke('request-gitops-change', input);
    expect(first).toEqual({
      id: expect.stringMatching(/^cr-[0-9a-f]{20}$/),
      urlPath: `/gitops/changes/${first.id}`,
      created: true,
      state: 'pr-open',
      title: 'Ship 1.5.0 to prod',
      entityRef: SHOP,
      repo: 'demo',
      applications: [{ name: 'shop-api-prod', environment: 'prod' }],
      policyVerdict: expect.stringMatching(/^(allow|warn)$/),
      approvalsRequired: [],
      pullRequest: {
        provider: 'local',
        id: expect.any(String),
        branch: `gitops/${first.id}`,
      },
    });
    expect(await bed.changes.get(first.id)).toMatchObject({
      requestedBy: ALICE,
      state: 'pr-open',
    });
    expect(
      await bed.show(
        `gitops/${first.id}`,
        'apps/shop-api/overlays/prod/kustomization.yaml',
      ),
    ).toContain('newTag: 1.5.0');

    const again = await invoke('request-gitops-change', input);
    expect(again).toMatchObject({ id: first.id, created: false });
    expect((await bed.changes.list()).items).toHaveLength(1);
    expect(audits).toEqual([
      {
        eventId: 'change-request-create',
        meta: {
          changes: ['image'],
          idempotencyKey: 'agent-run-7',
          requestedBy: ALICE,
          via: 'actions',
        },
        outcome: 'success',
      },
      expect.objectContaining({ outcome: 'success' }),
    ]);
  });

  it('refuses a user without gitops.change.create with NotAllowedError, writing nothing', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    const mallory = mockCredentials.user(MALLORY);
    await expect(
      invoke('preview-gitops-change', { changes: [image] }, mallory),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      invoke(
        'request-gitops-change',
        { changes: [image], idempotencyKey: 'm-1' },
        mallory,
      ),
    ).rejects.toThrow(`${MALLORY} may not propose changes to ${SHOP}`);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('needs user credentials: a service principal is refused before anything is computed', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    await expect(
      invoke(
        'request-gitops-change',
        { changes: [image], idempotencyKey: 's-1' },
        mockCredentials.service('plugin:mcp-actions'),
      ),
    ).rejects.toThrow(/only be previewed or made with user credentials/);
    await expect(
      invoke(
        'preview-gitops-change',
        { changes: [image] },
        mockCredentials.service(),
      ),
    ).rejects.toThrow(NotAllowedError);
    expect(authorizeCalls).toEqual([]);
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('names the bad field of a bad change, as the HTTP API does, with nothing written', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    const bad = async (input: JsonObject, message: RegExp) => {
      const error = await invoke('preview-gitops-change', input).catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(message);
    };
    await bad(
      { changes: [{ ...image, tag: 'bad tag!' }] },
      /Invalid change: changes\.0\.tag: must be an image tag/,
    );
    await bad(
      { changes: [{ ...image, contaner: 'web' }] },
      /Invalid change: changes\.0: Unrecognized key.*contaner/,
    );
    await bad(
      { changes: [{ ...image, application: 'Shop' }] },
      /changes\.0\.application: must be an application name/,
    );
    await bad({ changes: [] }, /changes/);
    await bad(
      { changes: [{ type: 'delete-everything' }] },
      /Invalid input to action "test:preview-gitops-change".*type/s,
    );
    await bad(
      {
        changes: [
          { type: 'replicas', application: 'shop-api-prod', replicas: 'three' },
        ],
      },
      /replicas/,
    );
    const missingKey = await invoke('request-gitops-change', {
      changes: [image],
    }).catch(e => e);
    expect(missingKey).toBeInstanceOf(InputError);
    expect(missingKey.message).toMatch(/idempotencyKey/);
    const badKey = await invoke('request-gitops-change', {
      changes: [image],
      idempotencyKey: 'has space',
    }).catch(e => e);
    expect(badKey.message).toMatch(/idempotencyKey: must be 1-128 letters/);
    expect(authorizeCalls).toEqual([]);
    expect((await bed.changes.list()).items).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
  });

  it('an unknown application is a not-found error', async () => {
    if (skipReason) return;
    const { invoke } = registryWith({ changeService: bed.service });
    await expect(
      invoke('preview-gitops-change', {
        changes: [{ ...image, application: 'nope-prod' }],
      }),
    ).rejects.toThrow(NotFoundError);
  });
});
