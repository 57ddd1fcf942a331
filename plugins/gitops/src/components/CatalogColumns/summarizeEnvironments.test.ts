import type { ApplicationStatusSummary } from '@backstage-gitops/plugin-gitops-common';
import { summarizeEnvironments } from './summarizeEnvironments';

function app(
  name: string,
  environment: string,
  sync: ApplicationStatusSummary['sync'],
  health: ApplicationStatusSummary['health'],
  extra: Partial<ApplicationStatusSummary> = {},
): ApplicationStatusSummary {
  return { name, environment, sync, health, driftCount: 0, ...extra };
}

describe('summarizeEnvironments', () => {
  it('keeps one entry per environment in the order given', () => {
    expect(
      summarizeEnvironments([
        app('a-dev', 'dev', 'Synced', 'Healthy'),
        app('a-staging', 'staging', 'OutOfSync', 'Progressing', {
          driftCount: 2,
        }),
        app('a-prod', 'prod', 'Synced', 'Healthy'),
      ]).map(env => [env.environment, env.sync, env.health, env.driftCount]),
    ).toEqual([
      ['dev', 'Synced', 'Healthy', 0],
      ['staging', 'OutOfSync', 'Progressing', 2],
      ['prod', 'Synced', 'Healthy', 0],
    ]);
  });

  it.each([
    [['Synced', 'OutOfSync'], ['Healthy', 'Degraded'], 'OutOfSync', 'Degraded'],
    [
      ['OutOfSync', 'Unknown'],
      ['Progressing', 'Healthy'],
      'Unknown',
      'Progressing',
    ],
    [['Synced', 'Synced'], ['Suspended', 'Healthy'], 'Synced', 'Suspended'],
  ] as const)(
    'folds applications of one environment into the worst: sync %p and health %p',
    (syncs, healths, sync, health) => {
      const [prod] = summarizeEnvironments([
        app('a-prod-eu', 'prod', syncs[0], healths[0], {
          driftCount: 1,
          problem: {
            code: 'CLUSTER_UNREACHABLE',
            message: 'prod-eu unreachable',
            since: '2026-11-26T12:00:00.000Z',
          },
        }),
        app('a-prod-us', 'prod', syncs[1], healths[1], { driftCount: 2 }),
      ]);
      expect(prod).toEqual({
        environment: 'prod',
        sync,
        health,
        driftCount: 3,
        applications: ['a-prod-eu', 'a-prod-us'],
        problems: ['prod-eu unreachable'],
      });
    },
  );

  it('is empty for an entity without applications', () => {
    expect(summarizeEnvironments([])).toEqual([]);
  });
});
