import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type {
  ApplicationSpec,
  SyncRun,
  SyncRunListResponse,
} from '@backstage-gitops/plugin-gitops-common';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { DatabaseSyncStore } from '../database/DatabaseSyncStore';
import type { DesiredState } from '../reconcile/Reconciler';
import { createSyncRouter } from './createSyncRouter';
import { readEnvironmentPolicies } from './readEnvironmentPolicies';
import { Syncer, type SyncClusters } from './Syncer';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const REPO = 'platform-config';
const SHOP = 'component:default/shop-api';
const BILLING = 'component:default/billing';
const VAULT = 'component:default/vault-proxy';
const REVISION = 'c0ffee1234567890';
/** Friday 2026-11-27, 16:30 in Berlin: inside prod's freeze. */
const NOW = new Date('2026-11-27T15:30:00Z');

const config = {
  gitops: {
    environments: {
      prod: {
        changeWindows: [
          {
            kind: 'deny',
            schedule: '0 16 * * 5',
            duration: '3h',
            timeZone: 'Europe/Berlin',
            description: 'Fridays from 16:00',
          },
        ],
      },
      staging: {
        changeWindows: [
          {
            kind: 'deny',
            schedule: '0 16 * * 5',
            duration: '3h',
            timeZone: 'Europe/Berlin',
            manualSync: true,
          },
        ],
      },
    },
  },
};

function spec(
  name: string,
  entityRef: string,
  environment: string,
): ApplicationSpec {
  return {
    name,
    entityRef,
    environment,
    source: { repo: REPO, path: `apps/${name}`, renderer: 'plain' },
    destination: { cluster: 'local', namespace: name },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: `applications/${name}.yaml`,
  };
}

const SPECS = [
  spec('shop-api-dev', SHOP, 'dev'),
  spec('shop-api-prod', SHOP, 'prod'),
  spec('billing-staging', BILLING, 'staging'),
  spec('vault-proxy-prod', VAULT, 'prod'),
];

