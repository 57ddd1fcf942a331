import type { DriftDay } from '@backstage-gitops/plugin-gitops-common';
import { driftOverTime } from './driftOverTime';
import type { ApplicationStart, HistoryPoint } from './types';
import { history, hours, point } from './__testUtils__/metricsFixtures';

const APP = 'shop-api-prod';
/** Four whole days, 1 to 4 October 2026. */
const RANGE = hours(0, 96);
const drift = (hour: number, application = APP) =>
  point(application, hour, { sync: 'OutOfSync', driftCount: 2 });
const clean = (hour: number, application = APP) => point(application, hour);

/** `[applications, drifted, outOfSync]` per day. */
const figures = (days: DriftDay[]) =>
  days.map(day => [day.applications, day.drifted, day.outOfSync]);

describe('driftOverTime', () => {
  it.each<{
    name: string;
    points: HistoryPoint[];
    start?: Record<string, ApplicationStart>;
    expected: number[][];
  }>([
    {
      name: 'no data',
      points: [],
      expected: [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    },
    {
      name: 'a clean application, known from before the range',
      points: [],
      start: { [APP]: { last: clean(-10) } },
      expected: [
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'drift from before the range that never ends',
      points: [],
      start: { [APP]: { last: drift(-10) } },
      expected: [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
    },
    {
      name: 'an application first seen on day 2',
      points: [clean(30)],
      expected: [
        [0, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'drift from day 2 to day 3',
      points: [clean(1), drift(30), clean(60)],
      expected: [
        [1, 0, 0],
        [1, 1, 1],
        [1, 1, 1],
        [1, 0, 0],
      ],
    },
    {
      name: 'drift healed exactly at midnight, not on the next day',
      points: [clean(1), drift(30), clean(48)],
      expected: [
        [1, 0, 0],
        [1, 1, 1],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'drift open at the end of the range, on the last day',
      points: [clean(1), drift(95)],
      expected: [
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 1, 1],
      ],
    },
    {
      name: 'two spells on one day, once',
      points: [drift(1), clean(2), drift(3), clean(4)],
      expected: [
        [1, 1, 1],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'OutOfSync without drift (a new commit), apart from drift',
      points: [point(APP, 1, { sync: 'OutOfSync', revision: 'r2' }), clean(2)],
      expected: [
        [1, 0, 1],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'verdicts after the end of the range, ignored',
      points: [clean(1), drift(96)],
      expected: [
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: 'several applications added up',
      points: [
        drift(1, 'a'),
        drift(2, 'b'),
        clean(26, 'a'),
        clean(50, 'b'),
        drift(80, 'c'),
      ],
      expected: [
        [2, 2, 2],
        [2, 2, 2],
        [2, 1, 1],
        [3, 1, 1],
      ],
    },
  ])('$name', ({ points, start, expected }) => {
    expect(figures(driftOverTime(history(points, start), RANGE))).toEqual(
      expected,
    );
  });

  it('dates the days, partial first and last days included', () => {
    const days = driftOverTime(history([drift(-1)]), hours(12, 60));
    expect(days.map(day => day.date)).toEqual([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
    ]);
  });

  it('keeps up with many transitions', () => {
    const points = Array.from({ length: 960 }, (_, i) =>
      i % 2 ? clean(i / 10) : drift(i / 10),
    );
    expect(figures(driftOverTime(history(points), RANGE))).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
  });
});
