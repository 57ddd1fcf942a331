import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ApplicationDetailResponse,
  ApplicationSpec,
  DriftRecord,
  FleetItem,
  ResourceImage,
} from '@backstage-gitops/plugin-gitops-common';
import { DatabaseGitOpsStore } from './DatabaseGitOpsStore';
import { ApplicationVerdict, FleetQuery } from './GitOpsStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const REPO = 'platform-config';

async function createStore(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseGitOpsStore.create({
    database: { getClient: async () => knex },
  });
  return { knex, store };
}

/** Minute `m` of a fixed day, so tests control every timestamp the store sees. */
function at(minute: number): string {
  return new Date(Date.UTC(2026, 10, 26, 12, minute)).toISOString();
}

function spec(
  name: string,
  overrides: {
    entityRef?: string;
    environment?: string;
    cluster?: string;
    repo?: string;
  } = {},
): ApplicationSpec {
  return {
    name,
    entityRef: overrides.entityRef ?? 'component:default/shop-api',
    environment: overrides.environment ?? 'dev',
    source: {
      repo: overrides.repo ?? REPO,
      path: `apps/${name}`,
      renderer: 'plain',
    },
    destination: {
      cluster: overrides.cluster ?? 'dev-cluster',
      namespace: 'shop',
    },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn: `apps/${name}/application.yaml`,
  };
}

type VerdictDrift = Omit<DriftRecord, 'firstSeenAt'>;

const imageDrift: VerdictDrift = {
  path: 'spec.template.spec.containers[name=web].image',
  type: 'changed',
  desired: 'shop-api:1.2.0',
  live: 'shop-api:1.3.0-hotfix',
  manager: 'kubectl-edit',
};

const webImages: ResourceImage[] = [
  { container: 'web', image: 'shop-api:1.2.0' },
  { container: 'migrate', image: 'shop-migrate:1.2.0', init: true },
];

const replicasDrift: VerdictDrift = {
  path: 'spec.replicas',
  type: 'changed',
  desired: 2,
  live: 5,
  manager: 'kubectl-scale',
};

function verdict(
  observedAt: string,
  options: {
    drifts?: VerdictDrift[];
    health?: ApplicationVerdict['health'];
    sha?: string;
    healthMessage?: string;
    problem?: ApplicationVerdict['problem'];
    images?: ResourceImage[];
  } = {},
): ApplicationVerdict {
  const drifts = options.drifts ?? [];
  return {
    sync: drifts.length ? 'OutOfSync' : 'Synced',
    health: options.health ?? 'Healthy',
    ...(options.healthMessage && { healthMessage: options.healthMessage }),
    revision: { sha: options.sha ?? 'a1b2c3d', message: 'Bump shop-api' },
    resources: [
      {
        ref: {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
        },
        apiVersion: 'apps/v1',
        sync: drifts.length ? 'OutOfSync' : 'Synced',
        health: options.health ?? 'Healthy',
        drifts,
        ...(options.images && { images: options.images }),
      },
      {
        ref: { group: '', kind: 'Service', namespace: 'shop', name: 'web' },
        apiVersion: 'v1',
        sync: 'Synced',
        health: 'Healthy',
        drifts: [],
      },
    ],
    ...(options.problem !== undefined && { problem: options.problem }),
    observedAt,
  };
}

function deployment(detail: ApplicationDetailResponse | undefined) {
  return detail?.resources.find(resource => resource.ref.kind === 'Deployment');
}

