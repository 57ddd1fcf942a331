import type {
  ApplicationSpec,
  ChangeRequest,
} from '@backstage-gitops/plugin-gitops-common';
import type { Knex } from 'knex';
import { DatabaseChangeStore } from '../../database/DatabaseChangeStore';
import { DatabaseGitOpsStore } from '../../database/DatabaseGitOpsStore';
import { at, changeRequest } from './metricsFixtures';

export const SHOP = 'component:default/shop-api';
export const BILLING = 'component:default/billing';
const REPO = 'platform-config';

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

type Row = [
  application: string,
  hour: number,
  sync: string,
  health: string,
  revision: string | null,
  driftCount: number,
];

/**
 * History around a range of hours 0 to 72 after T0: shop-api-prod was Degraded before it and is Healthy again
 * at hour 2, then deploys r1 and drifts; shop-api-dev recovered before the range and deploys d1; billing-prod
 * deploys b1, and b2 after the range; `removed-app` is gone from the declarations but has history in the range,
 * `long-gone` only before it.
 */
export const HISTORY: Row[] = [
  ['shop-api-prod', -50, 'Synced', 'Healthy', 'r0', 0],
  ['shop-api-prod', -30, 'Synced', 'Degraded', 'r0', 0],
  ['shop-api-prod', -20, 'Synced', 'Progressing', 'r0', 0],
  ['shop-api-dev', -15, 'Synced', 'Degraded', 'd0', 0],
  ['shop-api-dev', -10, 'Synced', 'Healthy', 'd0', 0],
  ['long-gone', -5, 'OutOfSync', 'Healthy', 'x0', 3],
  ['shop-api-dev', 1, 'Synced', 'Healthy', 'd1', 0],
  ['shop-api-prod', 2, 'Synced', 'Healthy', 'r0', 0],
  ['billing-prod', 3, 'Synced', 'Healthy', 'b1', 0],
  ['removed-app', 4, 'Synced', 'Healthy', 'x1', 0],
  ['shop-api-prod', 5, 'Synced', 'Healthy', 'r1', 0],
  ['shop-api-prod', 30, 'OutOfSync', 'Healthy', 'r1', 1],
  ['billing-prod', 100, 'Synced', 'Healthy', 'b2', 0],
];

/** Change requests: one long over, one open across the range start, one cancelled, one after the range. */
export function seedChangeRequests(): ChangeRequest[] {
  const alice = 'user:default/alice';
  const bob = 'user:default/bob';
  const carol = 'user:default/carol';
  return [
    changeRequest(
      'cr-a',
      {},
      {
        events: [
          { at: at(-100), state: 'draft', actor: alice, message: 'requested' },
          {
            at: at(-90),
            state: 'closed',
            message: 'the pull request was closed',
          },
        ],
      },
    ),
    changeRequest(
      'cr-b',
      {},
      {
        mergeSha: 'r1',
        events: [
          { at: at(-10), state: 'draft', actor: alice, message: 'requested' },
          { at: at(-9), state: 'pr-open', message: 'branch gitops/cr-b' },
          { at: at(-8), state: 'pr-open', actor: bob, message: 'approved' },
          { at: at(3), state: 'merged', actor: alice, message: 'merged as r1' },
          {
            at: at(5),
            state: 'synced',
            message: 'applied to every environment',
          },
        ],
      },
    ),
    changeRequest(
      'cr-c',
      {},
      {
        applications: ['shop-api-dev'],
        events: [
          { at: at(10), state: 'draft', actor: carol, message: 'requested' },
          { at: at(20), state: 'closed', actor: carol, message: 'cancelled' },
        ],
      },
    ),
    changeRequest(
      'cr-d',
      {},
      {
        events: [
          { at: at(80), state: 'draft', actor: alice, message: 'requested' },
        ],
      },
    ),
    {
      ...changeRequest(
        'cr-e',
        {},
        {
          applications: ['billing-prod'],
          events: [
            {
              at: at(1),
              state: 'draft',
              actor: 'user:default/dave',
              message: 'requested',
            },
          ],
        },
      ),
      entityRef: BILLING,
    },
  ];
}

/** Manual syncs by bob and Carol (her name in another case), and an automated one nobody asked for. */
export const SYNC_RUNS = [
  {
    id: 'run-1',
    application: 'shop-api-prod',
    trigger: 'manual',
    requested_by: 'user:default/bob',
    hour: 4,
  },
  {
    id: 'run-2',
    application: 'shop-api-prod',
    trigger: 'automated',
    requested_by: null,
    hour: 6,
  },
  {
    id: 'run-3',
    application: 'shop-api-dev',
    trigger: 'manual',
    requested_by: 'user:default/Carol',
    hour: 20,
  },
];

/** Writes the fixtures through the stores that write them in production, history and runs row by row. */
export async function seedMetrics(
  knex: Knex,
  options: { changeRequests?: ChangeRequest[] } = {},
): Promise<void> {
  const store = await DatabaseGitOpsStore.create({
    database: { getClient: async () => knex },
  });
  await store.syncApplications(
    REPO,
    [
      spec('shop-api-dev', SHOP, 'dev'),
      spec('shop-api-prod', SHOP, 'prod'),
      spec('billing-prod', BILLING, 'prod'),
    ],
    new Map(),
  );
  await knex('gitops_applications')
    .where({ name: 'shop-api-prod' })
    .update({ revision: JSON.stringify({ sha: 'r1', committedAt: at(4) }) });
  await knex('gitops_applications')
    .where({ name: 'shop-api-dev' })
    .update({ revision: JSON.stringify({ sha: 'd1' }) });
  for (const [
    application,
    hour,
    sync,
    health,
    revision,
    driftCount,
  ] of HISTORY) {
    await knex('gitops_history').insert({
      application,
      at: at(hour),
      sync,
      health,
      revision,
      drift_count: driftCount,
    });
  }
  const changes = await DatabaseChangeStore.create({
    database: { getClient: async () => knex },
  });
  for (const request of options.changeRequests ?? seedChangeRequests()) {
    await changes.insert({
      ...request,
      proposal: { files: [{ path: 'apps/x.yaml', content: 'secret-ish' }] },
    });
  }
  for (const run of SYNC_RUNS) {
    await knex('gitops_sync_runs').insert({
      id: run.id,
      application: run.application,
      trigger: run.trigger,
      requested_by: run.requested_by,
      revision: 'r1',
      started_at: at(run.hour),
      finished_at: at(run.hour + 0.01),
      result: 'succeeded',
      message: null,
      resources: '[]',
    });
  }
}
