import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  ApplicationDetailResponse,
  ApplicationSpec,
  DriftRecord,
  EntityStatusBatchResponse,
  EntityStatusResponse,
  EnvironmentListResponse,
  FleetResponse,
  HistoryResponse,
  ResourceImage,
} from '@backstage-gitops/plugin-gitops-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { ApplicationVerdict } from '../database/GitOpsStore';
import { gitopsPlugin } from '../plugin';

jest.setTimeout(60_000);

// PostgreSQL runs too when its connection string is set (scripts/postgres.sh): some bad input only fails there.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const workingDirectory = createMockDirectory();

const REPO = 'platform-config';
const SHOP = 'component:default/shop-api';
const BILLING = 'component:default/billing';
const VAULT = 'component:default/vault-proxy';
const SECRET_DESIRED = 's3cr3t-from-git-7f1c';
const SECRET_LIVE = 's3cr3t-in-cluster-9a2e';

/** Minute `m` of a fixed day, so every timestamp the store sees is known. */
function at(minute: number): string {
  return new Date(Date.UTC(2026, 10, 26, 12, minute)).toISOString();
}

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
    destination: { cluster: `${environment}-cluster`, namespace: name },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: `applications/${name}.yaml`,
  };
}

type VerdictDrift = ApplicationVerdict['resources'][number]['drifts'][number];

const imageDrift: VerdictDrift = {
  path: 'spec.template.spec.containers[name=web].image',
  type: 'changed',
  desired: 'shop-api:1.2.0',
  live: 'shop-api:1.3.0-hotfix',
  manager: 'kubectl-edit',
};

const WEB_IMAGES: ResourceImage[] = [
  { container: 'web', image: 'shop-api:1.2.0' },
  { container: 'migrate', image: 'shop-migrate:1.2.0', init: true },
];

// The reconciler flags Secret data as sensitive; the values here must never come back out.
const secretDrift: VerdictDrift = {
  path: 'data.password',
  type: 'changed',
  desired: SECRET_DESIRED,
  live: SECRET_LIVE,
  sensitive: true,
  manager: 'kubectl-edit',
};

function verdict(
  observedAt: string,
  options: {
    sha?: string;
    health?: ApplicationVerdict['health'];
    drifts?: VerdictDrift[];
    secretDrifts?: VerdictDrift[];
    reason?: string;
  } = {},
): ApplicationVerdict {
  const drifts = options.drifts ?? [];
  const secretDrifts = options.secretDrifts ?? [];
  const outOfSync = drifts.length + secretDrifts.length > 0;
  return {
    sync: outOfSync ? 'OutOfSync' : 'Synced',
    health: options.health ?? 'Healthy',
    revision: { sha: options.sha ?? 'a1b2c3d', message: 'Bump images' },
    resources: [
      {
        ref: {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'app',
          name: 'web',
        },
        apiVersion: 'apps/v1',
        sync: drifts.length ? 'OutOfSync' : 'Synced',
        health: options.health ?? 'Healthy',
        drifts,
        images: WEB_IMAGES,
      },
      {
        ref: { group: '', kind: 'Secret', namespace: 'app', name: 'db' },
        apiVersion: 'v1',
        sync: secretDrifts.length ? 'OutOfSync' : 'Synced',
        drifts: secretDrifts,
      },
    ],
    observedAt,
    ...(options.reason && { reason: options.reason }),
  };
}

