import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { changeFailures } from './changeFailures';
import { findDeployments } from './findDeployments';
import type { ApplicationStart, HistoryPoint } from './types';
import {
  at,
  changeRequest,
  history,
  hours,
  point,
} from './__testUtils__/metricsFixtures';

const APP = 'shop-api-prod';
const RANGE = hours(0, 48);
const WINDOW = 6;

/** `revision@hour: causes` of every outcome. */
function outcomes(
  points: HistoryPoint[],
  requests: ChangeRequest[] = [],
  start: Record<string, ApplicationStart> = {
    [APP]: { syncedRevision: 'r0', last: point(APP, -1, { revision: 'r0' }) },
  },
) {
  const h = history(points, start);
  return changeFailures(
    findDeployments(h, requests, RANGE),
    h,
    requests,
    RANGE,
    WINDOW,
  ).map(
    o =>
      `${o.revision ?? '-'}@${
        (Date.parse(o.at) - Date.parse(at(0))) / 3_600_000
      }: ${o.causes.join(',') || 'ok'}`,
  );
}

describe('changeFailures', () => {
  it.each<{
    name: string;
    points: HistoryPoint[];
    requests?: ChangeRequest[];
    expected: string[];
  }>([
    { name: 'no deployments, no outcomes', points: [], expected: [] },
    {
      name: 'a deployment that stays healthy is no failure',
      points: [
        point(APP, 1, { revision: 'r1', health: 'Progressing' }),
        point(APP, 2, { revision: 'r1' }),
      ],
      expected: ['r1@1: ok'],
    },
    {
      name: 'turning Degraded within the window fails the deployment',
      points: [
        point(APP, 1, { revision: 'r1' }),
        point(APP, 6.5, { revision: 'r1', health: 'Degraded' }),
      ],
      expected: ['r1@1: degraded'],
    },
    {
      name: 'Degraded at the deployment itself fails it',
      points: [point(APP, 1, { revision: 'r1', health: 'Degraded' })],
      expected: ['r1@1: degraded'],
    },
    {
      name: 'turning Degraded after the window does not',
      points: [
        point(APP, 1, { revision: 'r1' }),
        point(APP, 7, { revision: 'r1', health: 'Degraded' }),
      ],
      expected: ['r1@1: ok'],
    },
    {
      name: 'turning Degraded after the next deployment counts against that one',
      points: [
        point(APP, 1, { revision: 'r1' }),
        point(APP, 2, { revision: 'r2' }),
        point(APP, 3, { revision: 'r2', health: 'Degraded' }),
      ],
      expected: ['r1@1: ok', 'r2@2: degraded'],
    },
    {
      name: 'staying Degraded from before a deployment is not its failure',
      points: [
        point(APP, 1, { revision: 'r1', health: 'Degraded' }),
        point(APP, 10, { revision: 'r2', health: 'Degraded' }),
        point(APP, 11, { revision: 'r2' }),
      ],
      expected: ['r1@1: degraded', 'r2@10: ok'],
    },
    {
      name: 'a deployment near the end fails by a Degraded verdict after the range',
      points: [
        point(APP, 47, { revision: 'r1' }),
        point(APP, 49, { revision: 'r1', health: 'Degraded' }),
      ],
      expected: ['r1@47: degraded'],
    },
    {
      name: 'a change request failing after its merge fails the deployment it made',
      points: [point(APP, 2, { revision: 'm1' })],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, synced: 2, failed: 30 },
          { mergeSha: 'm1' },
        ),
      ],
      expected: ['m1@2: failedChangeRequest'],
    },
    {
      name: 'a change request failing after its merge without any deployment counts as a failed one',
      points: [],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, failed: 2 },
          { mergeSha: 'm1' },
        ),
      ],
      expected: ['m1@2: failedChangeRequest'],
    },
    {
      name: 'a change request failing before its merge deployed nothing',
      points: [],
      requests: [changeRequest('cr-1', { draft: 0, failed: 1 })],
      expected: [],
    },
    {
      name: 'a merged rollback fails the change request it reverts',
      points: [
        point(APP, 2, { revision: 'm1' }),
        point(APP, 12, { revision: 'm2' }),
      ],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, synced: 2, healthy: 3 },
          { mergeSha: 'm1' },
        ),
        changeRequest(
          'cr-2',
          { draft: 10, merged: 11, synced: 12, healthy: 13 },
          {
            mergeSha: 'm2',
            changes: [{ type: 'rollback', changeRequest: 'cr-1' }],
          },
        ),
      ],
      expected: ['m1@2: rolledBack', 'm2@12: ok'],
    },
    {
      name: 'a rollback not merged yet fails nothing',
      points: [point(APP, 2, { revision: 'm1' })],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, synced: 2, healthy: 3 },
          { mergeSha: 'm1' },
        ),
        changeRequest(
          'cr-2',
          { draft: 10, 'pr-open': 11 },
          { changes: [{ type: 'rollback', changeRequest: 'cr-1' }] },
        ),
      ],
      expected: ['m1@2: ok'],
    },
    {
      name: 'several causes at once',
      points: [
        point(APP, 2, { revision: 'm1' }),
        point(APP, 3, { revision: 'm1', health: 'Degraded' }),
      ],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, synced: 2, failed: 40 },
          { mergeSha: 'm1' },
        ),
        changeRequest(
          'cr-2',
          { draft: 41, merged: 42 },
          { changes: [{ type: 'rollback', changeRequest: 'cr-1' }] },
        ),
      ],
      expected: ['m1@2: degraded,failedChangeRequest,rolledBack'],
    },
  ])('$name', ({ points, requests, expected }) => {
    expect(outcomes(points, requests)).toEqual(expected);
  });

  it('judges many deployments each by its own window', () => {
    const points: HistoryPoint[] = [];
    for (let i = 1; i <= 40; i++) {
      points.push(point(APP, i, { revision: `r${i}` }));
      // Every third deployment turns Degraded half an hour later, then recovers.
      if (i % 3 === 0) {
        points.push(
          point(APP, i + 0.5, { revision: `r${i}`, health: 'Degraded' }),
        );
        points.push(point(APP, i + 0.75, { revision: `r${i}` }));
      }
    }
    const result = outcomes(points);
    expect(result).toHaveLength(40);
    expect(result.filter(o => o.endsWith('degraded'))).toHaveLength(13);
  });
});