describe('DatabaseGitOpsStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps when a drift was first seen, and restarts the clock when it goes away and comes back, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());

      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(1), { drifts: [imageDrift] }),
      );
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(2), { drifts: [imageDrift, replicasDrift] }),
      );
      let detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.drifts).toEqual([
        { ...imageDrift, firstSeenAt: at(1) },
        { ...replicasDrift, firstSeenAt: at(2) },
      ]);
      expect(detail?.status).toMatchObject({
        sync: 'OutOfSync',
        driftCount: 2,
        driftSince: at(1),
      });

      // The image drift is repaired: the application has drifted only since the replicas changed.
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(3), { drifts: [replicasDrift] }),
      );
      detail = await store.getApplication('shop-api-dev');
      expect(detail?.status).toMatchObject({
        driftCount: 1,
        driftSince: at(2),
      });

      // The same image drift again is a new drift, not the old one resumed.
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(4), { drifts: [replicasDrift, imageDrift] }),
      );
      detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.drifts).toEqual([
        { ...replicasDrift, firstSeenAt: at(2) },
        { ...imageDrift, firstSeenAt: at(4) },
      ]);

      // A field that drifts differently (removed instead of changed) is a different drift.
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(5), {
          drifts: [replicasDrift, { ...imageDrift, type: 'missing-in-live' }],
        }),
      );
      detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.drifts.map(d => d.firstSeenAt)).toEqual([
        at(2),
        at(5),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'never stores secret values, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(1), {
          drifts: [
            {
              path: 'data.password',
              type: 'changed',
              desired: 'hunter2',
              live: 'x',
              sensitive: true,
            },
          ],
        }),
      );
      const detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.drifts).toEqual([
        {
          path: 'data.password',
          type: 'changed',
          sensitive: true,
          firstSeenAt: at(1),
        },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'appends history only when sync, health, revision or drift count change, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());

      const first = await store.writeVerdict('shop-api-dev', verdict(at(1)));
      expect(first.changed).toBe(true);
      expect(first.status).toMatchObject({ sync: 'Synced', changedAt: at(1) });

      // Confirmed again later: nothing to publish, but readers see it was checked.
      const confirmed = await store.writeVerdict(
        'shop-api-dev',
        verdict(at(2)),
      );
      expect(confirmed.changed).toBe(false);
      expect(confirmed.status).toMatchObject({
        changedAt: at(1),
        observedAt: at(2),
      });

      // A new message is shown on the page but is not a change of verdict.
      const message = await store.writeVerdict(
        'shop-api-dev',
        verdict(at(3), { healthMessage: 'all replicas ready' }),
      );
      expect(message.changed).toBe(true);
      expect(message.status.changedAt).toBe(at(1));

      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(4), {
          health: 'Degraded',
          healthMessage: 'all replicas ready',
        }),
      );
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(5), {
          health: 'Degraded',
          healthMessage: 'all replicas ready',
          sha: 'e4f5a6b',
        }),
      );
      await store.writeVerdict('shop-api-dev', {
        ...verdict(at(6), {
          health: 'Degraded',
          healthMessage: 'all replicas ready',
          sha: 'e4f5a6b',
          drifts: [imageDrift],
        }),
        reason: 'live change',
      });

      const history = await store.getHistory('shop-api-dev');
      expect(history).toEqual({
        items: [
          {
            at: at(6),
            sync: 'OutOfSync',
            health: 'Degraded',
            revision: 'e4f5a6b',
            driftCount: 1,
            reason: 'live change',
          },
          {
            at: at(5),
            sync: 'Synced',
            health: 'Degraded',
            revision: 'e4f5a6b',
            driftCount: 0,
          },
          {
            at: at(4),
            sync: 'Synced',
            health: 'Degraded',
            revision: 'a1b2c3d',
            driftCount: 0,
          },
          {
            at: at(1),
            sync: 'Synced',
            health: 'Healthy',
            revision: 'a1b2c3d',
            driftCount: 0,
          },
        ],
      });
      expect(
        (await store.getApplication('shop-api-dev'))?.status.changedAt,
      ).toBe(at(6));
    },
  );

  it.each(databases.eachSupportedId())(
    'writes the same verdict twice without changing anything, on %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      const same = verdict(at(1), {
        drifts: [imageDrift, replicasDrift],
        sha: 'e4f5a6b',
        images: webImages,
      });

      expect((await store.writeVerdict('shop-api-dev', same)).changed).toBe(
        true,
      );
      const snapshot = async () => ({
        applications: await knex('gitops_applications').select(),
        resources: await knex('gitops_resources').select(),
        history: await knex('gitops_history').select(),
      });
      const before = await snapshot();

      const again = await store.writeVerdict('shop-api-dev', same);
      expect(again.changed).toBe(false);
      expect(await snapshot()).toEqual(before);
      expect(before.history).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'stores the images Git declares per resource and returns them with the application, on %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());

      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(1), { drifts: [imageDrift], images: webImages }),
      );
      let detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.images).toEqual(webImages);
      // Git's image beside the live one, which only the drift carries.
      expect(deployment(detail)?.drifts).toEqual([
        { ...imageDrift, firstSeenAt: at(1) },
      ]);
      const service = detail?.resources.find(r => r.ref.kind === 'Service');
      expect(service).toBeDefined();
      expect(service).not.toHaveProperty('images');

      // A new image in Git is shown (and published) without being a change of verdict.
      const bumped = [{ container: 'web', image: 'shop-api:1.3.0' }];
      const result = await store.writeVerdict(
        'shop-api-dev',
        verdict(at(2), { drifts: [imageDrift], images: bumped }),
      );
      expect(result.changed).toBe(true);
      expect(result.status.changedAt).toBe(at(1));
      detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.images).toEqual(bumped);
      expect((await store.getHistory('shop-api-dev')).items).toHaveLength(1);

      // Only the contract's fields are kept; `init: false` is the same as no flag.
      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(3), {
          images: [
            {
              container: 'web',
              image: 'shop-api:1.3.0',
              init: false,
              digest: 'sha256:0123',
            } as ResourceImage,
          ],
        }),
      );
      detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)?.images).toEqual(bumped);

      // No image (or an empty list) stores none, and the resource reports none.
      await store.writeVerdict('shop-api-dev', verdict(at(4), { images: [] }));
      detail = await store.getApplication('shop-api-dev');
      expect(deployment(detail)).not.toHaveProperty('images');
      expect(
        (await knex('gitops_resources').select('images')).map(r => r.images),
      ).toEqual([null, null]);
    },
  );

  it.each(databases.eachSupportedId())(
    'rewrites the resources only when their images changed, on %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      const rows = () => knex('gitops_resources').select();

      await store.writeVerdict(
        'shop-api-dev',
        verdict(at(1), { images: webImages }),
      );
      const before = await rows();
      // The same images again, in a fresh array: nothing to write, nothing to publish.
      const again = await store.writeVerdict(
        'shop-api-dev',
        verdict(at(2), { images: webImages.map(image => ({ ...image })) }),
      );
      expect(again.changed).toBe(false);
      expect(await rows()).toEqual(before);

      const reordered = await store.writeVerdict(
        'shop-api-dev',
        verdict(at(3), { images: [...webImages].reverse() }),
      );
      expect(reordered.changed).toBe(true);
      expect(
        deployment(await store.getApplication('shop-api-dev'))?.images,
      ).toEqual([...webImages].reverse());
    },
  );

  it.each(databases.eachSupportedId())(
    'rejects an image without a container name or image, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      await expect(
        store.writeVerdict(
          'shop-api-dev',
          verdict(at(1), {
            images: [{ container: 'web' } as ResourceImage],
          }),
        ),
      ).rejects.toThrow(InputError);
      expect((await store.getHistory('shop-api-dev')).items).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'rejects verdicts for unknown applications and malformed verdicts, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      await expect(store.writeVerdict('nope', verdict(at(1)))).rejects.toThrow(
        NotFoundError,
      );
      await expect(
        store.writeVerdict('shop-api-dev', verdict('yesterday')),
      ).rejects.toThrow(InputError);
      const twice = verdict(at(1));
      twice.resources.push(twice.resources[0]);
      await expect(store.writeVerdict('shop-api-dev', twice)).rejects.toThrow(
        /lists resource apps\/Deployment\/shop\/web twice/,
      );
      // A rejected verdict leaves no trace.
      expect((await store.getHistory('shop-api-dev')).items).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'reports Unknown for an unreachable cluster while keeping the last known state and its age, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(
        REPO,
        [
          spec('shop-api-prod', { environment: 'prod', cluster: 'prod-eu' }),
          spec('cart-prod', {
            entityRef: 'component:default/cart',
            environment: 'prod',
            cluster: 'prod-eu',
          }),
          spec('shop-api-dev'),
        ],
        new Map(),
      );
      await store.writeVerdict(
        'shop-api-prod',
        verdict(at(1), { drifts: [imageDrift] }),
      );
      await store.writeVerdict(
        'shop-api-prod',
        verdict(at(2), { drifts: [imageDrift] }),
      );
      await store.writeVerdict('cart-prod', verdict(at(2)));
      await store.writeVerdict('shop-api-dev', verdict(at(2)));
      const unreachable = {
        code: 'CLUSTER_UNREACHABLE' as const,
        message: 'connect ECONNREFUSED',
      };

      const marked = await store.markProblem(
        { cluster: 'prod-eu' },
        unreachable,
        at(5),
      );
      expect(marked.map(s => [s.application.name, s.sync]).sort()).toEqual([
        ['cart-prod', 'Unknown'],
        ['shop-api-prod', 'Unknown'],
      ]);

      const detail = await store.getApplication('shop-api-prod');
      expect(detail?.status).toMatchObject({
        sync: 'Unknown',
        health: 'Healthy',
        driftCount: 1,
        driftSince: at(1),
        observedAt: at(2),
        revision: { sha: 'a1b2c3d' },
        problem: { ...unreachable, since: at(5) },
      });
      expect(deployment(detail)).toMatchObject({
        sync: 'OutOfSync',
        drifts: [{ ...imageDrift, firstSeenAt: at(1) }],
      });
      expect((await store.getApplication('shop-api-dev'))?.status.sync).toBe(
        'Synced',
      );

      // Still down a minute later: nothing new to publish, and the outage keeps its start.
      expect(
        await store.markProblem({ cluster: 'prod-eu' }, unreachable, at(6)),
      ).toEqual([]);
      expect(
        (await store.getApplication('cart-prod'))?.status.problem?.since,
      ).toBe(at(5));

      // The fleet filter agrees with what the page shows.
      const unknown = await store.listFleet({ sync: 'Unknown' });
      expect(unknown.items.map(i => i.application.name)).toEqual([
        'cart-prod',
        'shop-api-prod',
      ]);
      expect((await store.listFleet({ sync: 'OutOfSync' })).totalItems).toBe(0);

      // A verdict that does not speak about the problem leaves it standing; one that clears it does.
      await store.writeVerdict('cart-prod', verdict(at(7)));
      expect((await store.getApplication('cart-prod'))?.status.sync).toBe(
        'Unknown',
      );
      const cleared = await store.writeVerdict(
        'cart-prod',
        verdict(at(8), { problem: null }),
      );
      expect(cleared).toMatchObject({
        changed: true,
        status: { sync: 'Synced' },
      });
      expect(cleared.status.problem).toBeUndefined();

      const recovered = await store.markProblem(
        { cluster: 'prod-eu' },
        null,
        at(9),
      );
      expect(recovered.map(s => [s.application.name, s.sync])).toEqual([
        ['shop-api-prod', 'OutOfSync'],
      ]);
      await expect(store.markProblem({}, unreachable, at(9))).rejects.toThrow(
        InputError,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'removes applications a config repo no longer declares, keeping their history, on %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      const owners = new Map([
        [
          'component:default/shop-api',
          { owner: 'group:default/team-shop', system: 'system:default/shop' },
        ],
      ]);
      const first = await store.syncApplications(
        REPO,
        [spec('shop-api-dev'), spec('shop-api-prod', { environment: 'prod' })],
        owners,
      );
      expect(first).toEqual({
        added: ['shop-api-dev', 'shop-api-prod'],
        removed: [],
        conflicts: [],
      });
      await store.writeVerdict(
        'shop-api-prod',
        verdict(at(1), { drifts: [imageDrift] }),
      );

      const second = await store.syncApplications(
        REPO,
        [
          spec('shop-api-dev'),
          spec('shop-api-staging', { environment: 'staging' }),
        ],
        new Map([
          [
            'component:default/shop-api',
            { owner: 'group:default/team-checkout' },
          ],
        ]),
      );
      expect(second).toEqual({
        added: ['shop-api-staging'],
        removed: ['shop-api-prod'],
        conflicts: [],
      });
      expect(await store.getApplication('shop-api-prod')).toBeUndefined();
      expect(
        await knex('gitops_resources').where({ application: 'shop-api-prod' }),
      ).toEqual([]);
      expect((await store.getHistory('shop-api-prod')).items).toHaveLength(1);

      // The catalog's answer is refreshed with the declarations.
      const fleet = await store.listFleet();
      expect(
        fleet.items.map(i => [i.application.name, i.owner, i.system]),
      ).toEqual([
        ['shop-api-dev', 'group:default/team-checkout', undefined],
        ['shop-api-staging', 'group:default/team-checkout', undefined],
      ]);

      // Another repo cannot take over a name, and an unrelated repo's applications are untouched.
      const other = await store.syncApplications(
        'other-config',
        [
          spec('shop-api-dev', { repo: 'other-config' }),
          spec('cart-dev', { repo: 'other-config' }),
        ],
        new Map(),
      );
      expect(other).toEqual({
        added: ['cart-dev'],
        removed: [],
        conflicts: [{ name: 'shop-api-dev', declaredByRepo: REPO }],
      });
      expect(
        (await store.getApplication('shop-api-dev'))?.status.application.source
          .repo,
      ).toBe(REPO);
      expect(
        (await store.syncApplications(REPO, [], new Map())).removed,
      ).toEqual(['shop-api-dev', 'shop-api-staging']);
      expect(
        (await store.listFleet()).items.map(i => i.application.name),
      ).toEqual(['cart-dev']);

      await expect(
        store.syncApplications(REPO, [spec('a'), spec('a')], new Map()),
      ).rejects.toThrow(/declared twice/);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists an entity\u2019s applications dev before staging before prod, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const environments = [
        'prod',
        'sandbox-z',
        'staging',
        'prod-eu',
        'qa',
        'dev',
        'perf',
      ];
      await store.syncApplications(
        REPO,
        [
          ...environments.map(environment =>
            spec(`shop-api-${environment}`, { environment }),
          ),
          spec('cart-dev', { entityRef: 'component:default/cart' }),
        ],
        new Map(),
      );
      const statuses = await store.getEntityStatus(
        'Component:default/Shop-API',
      );
      expect(statuses.map(s => s.application.environment)).toEqual([
        'dev',
        'sandbox-z',
        'qa',
        'staging',
        'prod',
        'prod-eu',
        'perf',
      ]);
      expect(await store.getEntityStatus('component:default/unknown')).toEqual(
        [],
      );
      expect(await store.listEntityRefs()).toEqual([
        'component:default/cart',
        'component:default/shop-api',
      ]);
    },
  );

  describe('fleet', () => {
    const teams = [
      'group:default/team-a',
      'group:default/team-b',
      'group:default/team-c',
    ];
    // Capitals and underscores sort differently under natural-language collations than byte-wise.
    const environments = ['dev', 'Staging', 'prod'];

    /** 23 applications over 8 entities, 3 teams and 3 environments, with varied verdicts. */
    async function seedFleet(store: DatabaseGitOpsStore) {
      const specs: ApplicationSpec[] = [];
      const catalog = new Map<string, { owner?: string; system?: string }>();
      for (let i = 0; i < 23; i++) {
        const entity = `component:default/svc${i % 8 < 4 ? '-' : '_'}${i % 8}`;
        catalog.set(entity, {
          owner: teams[(i % 8) % 3],
          ...(i % 8 < 4 && { system: 'system:default/shop' }),
        });
        specs.push(
          spec(`app-${String(i).padStart(2, '0')}`, {
            entityRef: entity,
            environment: environments[i % 3],
          }),
        );
      }
      await store.syncApplications(REPO, specs, catalog);
      // Unobserved applications (no changedAt) and applications without drift (no driftSince) stay in.
      for (let i = 0; i < 20; i++) {
        const name = `app-${String(i).padStart(2, '0')}`;
        await store.writeVerdict(
          name,
          verdict(at(i % 7), {
            drifts: i % 4 === 0 ? [imageDrift] : [],
            health: i % 5 === 0 ? 'Degraded' : 'Healthy',
          }),
        );
      }
      await store.markProblem(
        { application: 'app-04' },
        { code: 'RENDER_FAILED', message: 'bad yaml' },
        at(30),
      );
    }

    it.each(databases.eachSupportedId())(
      'filters by owner, system, environment, sync, health and permitted entities, on %p',
      async databaseId => {
        const { store } = await createStore(databaseId);
        await seedFleet(store);
        const names = async (query: FleetQuery) => {
          const response = await store.listFleet({ ...query, limit: 100 });
          expect(response.totalItems).toBe(response.items.length);
          return response.items.map(item => item.application.name);
        };
        const expected = (predicate: (i: number) => boolean) =>
          Array.from({ length: 23 }, (_, i) => i)
            .filter(predicate)
            .map(i => `app-${String(i).padStart(2, '0')}`);

        expect(await names({})).toEqual(expected(() => true));
        expect(await names({ owner: 'group:default/team-b' })).toEqual(
          expected(i => (i % 8) % 3 === 1),
        );
        expect(await names({ system: 'system:default/shop' })).toEqual(
          expected(i => i % 8 < 4),
        );
        expect(await names({ environment: 'prod' })).toEqual(
          expected(i => i % 3 === 2),
        );
        expect(await names({ environment: ['dev', 'prod'] })).toEqual(
          expected(i => i % 3 !== 1),
        );
        expect(await names({ health: 'Degraded' })).toEqual(
          expected(i => i < 20 && i % 5 === 0),
        );
        expect(await names({ sync: 'OutOfSync' })).toEqual(
          expected(i => i < 20 && i % 4 === 0 && i !== 4),
        );
        expect(await names({ sync: 'Unknown' })).toEqual(
          expected(i => i >= 20 || i === 4),
        );
        expect(await names({ sync: 'Synced' })).toEqual(
          expected(i => i < 20 && i % 4 !== 0),
        );
        expect(
          await names({
            entityRefs: ['component:default/svc-1', 'Component:default/SVC-2'],
          }),
        ).toEqual(expected(i => i % 8 === 1 || i % 8 === 2));
        expect(await names({ entityRefs: [] })).toEqual([]);
        expect(
          await names({
            owner: 'group:default/team-a',
            environment: 'dev',
            sync: 'OutOfSync',
            entityRefs: ['component:default/svc-0'],
          }),
        ).toEqual(['app-00']);

        const page = await store.listFleet({
          owner: 'group:default/team-a',
          limit: 2,
        });
        expect(page.items).toHaveLength(2);
        expect(page.totalItems).toBe(expected(i => (i % 8) % 3 === 0).length);
        expect(page.items[0]).toMatchObject<Partial<FleetItem>>({
          owner: 'group:default/team-a',
          system: 'system:default/shop',
        });
      },
    );

    const orderings: Array<NonNullable<FleetQuery['orderBy']>> = [
      { field: 'name', direction: 'asc' },
      { field: 'name', direction: 'desc' },
      { field: 'entityRef', direction: 'asc' },
      { field: 'environment', direction: 'desc' },
      { field: 'changedAt', direction: 'asc' },
      { field: 'changedAt', direction: 'desc' },
      { field: 'driftSince', direction: 'asc' },
      { field: 'driftSince', direction: 'desc' },
    ];

    it.each(databases.eachSupportedId())(
      'pages through the fleet visiting every application exactly once in every order, on %p',
      async databaseId => {
        const { store } = await createStore(databaseId);
        await seedFleet(store);
        const all = (await store.listFleet({ limit: 100 })).items;

        for (const orderBy of orderings) {
          const visited: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.listFleet({ orderBy, limit: 5, cursor });
            expect(page.totalItems).toBe(23);
            visited.push(...page.items.map(item => item.application.name));
            cursor = page.nextCursor;
            pages += 1;
          } while (cursor && pages < 10);

          expect({ orderBy, visited }).toEqual({
            orderBy,
            visited: expectedOrder(all, orderBy),
          });
          expect(pages).toBe(5);
        }

        // A filtered walk ends exactly on its last item.
        const firstPage = await store.listFleet({
          environment: 'prod',
          limit: 7,
        });
        expect(firstPage.items).toHaveLength(7);
        expect(firstPage.nextCursor).toBeUndefined();

        const page = await store.listFleet({ limit: 5 });
        await expect(
          store.listFleet({
            limit: 5,
            cursor: page.nextCursor,
            orderBy: { field: 'changedAt' },
          }),
        ).rejects.toThrow(InputError);
        await expect(
          store.listFleet({ cursor: 'not-a-cursor' }),
        ).rejects.toThrow(InputError);
        await expect(store.listFleet({ limit: 0 })).rejects.toThrow(InputError);
      },
    );
  });

  it.each(databases.eachSupportedId())(
    'pages through history newest first, including changes recorded at the same time, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.syncApplications(REPO, [spec('shop-api-dev')], new Map());
      const shas: string[] = [];
      for (let i = 0; i < 7; i++) {
        shas.push(`sha-${i}`);
        // Two verdicts per minute: the order of writing breaks the tie.
        await store.writeVerdict(
          'shop-api-dev',
          verdict(at(Math.floor(i / 2)), { sha: `sha-${i}` }),
        );
      }
      const visited: string[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await store.getHistory('shop-api-dev', {
          limit: 3,
          cursor,
        });
        sizes.push(page.items.length);
        visited.push(...page.items.map(item => item.revision!));
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([3, 3, 1]);
      expect(visited).toEqual([...shas].reverse());
      await expect(
        store.getHistory('shop-api-dev', {
          cursor: Buffer.from('{"at":1}').toString('base64url'),
        }),
      ).rejects.toThrow(InputError);
    },
  );

  it.each(databases.eachSupportedId())(
    'shows an entity the applications its annotation links, once each, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const ledger = 'component:default/ledger';
      await store.syncApplications(
        REPO,
        [
          spec('shop-api-prod', { environment: 'prod' }),
          spec('shop-api-dev'),
          spec('ledger-staging', { entityRef: ledger, environment: 'staging' }),
        ],
        new Map(),
      );
      await store.syncApplications(
        'other-config',
        [
          spec('batch-dev', {
            entityRef: 'component:default/batch',
            repo: 'other-config',
          }),
        ],
        new Map(),
      );
      const names = async (entityRef: string) =>
        (await store.getEntityStatus(entityRef)).map(s => s.application.name);

      // Links are stored normalized, and the page asks with any casing.
      await store.linkEntities(REPO, [
        { entityRef: 'Component:default/Ledger', application: 'shop-api-prod' },
        { entityRef: ledger, application: 'shop-api-dev' },
        { entityRef: ledger, application: 'ledger-staging' },
        { entityRef: ledger, application: 'shop-api-dev' },
      ]);
      await store.linkEntities('other-config', [
        { entityRef: ledger, application: 'batch-dev' },
      ]);
      expect(await names('component:default/LEDGER')).toEqual([
        'batch-dev',
        'shop-api-dev',
        'ledger-staging',
        'shop-api-prod',
      ]);
      // The owning entity keeps its own applications, and a link does not move them.
      expect(await names('component:default/shop-api')).toEqual([
        'shop-api-dev',
        'shop-api-prod',
      ]);
      expect(await store.listEntityRefs()).toEqual([
        'component:default/batch',
        ledger,
        'component:default/shop-api',
      ]);

      // A refresh replaces that repo's links only.
      await store.linkEntities(REPO, [
        {
          entityRef: 'component:default/shop-api',
          application: 'ledger-staging',
        },
      ]);
      expect(await names(ledger)).toEqual(['batch-dev', 'ledger-staging']);
      expect(await names('component:default/shop-api')).toEqual([
        'shop-api-dev',
        'ledger-staging',
        'shop-api-prod',
      ]);
      await store.linkEntities(REPO, []);
      expect(await names('component:default/shop-api')).toEqual([
        'shop-api-dev',
        'shop-api-prod',
      ]);

      // A link to an application that is gone shows nothing.
      await store.syncApplications('other-config', [], new Map());
      expect(await names(ledger)).toEqual(['ledger-staging']);
    },
  );

  it.each(databases.eachSupportedId())(
    'answers the statuses of many entities at once as getEntityStatus does for each, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const ledger = 'component:default/ledger';
      await store.syncApplications(
        REPO,
        [
          spec('shop-api-prod', { environment: 'prod' }),
          spec('shop-api-dev'),
          spec('shop-api-staging', { environment: 'staging' }),
          spec('ledger-dev', { entityRef: ledger }),
          spec('cart-dev', { entityRef: 'component:default/cart' }),
        ],
        new Map(),
      );
      // ledger links a shop-api application, and also its own (the union must not list it twice).
      await store.linkEntities(REPO, [
        { entityRef: ledger, application: 'shop-api-prod' },
        { entityRef: ledger, application: 'ledger-dev' },
      ]);
      await store.writeVerdict(
        'shop-api-staging',
        verdict(at(1), { drifts: [imageDrift], health: 'Degraded' }),
      );

      const statuses = await store.getEntityStatuses([
        'Component:default/Shop-API',
        ledger,
        'component:default/nothing-deployed',
        'component:default/shop-api',
      ]);
      expect([...statuses.keys()]).toEqual([
        'component:default/shop-api',
        ledger,
        'component:default/nothing-deployed',
      ]);
      for (const ref of statuses.keys()) {
        expect(statuses.get(ref)).toEqual(await store.getEntityStatus(ref));
      }
      expect(
        statuses.get(ledger)!.map(status => status.application.name),
      ).toEqual(['ledger-dev', 'shop-api-prod']);
      expect(statuses.get('component:default/shop-api')![1]).toMatchObject({
        sync: 'OutOfSync',
        health: 'Degraded',
        driftCount: 1,
      });
      expect(await store.getEntityStatuses([])).toEqual(new Map());
    },
  );

  it.each(databases.eachSupportedId())(
    'lists the environments of the permitted entities, dev-like first, with their clusters, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const cart = 'component:default/cart';
      await store.syncApplications(
        REPO,
        [
          spec('shop-api-prod', { environment: 'prod', cluster: 'prod-eu' }),
          spec('shop-api-perf', { environment: 'perf', cluster: 'perf' }),
          spec('shop-api-dev', { cluster: 'dev-1' }),
          spec('shop-api-staging', { environment: 'staging' }),
          spec('cart-prod', {
            entityRef: cart,
            environment: 'prod',
            cluster: 'prod-us',
          }),
          spec('cart-dev', { entityRef: cart, cluster: 'dev-1' }),
          spec('cart-qa', { entityRef: cart, environment: 'qa' }),
          spec('cart-prod-2', {
            entityRef: cart,
            environment: 'prod',
            cluster: 'prod-eu',
          }),
        ],
        new Map(),
      );

      expect(await store.listEnvironments()).toEqual([
        { name: 'dev', applications: 2, clusters: ['dev-1'] },
        { name: 'qa', applications: 1, clusters: ['dev-cluster'] },
        { name: 'staging', applications: 1, clusters: ['dev-cluster'] },
        { name: 'prod', applications: 3, clusters: ['prod-eu', 'prod-us'] },
        { name: 'perf', applications: 1, clusters: ['perf'] },
      ]);
      expect(
        await store.listEnvironments({
          entityRefs: ['Component:default/Cart'],
        }),
      ).toEqual([
        { name: 'dev', applications: 1, clusters: ['dev-1'] },
        { name: 'qa', applications: 1, clusters: ['dev-cluster'] },
        { name: 'prod', applications: 2, clusters: ['prod-eu', 'prod-us'] },
      ]);
      // More entities than one statement takes: the chunks' counts add up.
      const fillers = Array.from(
        { length: 250 },
        (_, i) => `component:default/filler-${i}`,
      );
      expect(
        await store.listEnvironments({
          entityRefs: [cart, ...fillers, 'component:default/shop-api'],
        }),
      ).toEqual(await store.listEnvironments());
      expect(await store.listEnvironments({ entityRefs: [] })).toEqual([]);
      expect(
        await store.listEnvironments({
          entityRefs: ['component:default/unknown'],
        }),
      ).toEqual([]);
    },
  );
});

/** The order the store promises, computed independently: values ascending or descending, absent last, then name. */
function expectedOrder(
  items: FleetItem[],
  orderBy: NonNullable<FleetQuery['orderBy']>,
): string[] {
  const valueOf = (item: FleetItem): string | undefined => {
    switch (orderBy.field) {
      case 'name':
        return item.application.name;
      case 'entityRef':
        return item.application.entityRef;
      case 'environment':
        return item.application.environment;
      case 'changedAt':
        return item.changedAt;
      case 'driftSince':
        return item.driftSince;
      default:
        throw new Error(`unexpected field ${orderBy.field}`);
    }
  };
  const sign = orderBy.direction === 'desc' ? -1 : 1;
  const compare = (a: string, b: string) => {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  };
  return [...items]
    .sort((a, b) => {
      const va = valueOf(a);
      const vb = valueOf(b);
      if (va === undefined || vb === undefined) {
        if (va !== vb) return va === undefined ? 1 : -1;
      } else if (va !== vb) {
        return sign * compare(va, vb);
      }
      return orderBy.field === 'name'
        ? 0
        : compare(a.application.name, b.application.name);
    })
    .map(item => item.application.name);
}