/** Six applications of three entities; shop-api-staging has five verdict changes of history. */
async function seed(store: DatabaseGitOpsStore) {
  await store.syncApplications(
    REPO,
    [
      // Declared out of environment order, so the status route has to sort them.
      spec('shop-api-prod', SHOP, 'prod'),
      spec('shop-api-dev', SHOP, 'dev'),
      spec('shop-api-staging', SHOP, 'staging'),
      spec('billing-prod', BILLING, 'prod'),
      spec('billing-dev', BILLING, 'dev'),
      spec('vault-proxy-prod', VAULT, 'prod'),
    ],
    new Map([
      [SHOP, { owner: 'group:default/team-shop', system: 'shop' }],
      [BILLING, { owner: 'group:default/team-payments', system: 'payments' }],
      [VAULT, { owner: 'group:default/team-security', system: 'security' }],
    ]),
  );
  // billing's annotation also lists the vault proxy, which belongs to the security team's entity.
  await store.linkEntities(REPO, [
    { entityRef: BILLING, application: 'vault-proxy-prod' },
  ]);
  await store.writeVerdict('shop-api-dev', verdict(at(1)));
  await store.writeVerdict('shop-api-prod', verdict(at(1)));
  await store.writeVerdict('billing-dev', verdict(at(1)));
  await store.writeVerdict(
    'billing-prod',
    verdict(at(2), { health: 'Degraded', secretDrifts: [secretDrift] }),
  );
  await store.writeVerdict('vault-proxy-prod', verdict(at(1)));

  const history: ApplicationVerdict[] = [
    verdict(at(1), { sha: 'aaa1111', reason: 'commit' }),
    verdict(at(2), {
      sha: 'aaa1111',
      drifts: [imageDrift],
      reason: 'live change',
    }),
    verdict(at(3), {
      sha: 'bbb2222',
      health: 'Progressing',
      drifts: [imageDrift],
      reason: 'commit',
    }),
    verdict(at(4), { sha: 'bbb2222', reason: 'live change' }),
    verdict(at(5), { sha: 'ccc3333', drifts: [imageDrift], reason: 'commit' }),
  ];
  for (const entry of history) {
    await store.writeVerdict('shop-api-staging', entry);
  }
}

type Policy = (
  permission: string,
  resourceRef?: string,
) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
const allowAll: Policy = () => AuthorizeResult.ALLOW;

/** The permission policy, answering per permission and per entity; each test sets it. */
let policy: Policy = allowAll;
const permissions = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map((req: AuthorizePermissionRequest) => ({
      result: policy(req.permission.name, req.resourceRef),
    })),
});

const noopSignals = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({ publish: async () => {} }),
});

const openApi = parse(
  readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

/** The schema the spec gives for this path and status; fails the test for an undocumented answer. */
function responseValidator(
  pathname: string,
  status: number,
  method: 'get' | 'post' = 'get',
): ValidateFunction {
  const specPath = Object.keys(openApi.paths).find(template =>
    new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname),
  );
  if (!specPath) throw new Error(`openapi.yaml has no path for ${pathname}`);
  const key = `${method} ${specPath} ${status}`;
  if (!validators.has(key)) {
    let response = openApi.paths[specPath][method]?.responses[String(status)];
    if (!response) {
      throw new Error(
        `openapi.yaml documents no ${status} for ${method.toUpperCase()} ${specPath}`,
      );
    }
    if (response.$ref) {
      response = openApi.components.responses[response.$ref.split('/').pop()];
    }
    const schema = response.content['application/json'].schema;
    validators.set(
      key,
      ajv.compile({ ...schema, components: openApi.components }),
    );
  }
  return validators.get(key)!;
}

