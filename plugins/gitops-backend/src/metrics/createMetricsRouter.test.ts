import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type {
  AuditLogResponse,
  DoraMetricsResponse,
  DriftMetricsResponse,
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
import { gitopsPlugin } from '../plugin';
import { at } from './__testUtils__/metricsFixtures';
import { BILLING, SHOP, seedMetrics } from './__testUtils__/seedMetrics';

jest.setTimeout(60_000);

// PostgreSQL runs too when its connection string is set (scripts/postgres.sh).
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const workingDirectory = createMockDirectory();

/** The seeded range: three days from T0. */
const RANGE = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(
  at(72),
)}`;

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

const noopSignals = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({ publish: async () => {} }),
});

const openApi = parse(
  readFileSync(path.join(__dirname, '../api/openapi.yaml'), 'utf8'),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

/** The schema openapi.yaml gives for this path and status; an undocumented answer fails the test. */
function responseValidator(pathname: string, status: number): ValidateFunction {
  const key = `${pathname} ${status}`;
  if (!validators.has(key)) {
    let response = openApi.paths[pathname]?.get?.responses[String(status)];
    if (!response)
      throw new Error(
        `openapi.yaml documents no ${status} for GET ${pathname}`,
      );
    if (response.$ref)
      response = openApi.components.responses[response.$ref.split('/').pop()];
    validators.set(
      key,
      ajv.compile({
        ...response.content['application/json'].schema,
        components: openApi.components,
      }),
    );
  }
  return validators.get(key)!;
}

describe.each(databases.eachSupportedId())(
  'the metrics routes on %p',
  databaseId => {
    let server: Parameters<typeof request>[0];
    let stopBackend: () => Promise<void>;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
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
      await seedMetrics(knex);
      server = backend.server;
      stopBackend = () => backend.stop();
    });

    afterAll(async () => {
      await stopBackend?.();
    });

    beforeEach(() => {
      policy = allowAll;
      permissions.authorize.mockClear();
    });

    /** GETs a route and checks the answer against openapi.yaml. */
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
      return res;
    }

    describe('200', () => {
      it('computes the DORA figures of the fleet over a range', async () => {
        const res = await get(`/metrics/dora?${RANGE}`);
        expect(res.status).toBe(200);
        const body: DoraMetricsResponse = res.body;
        expect(body.from).toBe(at(0));
        expect(body.to).toBe(at(72));
        // shop-api-dev d1, shop-api-prod r1, billing-prod b1 and the since removed application's x1.
        expect(body.deploymentFrequency).toEqual({
          total: 4,
          fromHistory: 4,
          fromChangeRequests: 0,
          perDay: 1.33,
          perWeek: 9.33,
        });
        expect(body.leadTime).toEqual({
          mergeToSynced: { count: 1, medianSeconds: 7200, p90Seconds: 7200 },
          commitToSynced: { count: 1, medianSeconds: 3600, p90Seconds: 3600 },
        });
        expect(body.changeFailureRate).toMatchObject({
          deployments: 4,
          failures: 0,
          rate: 0,
        });
        // shop-api-prod was Degraded 30 hours before the range and Healthy 2 hours into it.
        expect(body.timeToRestore).toEqual({
          count: 1,
          medianSeconds: 32 * 3600,
          p90Seconds: 32 * 3600,
          open: 0,
        });
        expect(body.interval).toBe('day');
        expect(body.trend.map(p => [p.start, p.deployments])).toEqual([
          [at(0), 4],
          [at(24), 0],
          [at(48), 0],
        ]);
      });

      it.each`
        query                                      | total | echoed
        ${`entityRef=${SHOP}`}                     | ${2}  | ${{ entityRef: SHOP }}
        ${'entityRef=Component:default/Shop-API'}  | ${2}  | ${{ entityRef: SHOP }}
        ${'environment=dev'}                       | ${1}  | ${{ environment: 'dev' }}
        ${`entityRef=${BILLING}&environment=prod`} | ${1}  | ${{ entityRef: BILLING, environment: 'prod' }}
      `(
        'narrows the DORA figures to $query',
        async ({ query, total, echoed }) => {
          const res = await get(`/metrics/dora?${RANGE}&${query}`);
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject(echoed);
          expect(res.body.deploymentFrequency.total).toBe(total);
        },
      );

      it('takes the last 30 days by default', async () => {
        const before = Date.now();
        const res = await get('/metrics/dora');
        expect(res.status).toBe(200);
        const to = Date.parse(res.body.to);
        expect(to).toBeGreaterThanOrEqual(before);
        expect(to - Date.parse(res.body.from)).toBe(30 * 86_400_000);
        expect(res.body.trend.length).toBeGreaterThanOrEqual(30);
      });

      it('counts drifted and OutOfSync applications per day', async () => {
        const res = await get(`/metrics/drift?${RANGE}`);
        expect(res.status).toBe(200);
        const body: DriftMetricsResponse = res.body;
        expect(body.days).toEqual([
          { date: '2026-10-01', applications: 4, drifted: 0, outOfSync: 0 },
          { date: '2026-10-02', applications: 4, drifted: 1, outOfSync: 1 },
          { date: '2026-10-03', applications: 4, drifted: 1, outOfSync: 1 },
        ]);
        const dev = await get(`/metrics/drift?${RANGE}&environment=dev`);
        expect(dev.body.environment).toBe('dev');
        expect(
          dev.body.days.map((d: { drifted: number }) => d.drifted),
        ).toEqual([0, 0, 0]);
      });

      it('pages through the audit log, newest first', async () => {
        const first = await get('/audit?limit=3');
        expect(first.status).toBe(200);
        const page1: AuditLogResponse = first.body;
        expect(page1.items.map(e => `${e.action} ${e.actor}`)).toEqual([
          'requested user:default/alice',
          'synced user:default/Carol',
          'cancelled user:default/carol',
        ]);
        const second = await get(
          `/audit?limit=3&cursor=${encodeURIComponent(page1.nextCursor!)}`,
        );
        expect((second.body as AuditLogResponse).items.map(e => e.id)).toEqual([
          'cr-c:0000',
          'sync:run-1',
          'cr-b:0003',
        ]);
      });

      it('filters the audit log by entity and actor', async () => {
        const res = await get(
          `/audit?entityRef=${SHOP}&actor=user:default/bob`,
        );
        expect(res.status).toBe(200);
        expect((res.body as AuditLogResponse).items.map(e => e.id)).toEqual([
          'sync:run-1',
          'cr-b:0002',
        ]);
      });
    });

    describe('400', () => {
      it.each`
        url                                                | message
        ${'/metrics/dora?from=yesterday'}                  | ${/Invalid query: from: must be an ISO 8601 date/}
        ${'/metrics/dora?from=2026-11-02&to=2026-11-01'}   | ${/from \(2026-11-02T00:00:00.000Z\) must be before to/}
        ${'/metrics/dora?from=2024-01-01&to=2026-01-01'}   | ${/at most 365 days/}
        ${'/metrics/dora?failureWindowHours=0'}            | ${/failureWindowHours/}
        ${'/metrics/dora?entityRef=component:default/'}    | ${/entityRef: must be an entity ref/}
        ${'/metrics/dora?from=2026-11-01&from=2026-11-02'} | ${/from/}
        ${'/metrics/drift?environment=Prod!'}              | ${/environment: must be an environment name/}
        ${'/metrics/drift?to=never'}                       | ${/to: must be an ISO 8601/}
        ${'/audit?limit=0'}                                | ${/limit/}
        ${'/audit?limit=many'}                             | ${/limit/}
        ${'/audit?cursor=garbage'}                         | ${/Malformed page cursor/}
        ${'/audit?actor='}                                 | ${/actor/}
      `('refuses $url', async ({ url, message }) => {
        const res = await get(url);
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
        expect(res.body.error.message).toMatch(message);
      });
    });

    describe('401', () => {
      it.each(['/metrics/dora', '/metrics/drift', '/audit'])(
        'refuses %s without credentials or with a bad token',
        async url => {
          const anonymous = await get(url, mockCredentials.none.header());
          expect(anonymous.status).toBe(401);
          expect(anonymous.body.error.name).toBe('AuthenticationError');
          const forged = await get(url, mockCredentials.user.invalidHeader());
          expect(forged.status).toBe(401);
          expect(permissions.authorize).not.toHaveBeenCalled();
        },
      );
    });

    describe('403', () => {
      const entityOnly: Policy = (permission, resourceRef) =>
        permission === 'gitops.entity.read' && resourceRef === SHOP
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY;

      it.each(['/metrics/dora', '/metrics/drift', '/audit'])(
        'refuses %s fleet-wide without gitops.fleet.read',
        async url => {
          policy = entityOnly;
          const res = await get(url);
          expect(res.status).toBe(403);
          expect(res.body.error.name).toBe('NotAllowedError');
        },
      );

      it.each([
        `/metrics/dora?entityRef=${BILLING}`,
        `/audit?entityRef=${BILLING}`,
      ])('refuses %s without gitops.entity.read on that entity', async url => {
        policy = entityOnly;
        const res = await get(url);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(BILLING);
      });

      it('serves one entity to whoever may read it, asking about that entity', async () => {
        policy = entityOnly;
        expect(
          (await get(`/metrics/dora?${RANGE}&entityRef=${SHOP}`)).status,
        ).toBe(200);
        expect(
          (await get(`/audit?entityRef=Component:default/Shop-API`)).status,
        ).toBe(200);
        expect(permissions.authorize).toHaveBeenLastCalledWith(
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
    });
  },
);