function desiredState(name: string): DesiredState | undefined {
  const found = SPECS.find(s => s.name === name);
  if (!found) return undefined;
  const settings: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-settings`, namespace: name },
    data: { greeting: 'hello' },
  };
  return { spec: found, revision: { sha: REVISION }, objects: [settings] };
}

/** The cluster: applies succeed, after `gate` when a test holds it. */
let gate: Promise<void> | undefined;
const apply = jest.fn(async (object: KubeObject) => {
  await gate;
  return { ...object, metadata: { ...object.metadata, resourceVersion: '7' } };
});
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

type Policy = (
  permission: string,
  resourceRef?: string,
) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
const allowAll: Policy = () => AuthorizeResult.ALLOW;
let policy: Policy = allowAll;
const permissions = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map((req: AuthorizePermissionRequest) => ({
      result: policy(req.permission.name, req.resourceRef),
    })),
});

interface AuditRecord {
  options: { eventId: string; meta?: unknown; request?: unknown };
  success: jest.Mock;
  fail: jest.Mock;
}
const audits: AuditRecord[] = [];
const auditor = mockServices.auditor.mock({
  createEvent: async options => {
    const record = { options, success: jest.fn(), fail: jest.fn() };
    audits.push(record);
    return record;
  },
});

const openApi = parse(
  readFileSync(path.join(__dirname, '../api/openapi.yaml'), 'utf8'),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** Fails when the answer is not what openapi.yaml documents for this operation and status. */
function expectDocumented(
  method: 'get' | 'post',
  specPath: string,
  res: request.Response,
) {
  let response =
    openApi.paths[specPath]?.[method]?.responses?.[String(res.status)];
  if (!response)
    throw new Error(
      `openapi.yaml documents no ${res.status} for ${method} ${specPath}`,
    );
  if (response.$ref)
    response = openApi.components.responses[response.$ref.split('/').pop()];
  const validate: ValidateFunction = ajv.compile({
    ...response.content['application/json'].schema,
    components: openApi.components,
  });
  if (!validate(res.body)) {
    throw new Error(
      `${method} ${specPath} answered ${res.status} off spec: ${ajv.errorsText(
        validate.errors,
      )}\n${res.text}`,
    );
  }
}

describe.each(databases.eachSupportedId())(
  'the sync routes on %p',
  databaseId => {
    let server: Parameters<typeof request>[0];
    let stopBackend: () => Promise<void>;
    let syncer: Syncer;
    let syncStore: DatabaseSyncStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const database = { getClient: async () => knex };
      const store = await DatabaseGitOpsStore.create({ database });
      await store.syncApplications(REPO, SPECS, new Map());
      syncStore = await DatabaseSyncStore.create({ database });

      // The router as plugin.ts mounts it, with a real Syncer, stores and windows, and a stub cluster.
      const syncRoutes = createBackendPlugin({
        pluginId: 'gitops',
        register(env) {
          env.registerInit({
            deps: {
              httpRouter: coreServices.httpRouter,
              httpAuth: coreServices.httpAuth,
              permissions: coreServices.permissions,
              auditor: coreServices.auditor,
              logger: coreServices.logger,
            },
            async init(deps) {
              syncer = new Syncer({
                source: { desiredState, noteSynced: () => {} },
                clusters,
                store: syncStore,
                policies: readEnvironmentPolicies(
                  mockServices.rootConfig({ data: config }),
                ),
                auditor: deps.auditor,
                logger: deps.logger,
                fieldManager: 'backstage-gitops',
                now: () => NOW,
              });
              deps.httpRouter.use(
                await createSyncRouter({
                  store,
                  syncStore,
                  syncer,
                  httpAuth: deps.httpAuth,
                  permissions: deps.permissions,
                }),
              );
            },
          });
        },
      });
      const backend = await startTestBackend({
        features: [syncRoutes, permissions.factory, auditor.factory],
      });
      server = backend.server;
      stopBackend = () => backend.stop();
    });

    afterAll(async () => {
      await stopBackend?.();
    });

    beforeEach(() => {
      policy = allowAll;
      gate = undefined;
      apply.mockClear();
      audits.length = 0;
    });

    const post = (name: string, authorization?: string) => {
      const call = request(server).post(
        `/api/gitops/applications/${name}/sync`,
      );
      if (authorization) call.set('Authorization', authorization);
      return call;
    };
    const get = (url: string, authorization?: string) => {
      const call = request(server).get(`/api/gitops${url}`);
      if (authorization) call.set('Authorization', authorization);
      return call;
    };

    it('starts a sync now: 202 with the running run, then the run succeeds and is audited', async () => {
      const res = await post('shop-api-dev');
      expect(res.status).toBe(202);
      expectDocumented('post', '/applications/{name}/sync', res);
      const run: SyncRun = res.body;
      expect(run).toMatchObject({
        application: 'shop-api-dev',
        trigger: 'manual',
        requestedBy: 'user:default/mock',
        revision: REVISION,
        startedAt: NOW.toISOString(),
        result: 'running',
      });

      await syncer.whenIdle();
      expect(apply).toHaveBeenCalledWith(
        expect.objectContaining({
          metadata: expect.objectContaining({ name: 'shop-api-dev-settings' }),
        }),
        { fieldManager: 'backstage-gitops', force: true },
      );
      const history = await get('/applications/shop-api-dev/syncs');
      expect(history.status).toBe(200);
      expectDocumented('get', '/applications/{name}/syncs', history);
      const [latest] = (history.body as SyncRunListResponse).items;
      expect(latest).toMatchObject({
        id: run.id,
        result: 'succeeded',
        finishedAt: NOW.toISOString(),
        resources: [
          {
            ref: {
              group: '',
              kind: 'ConfigMap',
              namespace: 'shop-api-dev',
              name: 'shop-api-dev-settings',
            },
            action: 'applied',
          },
        ],
      });

      expect(audits).toHaveLength(1);
      expect(audits[0].options).toMatchObject({
        eventId: 'sync',
        meta: {
          application: 'shop-api-dev',
          revision: REVISION,
          trigger: 'manual',
          runId: run.id,
          requestedBy: 'user:default/mock',
        },
        request: expect.anything(),
      });
      expect(audits[0].success).toHaveBeenCalledWith({
        meta: expect.objectContaining({ result: 'succeeded', applied: 1 }),
      });
    });

    it('answers 409 naming the window when a change window blocks the sync, and applies nothing', async () => {
      const res = await post('shop-api-prod');
      expect(res.status).toBe(409);
      expectDocumented('post', '/applications/{name}/sync', res);
      expect(res.body.error.name).toBe('ConflictError');
      expect(res.body.error.message).toContain(
        'deny: Fridays from 16:00 (Europe/Berlin)',
      );
      expect(res.body.error.message).toContain('2026-11-27T18:00:00.000Z');
      expect(apply).not.toHaveBeenCalled();
      expect((await syncStore.listRuns('shop-api-prod')).items).toEqual([]);
      expect(audits[0].fail).toHaveBeenCalledWith(
        expect.objectContaining({ meta: { result: 'refused' } }),
      );
    });

    it('lets a manual sync through a window that sets manualSync', async () => {
      const res = await post('billing-staging');
      expect(res.status).toBe(202);
      await syncer.whenIdle();
      expect(apply).toHaveBeenCalledTimes(1);
    });

    it('answers 409 while a sync of the application is still running', async () => {
      let open!: () => void;
      gate = new Promise(resolve => (open = resolve));
      const first = await post('shop-api-dev');
      expect(first.status).toBe(202);
      const second = await post('shop-api-dev');
      expect(second.status).toBe(409);
      expect(second.body.error.message).toContain('already running');
      open();
      await syncer.whenIdle();
      expect((await syncStore.getRun(first.body.id))?.result).toBe('succeeded');
    });

    it('pages through the sync history with the cursor', async () => {
      for (let i = 0; i < 2; i++) {
        expect((await post('billing-staging')).status).toBe(202);
        await syncer.whenIdle();
      }
      const first = await get('/applications/billing-staging/syncs?limit=2');
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(
        `/applications/billing-staging/syncs?limit=2&cursor=${encodeURIComponent(
          first.body.nextCursor,
        )}`,
      );
      expectDocumented('get', '/applications/{name}/syncs', second);
      expect(second.body.items.length).toBeGreaterThanOrEqual(1);
      const ids = [...first.body.items, ...second.body.items].map(
        (r: SyncRun) => r.id,
      );
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each([
      ['post', '/applications/no-such-app/sync', 404],
      ['get', '/applications/no-such-app/syncs', 404],
      ['post', '/applications/Not_A_Name/sync', 400],
      ['get', '/applications/shop-api-dev/syncs?limit=0', 400],
      ['get', '/applications/shop-api-dev/syncs?cursor=bm90LWpzb24', 400],
    ] as const)('answers %s %s with %p', async (method, url, status) => {
      const res = await request(server)[method](`/api/gitops${url}`);
      expect(res.status).toBe(status);
      expect(apply).not.toHaveBeenCalled();
    });

    describe('401', () => {
      it.each([
        ['post', '/applications/shop-api-dev/sync'],
        ['get', '/applications/shop-api-dev/syncs'],
      ] as const)(
        'refuses %s %s without credentials or with a bad token',
        async (method, url) => {
          permissions.authorize.mockClear();
          for (const header of [
            mockCredentials.none.header(),
            mockCredentials.user.invalidHeader(),
          ]) {
            const res = await request(server)
              [method](`/api/gitops${url}`)
              .set('Authorization', header);
            expect(res.status).toBe(401);
            expect(res.body.error.name).toBe('AuthenticationError');
          }
          expect(permissions.authorize).not.toHaveBeenCalled();
          expect(apply).not.toHaveBeenCalled();
        },
      );
    });

    describe('403', () => {
      it('refuses sync now without gitops.sync.trigger on the entity, asking about that entity', async () => {
        policy = (permission, resourceRef) =>
          permission === 'gitops.sync.trigger' && resourceRef === VAULT
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await post('vault-proxy-prod');
        expect(res.status).toBe(403);
        expectDocumented('post', '/applications/{name}/sync', res);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(permissions.authorize).toHaveBeenLastCalledWith(
          [
            {
              permission: expect.objectContaining({
                name: 'gitops.sync.trigger',
              }),
              resourceRef: VAULT,
            },
          ],
          { credentials: mockCredentials.user() },
        );
        expect(apply).not.toHaveBeenCalled();
        // Reading is a different permission: still allowed.
        expect((await get('/applications/vault-proxy-prod/syncs')).status).toBe(
          200,
        );
      });

      it('refuses the sync history without gitops.entity.read on the entity', async () => {
        policy = permission =>
          permission === 'gitops.entity.read'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await get('/applications/shop-api-dev/syncs');
        expect(res.status).toBe(403);
        expectDocumented('get', '/applications/{name}/syncs', res);
      });
    });
  },
);
