import { computeDoraMetrics } from './computeDoraMetrics';
import type { DoraInput } from './types';
import {
  at,
  changeRequest,
  history,
  hours,
  point,
} from './__testUtils__/metricsFixtures';

const PROD = 'shop-api-prod';

function input(overrides: Partial<DoraInput> = {}): DoraInput {
  return {
    range: hours(0, 72),
    history: history([]),
    changeRequests: [],
    commitTimes: new Map(),
    failureWindowHours: 24,
    ...overrides,
  };
}

describe('computeDoraMetrics', () => {
  it('answers zeros, no medians and an empty trend without data', () => {
    expect(computeDoraMetrics(input())).toEqual({
      from: at(0),
      to: at(72),
      deploymentFrequency: {
        total: 0,
        fromHistory: 0,
        fromChangeRequests: 0,
        perDay: 0,
        perWeek: 0,
      },
      leadTime: { mergeToSynced: { count: 0 }, commitToSynced: { count: 0 } },
      changeFailureRate: {
        deployments: 0,
        failures: 0,
        causes: { degraded: 0, failedChangeRequests: 0, rolledBack: 0 },
        failureWindowHours: 24,
      },
      timeToRestore: { count: 0, open: 0 },
      interval: 'day',
      trend: [
        { start: at(0), deployments: 0, failures: 0 },
        { start: at(24), deployments: 0, failures: 0 },
        { start: at(48), deployments: 0, failures: 0 },
      ],
    });
  });

  it('computes the four figures and their daily trend from history and change requests', () => {
    const metrics = computeDoraMetrics(
      input({
        history: history(
          [
            point(PROD, 1, { revision: 'r1' }),
            point(PROD, 2, { revision: 'r1', health: 'Degraded' }),
            point(PROD, 4, { revision: 'r1' }),
            point(PROD, 25, { sync: 'OutOfSync', revision: 'r2' }),
            point(PROD, 26, { revision: 'r2' }),
          ],
          {
            [PROD]: {
              last: point(PROD, -5, { revision: 'r0' }),
              syncedRevision: 'r0',
            },
          },
        ),
        changeRequests: [
          changeRequest(
            'cr-1',
            { draft: 20, merged: 24, synced: 26, healthy: 27 },
            { mergeSha: 'r2' },
          ),
          changeRequest(
            'cr-2',
            { draft: 45, merged: 48, synced: 49, healthy: 50 },
            { mergeSha: 'm3', applications: ['shop-api-dev'] },
          ),
        ],
        commitTimes: new Map([['r2', at(25)]]),
      }),
    );

    expect(metrics.deploymentFrequency).toEqual({
      total: 3,
      fromHistory: 2,
      fromChangeRequests: 1,
      perDay: 1,
      perWeek: 7,
    });
    expect(metrics.leadTime).toEqual({
      mergeToSynced: { count: 2, medianSeconds: 5400, p90Seconds: 6840 },
      commitToSynced: { count: 1, medianSeconds: 3600, p90Seconds: 3600 },
    });
    expect(metrics.changeFailureRate).toEqual({
      deployments: 3,
      failures: 1,
      rate: 0.3333,
      causes: { degraded: 1, failedChangeRequests: 0, rolledBack: 0 },
      failureWindowHours: 24,
    });
    expect(metrics.timeToRestore).toEqual({
      count: 1,
      medianSeconds: 7200,
      p90Seconds: 7200,
      open: 0,
    });
    expect(metrics.trend).toEqual([
      { start: at(0), deployments: 1, failures: 1, restoreMedianSeconds: 7200 },
      {
        start: at(24),
        deployments: 1,
        failures: 0,
        leadTimeMedianSeconds: 7200,
      },
      {
        start: at(48),
        deployments: 1,
        failures: 0,
        leadTimeMedianSeconds: 3600,
      },
    ]);
  });

  it('shows a long range per ISO week', () => {
    const metrics = computeDoraMetrics(
      input({
        range: hours(0, 90 * 24),
        history: history([point(PROD, 24 * 10, { revision: 'r1' })]),
      }),
    );
    expect(metrics.interval).toBe('week');
    expect(metrics.trend).toHaveLength(14);
    expect(metrics.trend.every(p => new Date(p.start).getUTCDay() === 1)).toBe(
      true,
    );
    expect(metrics.trend.map(p => p.deployments).reduce((a, b) => a + b)).toBe(
      1,
    );
    expect(metrics.deploymentFrequency.perWeek).toBe(0.08);
  });
});
