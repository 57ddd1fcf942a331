import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
} from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { DatabaseGitOpsStore } from '../database/DatabaseGitOpsStore';
import { gitopsPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const workingDirectory = createMockDirectory();

const SHOP = 'component:default/shop-api';
const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';

const permissions = mockServices.permissions.mock({
  authorize: async (requests, options) =>
    requests.map((_req: AuthorizePermissionRequest) => ({
      result:
        (options?.credentials?.principal as { userEntityRef?: string })
          ?.userEntityRef === MALLORY
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    })),
});

const noopSignals = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({ publish: async () => {} }),
});

/**
 * The whole plugin in a backend with the default actions registry: what the MCP actions backend calls, over
 * HTTP, with the caller's token.
 */
describe('the gitops plugin serves its actions through the actions registry', () => {
  let server: Parameters<typeof request>[0];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseGitOpsStore.create({
      database: { getClient: async () => knex },
    });
    await store.syncApplications(
      'platform-config',
      [
        {
          name: 'shop-api-dev',
          entityRef: SHOP,
          environment: 'dev',
          source: {
            repo: 'platform-config',
            path: 'apps/shop-api',
            renderer: 'plain',
          },
          destination: { cluster: 'local', namespace: 'shop-dev' },
          syncPolicy: { automated: true, prune: false, selfHeal: false },
          declaredIn: 'applications/shop-api.yaml',
        },
      ],
      new Map(),
    );
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        mockServices.rootConfig.factory({
          data: {
            gitops: { workingDirectory: workingDirectory.path },
            backend: { actions: { pluginSources: ['gitops'] } },
          },
        }),
        mockServices.database.factory({ knex }),
        permissions.factory,
        catalogServiceMock.factory(),
        noopSignals,
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  const invoke = (name: string, input: object, user = ALICE) =>
    request(server)
      .post(`/api/gitops/.backstage/actions/v1/actions/gitops:${name}/invoke`)
      .set('Authorization', mockCredentials.user.header(user))
      .send(input);

  it('lists the five gitops actions', async () => {
    const res = await request(server)
      .get('/api/gitops/.backstage/actions/v1/actions')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    expect(res.body.actions.map((a: { id: string }) => a.id)).toEqual([
      'gitops:get-gitops-status',
      'gitops:get-gitops-drift',
      'gitops:preview-gitops-change',
      'gitops:request-gitops-change',
      'gitops:sync-gitops-application',
    ]);
  });

  it('answers an allowed user, refuses a denied one (403) and bad input (400)', async () => {
    const ok = await invoke('get-gitops-status', { entityRef: SHOP });
    expect(ok.status).toBe(200);
    expect(ok.body.output).toMatchObject({
      entityRef: SHOP,
      applications: [
        { name: 'shop-api-dev', environment: 'dev', sync: 'Unknown' },
      ],
    });

    const denied = await invoke(
      'get-gitops-status',
      { entityRef: SHOP },
      MALLORY,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ name: 'NotAllowedError' });

    const bad = await invoke('get-gitops-drift', { application: 'Not A Name' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('must be an application name'),
    });
  });

  it('refuses anonymous callers', async () => {
    const res = await request(server)
      .post(
        '/api/gitops/.backstage/actions/v1/actions/gitops:get-gitops-status/invoke',
      )
      .set('Authorization', mockCredentials.none.header())
      .send({ entityRef: SHOP });
    // The plugin's router lets no unauthenticated request through, actions included.
    expect(res.status).toBe(401);
  });
});