describe.each(databases.eachSupportedId())(
  'the gitops routes on %p',
  databaseId => {
    let server: Parameters<typeof request>[0];
    let stopBackend: () => Promise<void>;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      await seed(
        await DatabaseGitOpsStore.create({
          database: { getClient: async () => knex },
        }),
      );
      const backend = await startTestBackend({
        features: [
          gitopsPlugin,
          // No config repos and no clusters: nothing reconciles, so the routes serve exactly what was seeded.
          mockServices.rootConfig.factory({
            data: { gitops: { workingDirectory: workingDirectory.path } },
          }),
          mockServices.database.factory({ knex }),
          permissions.factory,
          catalogServiceMock.factory(),
          noopSignals,
        ],
      });
      server = backend.server;
      stopBackend = () => backend.stop();
    });

    afterAll(async () => {
      await stopBackend?.();
    });

    beforeEach(() => {
      policy = allowAll;
    });

    /** GETs a gitops route, checks the answer against openapi.yaml and that no Secret value leaked. */
    async function get(url: string, authorization?: string) {
      const call = request(server).get(`/api/gitops${url}`);
      if (authorization) call.set('Authorization', authorization);
      const res = await call;
      const validate = responseValidator(
        new URL(url, 'http://localhost').pathname,
        res.status,
      );
      if (!validate(res.body)) {
        throw new Error(
          `GET ${url} answered ${res.status} off spec: ${ajv.errorsText(
            validate.errors,
          )}\n${res.text}`,
        );
      }
      expect(res.text).not.toContain(SECRET_DESIRED);
      expect(res.text).not.toContain(SECRET_LIVE);
      return res;
    }

    /** POSTs a body to a gitops route, with the same checks as `get`. */
    async function post(url: string, body: unknown, authorization?: string) {
      const call = request(server).post(`/api/gitops${url}`);
      if (authorization) call.set('Authorization', authorization);
      const res = await call.send(body as object);
      const validate = responseValidator(url, res.status, 'post');
      if (!validate(res.body)) {
        throw new Error(
          `POST ${url} answered ${res.status} off spec: ${ajv.errorsText(
            validate.errors,
          )}\n${res.text}`,
        );
      }
      expect(res.text).not.toContain(SECRET_DESIRED);
      expect(res.text).not.toContain(SECRET_LIVE);
      return res;
    }

    const BATCH = '/entities/status:batch';
    const batchNames = (body: EntityStatusBatchResponse) =>
      body.items.map(item => ({
        entityRef: item.entityRef,
        applications: item.applications.map(app => app.name),
      }));

    describe('200', () => {
      it('gives an entity its applications, dev before staging before prod', async () => {
        const res = await get('/entities/component/default/shop-api/status');
        expect(res.status).toBe(200);
        const body: EntityStatusResponse = res.body;
        expect(body.entityRef).toBe(SHOP);
        expect(body.applications.map(app => app.application.name)).toEqual([
          'shop-api-dev',
          'shop-api-staging',
          'shop-api-prod',
        ]);
        expect(body.applications[1]).toMatchObject({
          sync: 'OutOfSync',
          health: 'Healthy',
          driftCount: 1,
          driftSince: at(5),
          revision: { sha: 'ccc3333' },
          resourceCounts: {
            Synced: 1,
            OutOfSync: 1,
            Unknown: 0,
            Missing: 0,
            Extraneous: 0,
          },
        });
      });

      it('matches the entity case-insensitively, as the catalog does', async () => {
        const res = await get('/entities/Component/default/Shop-API/status');
        expect(res.status).toBe(200);
        expect(res.body.applications).toHaveLength(3);
      });

      it('answers an empty list for an entity without applications', async () => {
        const res = await get(
          '/entities/component/default/no-such-thing/status',
        );
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          entityRef: 'component:default/no-such-thing',
          applications: [],
        });
      });

      it('gives one application with its resources and drifts', async () => {
        const res = await get('/applications/shop-api-staging');
        expect(res.status).toBe(200);
        const body: ApplicationDetailResponse = res.body;
        expect(body.status.application).toEqual(
          spec('shop-api-staging', SHOP, 'staging'),
        );
        expect(body.resources.map(resource => resource.ref)).toEqual([
          { group: '', kind: 'Secret', namespace: 'app', name: 'db' },
          { group: 'apps', kind: 'Deployment', namespace: 'app', name: 'web' },
        ]);
        const deployment = body.resources.find(
          r => r.ref.kind === 'Deployment',
        )!;
        expect(deployment).toMatchObject({
          apiVersion: 'apps/v1',
          sync: 'OutOfSync',
          health: 'Healthy',
        });
        expect(deployment.drifts).toEqual<DriftRecord[]>([
          { ...imageDrift, firstSeenAt: at(5) },
        ]);
        // Git's images of the workload, so a page shows what runs where; none for the Secret.
        expect(deployment.images).toEqual(WEB_IMAGES);
        expect(
          body.resources.find(r => r.ref.kind === 'Secret'),
        ).not.toHaveProperty('images');
      });

      it('gives the history newest first, page by page through the cursor', async () => {
        const first = await get(
          '/applications/shop-api-staging/history?limit=2',
        );
        expect(first.status).toBe(200);
        const page1: HistoryResponse = first.body;
        expect(page1.items).toEqual([
          {
            at: at(5),
            sync: 'OutOfSync',
            health: 'Healthy',
            revision: 'ccc3333',
            driftCount: 1,
            reason: 'commit',
          },
          {
            at: at(4),
            sync: 'Synced',
            health: 'Healthy',
            revision: 'bbb2222',
            driftCount: 0,
            reason: 'live change',
          },
        ]);
        expect(page1.nextCursor).toEqual(expect.any(String));

        const second = await get(
          `/applications/shop-api-staging/history?limit=2&cursor=${encodeURIComponent(
            page1.nextCursor!,
          )}`,
        );
        const page2: HistoryResponse = second.body;
        expect(page2.items.map(item => item.at)).toEqual([at(3), at(2)]);
        expect(page2.items[0]).toMatchObject({
          health: 'Progressing',
          revision: 'bbb2222',
        });

        const third = await get(
          `/applications/shop-api-staging/history?limit=2&cursor=${encodeURIComponent(
            page2.nextCursor!,
          )}`,
        );
        expect(third.body).toEqual({
          items: [
            {
              at: at(1),
              sync: 'Synced',
              health: 'Healthy',
              revision: 'aaa1111',
              driftCount: 0,
              reason: 'commit',
            },
          ],
        });
      });

      it('lists the fleet by name, paginated, with owner and system', async () => {
        const first = await get('/fleet?limit=4');
        expect(first.status).toBe(200);
        const page1: FleetResponse = first.body;
        expect(page1.totalItems).toBe(6);
        expect(page1.items.map(item => item.application.name)).toEqual([
          'billing-dev',
          'billing-prod',
          'shop-api-dev',
          'shop-api-prod',
        ]);
        expect(page1.items[1]).toMatchObject({
          owner: 'group:default/team-payments',
          system: 'payments',
          sync: 'OutOfSync',
          health: 'Degraded',
        });

        const second = await get(
          `/fleet?limit=4&cursor=${encodeURIComponent(page1.nextCursor!)}`,
        );
        const page2: FleetResponse = second.body;
        expect(page2.items.map(item => item.application.name)).toEqual([
          'shop-api-staging',
          'vault-proxy-prod',
        ]);
        expect(page2).toMatchObject({ totalItems: 6 });
        expect(page2.nextCursor).toBeUndefined();
      });

      it.each([
        [
          'owner=group:default/team-shop',
          ['shop-api-dev', 'shop-api-prod', 'shop-api-staging'],
        ],
        ['system=payments', ['billing-dev', 'billing-prod']],
        [
          'environment=prod',
          ['billing-prod', 'shop-api-prod', 'vault-proxy-prod'],
        ],
        ['sync=OutOfSync', ['billing-prod', 'shop-api-staging']],
        ['health=Degraded', ['billing-prod']],
        ['environment=prod&sync=Synced', ['shop-api-prod', 'vault-proxy-prod']],
        ['owner=group:default/nobody', []],
      ])('filters the fleet by %s', async (query, names) => {
        const res = await get(`/fleet?${query}`);
        expect(res.status).toBe(200);
        expect(
          res.body.items.map(
            (item: { application: ApplicationSpec }) => item.application.name,
          ),
        ).toEqual(names);
        expect(res.body.totalItems).toBe(names.length);
      });
    });

    describe('environments', () => {
      it('lists the environments of the fleet, dev before staging before prod, with counts and clusters', async () => {
        const res = await get('/environments');
        expect(res.status).toBe(200);
        expect(res.body).toEqual<EnvironmentListResponse>({
          items: [
            { name: 'dev', applications: 2, clusters: ['dev-cluster'] },
            { name: 'staging', applications: 1, clusters: ['staging-cluster'] },
            { name: 'prod', applications: 3, clusters: ['prod-cluster'] },
          ],
        });
      });

      it('counts only the applications of entities the policy allows', async () => {
        policy = (permission, resourceRef) =>
          permission === 'gitops.entity.read' && resourceRef !== SHOP
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await get('/environments');
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([
          { name: 'dev', applications: 1, clusters: ['dev-cluster'] },
          { name: 'staging', applications: 1, clusters: ['staging-cluster'] },
          { name: 'prod', applications: 1, clusters: ['prod-cluster'] },
        ]);

        policy = permission =>
          permission === 'gitops.fleet.read'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY;
        expect((await get('/environments')).body).toEqual({ items: [] });
      });

      it('refuses the environments without gitops.fleet.read', async () => {
        policy = permission =>
          permission === 'gitops.fleet.read'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await get('/environments');
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
      });
    });

    describe('status of many entities', () => {
      it('answers each readable entity once, in the order asked, as spelled', async () => {
        const res = await post(BATCH, {
          entityRefs: [
            'component:default/shop-api',
            'Component:default/Billing',
            'component:default/no-such-thing',
            'component:default/SHOP-API',
          ],
        });
        expect(res.status).toBe(200);
        expect(batchNames(res.body)).toEqual([
          {
            entityRef: 'component:default/shop-api',
            applications: ['shop-api-dev', 'shop-api-staging', 'shop-api-prod'],
          },
          {
            entityRef: 'Component:default/Billing',
            applications: ['billing-dev', 'billing-prod', 'vault-proxy-prod'],
          },
          { entityRef: 'component:default/no-such-thing', applications: [] },
        ]);
        expect(res.body.items[1].applications[1]).toEqual({
          name: 'billing-prod',
          environment: 'prod',
          sync: 'OutOfSync',
          health: 'Degraded',
          driftCount: 1,
        });
      });

      it('answers an empty batch with no items', async () => {
        const res = await post(BATCH, { entityRefs: [] });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [] });
      });

      it('leaves out the entities the policy denies, and applications linked from them', async () => {
        policy = (permission, resourceRef) =>
          permission === 'gitops.entity.read' && resourceRef === VAULT
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await post(BATCH, {
          entityRefs: [VAULT, BILLING, SHOP],
        });
        expect(res.status).toBe(200);
        expect(batchNames(res.body)).toEqual([
          { entityRef: BILLING, applications: ['billing-dev', 'billing-prod'] },
          {
            entityRef: SHOP,
            applications: ['shop-api-dev', 'shop-api-staging', 'shop-api-prod'],
          },
        ]);
        expect(res.text).not.toContain('vault-proxy');
      });

      it('asks the policy once for the requested entities, for the signed-in user', async () => {
        permissions.authorize.mockClear();
        await post(BATCH, { entityRefs: [SHOP, 'component:default/Shop-API'] });
        expect(permissions.authorize).toHaveBeenCalledTimes(1);
        expect(permissions.authorize).toHaveBeenCalledWith(
          [
            {
              permission: expect.objectContaining({
                name: 'gitops.entity.read',
              }),
              resourceRef: SHOP,
            },
          ],
          { credentials: mockCredentials.user() },
        );
      });

      it('refuses a batch of only entities the policy denies', async () => {
        policy = (_, resourceRef) =>
          resourceRef === SHOP ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
        const res = await post(BATCH, { entityRefs: [VAULT, BILLING] });
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(res.text).not.toContain('vault-proxy-prod');
      });

      it('refuses the batch without credentials or with a bad token', async () => {
        permissions.authorize.mockClear();
        const body = { entityRefs: [SHOP] };
        const anonymous = await post(
          BATCH,
          body,
          mockCredentials.none.header(),
        );
        expect(anonymous.status).toBe(401);
        expect(anonymous.body.error.name).toBe('AuthenticationError');
        const forged = await post(
          BATCH,
          body,
          mockCredentials.user.invalidHeader(),
        );
        expect(forged.status).toBe(401);
        expect(permissions.authorize).not.toHaveBeenCalled();
      });

      it.each([
        ['no entityRefs', {}],
        ['entityRefs that are not a list', { entityRefs: SHOP }],
        ['an empty ref', { entityRefs: [''] }],
        ['a ref that is not a string', { entityRefs: [42] }],
        ['a malformed ref', { entityRefs: [SHOP, 'component:default/'] }],
        [
          'more refs than one page of the catalog',
          {
            entityRefs: Array.from(
              { length: 201 },
              (_, i) => `component:default/svc-${i}`,
            ),
          },
        ],
      ])(
        'refuses %s with a clear message, before asking the policy',
        async (_, body) => {
          policy = () => AuthorizeResult.DENY;
          const res = await post(BATCH, body);
          expect(res.status).toBe(400);
          expect(res.body.error).toMatchObject({
            name: 'InputError',
            message: expect.stringMatching(/\S/),
          });
        },
      );

      it('takes a full page of 200 entities', async () => {
        const entityRefs = Array.from(
          { length: 199 },
          (_, i) => `component:default/svc-${i}`,
        );
        const res = await post(BATCH, { entityRefs: [...entityRefs, SHOP] });
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(200);
        expect(res.body.items[199].applications).toHaveLength(3);
      });
    });

    describe('401', () => {
      it.each([
        '/entities/component/default/shop-api/status',
        '/applications/shop-api-dev',
        '/applications/shop-api-dev/history',
        '/fleet',
        '/environments',
      ])('refuses %s without credentials or with a bad token', async url => {
        permissions.authorize.mockClear();
        const anonymous = await get(url, mockCredentials.none.header());
        expect(anonymous.status).toBe(401);
        expect(anonymous.body.error.name).toBe('AuthenticationError');
        const forged = await get(url, mockCredentials.user.invalidHeader());
        expect(forged.status).toBe(401);
        expect(permissions.authorize).not.toHaveBeenCalled();
      });
    });

    describe('403', () => {
      const denyVault: Policy = (permission, resourceRef) =>
        permission === 'gitops.entity.read' && resourceRef === VAULT
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW;

      it.each([
        '/entities/component/default/vault-proxy/status',
        '/applications/vault-proxy-prod',
        '/applications/vault-proxy-prod/history',
      ])('refuses %s when the policy denies that entity', async url => {
        policy = denyVault;
        const res = await get(url);
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(res.text).not.toContain('security');
      });

      it('shows an application linked by an annotation only to those who may read its own entity', async () => {
        const names = async () =>
          (
            (await get('/entities/component/default/billing/status'))
              .body as EntityStatusResponse
          ).applications.map(app => app.application.name);
        expect(await names()).toEqual([
          'billing-dev',
          'billing-prod',
          'vault-proxy-prod',
        ]);
        policy = denyVault;
        expect(await names()).toEqual(['billing-dev', 'billing-prod']);
      });

      it('still serves the entities the policy allows', async () => {
        policy = denyVault;
        expect(
          (await get('/entities/component/default/shop-api/status')).status,
        ).toBe(200);
        expect((await get('/applications/shop-api-dev')).status).toBe(200);
      });

      it('asks the policy about the entity itself, for the signed-in user', async () => {
        await get('/applications/billing-prod');
        expect(permissions.authorize).toHaveBeenLastCalledWith(
          [
            {
              permission: expect.objectContaining({
                name: 'gitops.entity.read',
              }),
              resourceRef: BILLING,
            },
          ],
          { credentials: mockCredentials.user() },
        );
      });

      it('leaves out of the fleet, and of its total, the entities the policy denies', async () => {
        policy = denyVault;
        const res = await get('/fleet?environment=prod');
        expect(res.status).toBe(200);
        expect(
          res.body.items.map(
            (item: { application: ApplicationSpec }) => item.application.name,
          ),
        ).toEqual(['billing-prod', 'shop-api-prod']);
        expect(res.body.totalItems).toBe(2);
      });

      it('answers an empty fleet when every entity is denied', async () => {
        policy = permission =>
          permission === 'gitops.fleet.read'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY;
        const res = await get('/fleet');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [], totalItems: 0 });
      });

      it('refuses the fleet without gitops.fleet.read, even when every entity is readable', async () => {
        policy = permission =>
          permission === 'gitops.fleet.read'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        const res = await get('/fleet');
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
      });
    });

    describe('400', () => {
      const historyCursor = (position: unknown) =>
        Buffer.from(JSON.stringify(position)).toString('base64url');

      it.each([
        [
          'a kind with a slash',
          '/entities/com%2Fponent/default/shop-api/status',
        ],
        [
          'a name with a slash',
          '/entities/component/default/shop%2Fapi/status',
        ],
        [
          'a name with a colon',
          '/entities/component/default/shop%3Aapi/status',
        ],
        [
          'a namespace with a slash',
          '/entities/component/de%2Ffault/shop-api/status',
        ],
        [
          'a kind too long',
          `/entities/${'k'.repeat(64)}/default/shop-api/status`,
        ],
        [
          'a name too long',
          `/entities/component/default/${'n'.repeat(254)}/status`,
        ],
        ['an application name with a slash', '/applications/shop%2Fapi'],
        ['an application name in capitals', '/applications/Shop-API/history'],
        ['an application name too long', `/applications/${'a'.repeat(254)}`],
        ['limit=0', '/fleet?limit=0'],
        ['limit=10000', '/fleet?limit=10000'],
        ['limit=2.5', '/applications/shop-api-staging/history?limit=2.5'],
        ['limit=ten', '/applications/shop-api-staging/history?limit=ten'],
        ['history limit=0', '/applications/shop-api-staging/history?limit=0'],
        [
          'history limit=10000',
          '/applications/shop-api-staging/history?limit=10000',
        ],
        ['sync=Bogus', '/fleet?sync=Bogus'],
        ['health=Bogus', '/fleet?health=Bogus'],
        ['a repeated filter', '/fleet?sync=Synced&sync=OutOfSync'],
        ['a fleet cursor of garbage', '/fleet?cursor=%25%25not-a-cursor%25%25'],
        [
          'a history cursor of garbage',
          '/applications/shop-api-staging/history?cursor=bm90IGpzb24',
        ],
        [
          'a history cursor of the wrong shape',
          `/applications/shop-api-staging/history?cursor=${historyCursor({
            at: 5,
            id: 'x',
          })}`,
        ],
        [
          'a history cursor that is a JSON array',
          `/applications/shop-api-staging/history?cursor=${historyCursor([1])}`,
        ],
        [
          'a history cursor with a fractional id',
          `/applications/shop-api-staging/history?cursor=${historyCursor({
            at: at(5),
            id: 1.5,
          })}`,
        ],
        [
          'a history cursor with an infinite id',
          `/applications/shop-api-staging/history?cursor=${Buffer.from(
            `{"at":"${at(5)}","id":1e999}`,
          ).toString('base64url')}`,
        ],
        [
          'a history cursor given to the fleet',
          `/fleet?cursor=${historyCursor({ at: at(5), id: 3 })}`,
        ],
        ['a cursor too long', `/fleet?cursor=${'A'.repeat(1025)}`],
      ])('refuses %s with a clear message', async (_, url) => {
        const res = await get(url);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(/\S/),
        });
        expect(res.body.response).toEqual({ statusCode: 400 });
      });

      it('checks input before asking the permission policy', async () => {
        policy = () => AuthorizeResult.DENY;
        expect((await get('/fleet?limit=0')).status).toBe(400);
      });
    });

    describe('404', () => {
      it.each([
        '/applications/no-such-app',
        '/applications/no-such-app/history',
      ])('answers %s for an unknown application', async url => {
        const res = await get(url);
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({
          name: 'NotFoundError',
          message: 'No application named no-such-app',
        });
      });
    });

    it('never returns the values of a sensitive drift, only that it is sensitive', async () => {
      const detail: ApplicationDetailResponse = (
        await get('/applications/billing-prod')
      ).body;
      const secret = detail.resources.find(
        resource => resource.ref.kind === 'Secret',
      )!;
      expect(secret.drifts).toEqual<DriftRecord[]>([
        {
          path: 'data.password',
          type: 'changed',
          sensitive: true,
          manager: 'kubectl-edit',
          firstSeenAt: at(2),
        },
      ]);
      // `get` also checks every body of this file for the values; these are the routes that show this entity.
      await get('/entities/component/default/billing/status');
      await get('/applications/billing-prod/history');
      await get('/fleet?system=payments');
    });
  },
);

describe('the gitops plugin with the stock deny-all permissions mock', () => {
  let server: Parameters<typeof request>[0];
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseGitOpsStore.create({
      database: { getClient: async () => knex },
    });
    await store.syncApplications(
      REPO,
      [spec('shop-api-dev', SHOP, 'dev')],
      new Map(),
    );
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        mockServices.rootConfig.factory({
          data: { gitops: { workingDirectory: workingDirectory.path } },
        }),
        mockServices.database.factory({ knex }),
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        catalogServiceMock.factory(),
        noopSignals,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
  });

  it.each([
    '/api/gitops/entities/component/default/shop-api/status',
    '/api/gitops/applications/shop-api-dev',
    '/api/gitops/applications/shop-api-dev/history',
    '/api/gitops/fleet',
    '/api/gitops/environments',
  ])('answers 403 to %s', async url => {
    const res = await request(server).get(url);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      error: { name: 'NotAllowedError' },
      response: { statusCode: 403 },
    });
  });

  it('answers 403 to a status batch', async () => {
    const res = await request(server)
      .post('/api/gitops/entities/status:batch')
      .send({ entityRefs: [SHOP] });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      error: { name: 'NotAllowedError' },
      response: { statusCode: 403 },
    });
  });
});
