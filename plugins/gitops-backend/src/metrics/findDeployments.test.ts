import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { findDeployments } from './findDeployments';
import type { ApplicationStart, Deployment, HistoryPoint } from './types';
import {
  at,
  changeRequest,
  history,
  hours,
  point,
} from './__testUtils__/metricsFixtures';

const APP = 'shop-api-prod';
const RANGE = hours(0, 48);

/** `application@revision@hour/source[/change request]`, so tables read at a glance. */
const short = (d: Deployment) =>
  [
    `${d.application}@${d.revision ?? '-'}@${
      (Date.parse(d.at) - Date.parse(at(0))) / 3_600_000
    }`,
    d.source,
    ...(d.changeRequest ? [d.changeRequest] : []),
  ].join('/');

describe('findDeployments', () => {
  it.each<{
    name: string;
    points: HistoryPoint[];
    start?: Record<string, ApplicationStart>;
    requests?: ChangeRequest[];
    expected: string[];
  }>([
    { name: 'no data', points: [], expected: [] },
    {
      name: 'a new application reaching Synced',
      points: [
        point(APP, 1, { sync: 'OutOfSync', revision: 'r1' }),
        point(APP, 2, { revision: 'r1' }),
      ],
      expected: [`${APP}@r1@2/history`],
    },
    {
      name: 'the same revision synced again after drift, once',
      points: [
        point(APP, 1, { revision: 'r1' }),
        point(APP, 2, { sync: 'OutOfSync', revision: 'r1', driftCount: 1 }),
        point(APP, 3, { revision: 'r1' }),
      ],
      expected: [`${APP}@r1@1/history`],
    },
    {
      name: 'not the revision already deployed before the range',
      points: [
        point(APP, 1, { sync: 'OutOfSync', revision: 'r1', driftCount: 2 }),
        point(APP, 2, { revision: 'r1' }),
        point(APP, 5, { revision: 'r2' }),
      ],
      start: { [APP]: { syncedRevision: 'r1', last: point(APP, -3) } },
      expected: [`${APP}@r2@5/history`],
    },
    {
      name: 'not a commit that never became Synced',
      points: [point(APP, 1, { sync: 'OutOfSync', revision: 'r2' })],
      start: { [APP]: { syncedRevision: 'r1' } },
      expected: [],
    },
    {
      name: 'each (application, revision) once, also when an older revision returns',
      points: [
        point(APP, 1, { revision: 'r2' }),
        point(APP, 2, { revision: 'r3' }),
        point(APP, 3, { revision: 'r2' }),
        point(APP, 4, { revision: 'r3' }),
      ],
      start: { [APP]: { syncedRevision: 'r1' } },
      expected: [`${APP}@r2@1/history`, `${APP}@r3@2/history`],
    },
    {
      name: 'an older revision returning counts when it was not deployed in the range',
      points: [
        point(APP, 1, { revision: 'r2' }),
        point(APP, 2, { revision: 'r1' }),
      ],
      start: { [APP]: { syncedRevision: 'r1' } },
      expected: [`${APP}@r2@1/history`, `${APP}@r1@2/history`],
    },
    {
      name: 'nothing after the end of the range',
      points: [
        point(APP, 47, { revision: 'r2' }),
        point(APP, 48, { revision: 'r3' }),
      ],
      start: { [APP]: { syncedRevision: 'r1' } },
      expected: [`${APP}@r2@47/history`],
    },
    {
      name: 'Synced without a revision is no deployment',
      points: [point(APP, 1, { revision: undefined })],
      expected: [],
    },
    {
      name: 'applications apart, oldest first',
      points: [
        point('billing-prod', 1, { revision: 'b1' }),
        point(APP, 2, { revision: 'r1' }),
        point('billing-prod', 3, { revision: 'b2' }),
      ],
      expected: [
        'billing-prod@b1@1/history',
        `${APP}@r1@2/history`,
        'billing-prod@b2@3/history',
      ],
    },
    {
      name: 'a healthy change request that the history already counted, once, linked to it',
      points: [point(APP, 2, { revision: 'm1' })],
      requests: [
        changeRequest(
          'cr-1',
          { draft: 0, merged: 1, synced: 2, healthy: 3 },
          { mergeSha: 'm1' },
        ),
      ],
      expected: [`${APP}@m1@2/history/cr-1`],
    },
    {
      name: 'a healthy change request the history did not count, per application',
      points: [],
      requests: [
        changeRequest(
          'cr-2',
          { draft: 0, merged: 1, synced: 2, healthy: 3 },
          { mergeSha: 'm2', applications: ['shop-api-dev', APP] },
        ),
      ],
      expected: [
        'shop-api-dev@m2@3/change-request/cr-2',
        `${APP}@m2@3/change-request/cr-2`,
      ],
    },
    {
      name: 'no change request healthy outside the range, nor one not healthy yet',
      points: [],
      requests: [
        changeRequest(
          'cr-3',
          { draft: -5, merged: -4, synced: -3, healthy: -2 },
          { mergeSha: 'm3' },
        ),
        changeRequest(
          'cr-4',
          { draft: 1, merged: 2, synced: 3 },
          { mergeSha: 'm4' },
        ),
      ],
      expected: [],
    },
  ])('finds $name', ({ points, start, requests, expected }) => {
    expect(
      findDeployments(history(points, start), requests ?? [], RANGE).map(short),
    ).toEqual(expected);
  });

  it('counts many transitions: a hundred revisions, each drifting and healing', () => {
    const points: HistoryPoint[] = [];
    for (let i = 0; i < 100; i++) {
      points.push(point(APP, i * 0.4, { revision: `r${i}` }));
      points.push(
        point(APP, i * 0.4 + 0.1, {
          sync: 'OutOfSync',
          revision: `r${i}`,
          driftCount: 1,
        }),
      );
      points.push(point(APP, i * 0.4 + 0.2, { revision: `r${i}` }));
    }
    const deployments = findDeployments(history(points), [], RANGE);
    expect(deployments).toHaveLength(100);
    expect(new Set(deployments.map(d => d.revision)).size).toBe(100);
  });
});
