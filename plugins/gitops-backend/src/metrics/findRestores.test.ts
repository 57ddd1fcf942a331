import { findRestores } from './findRestores';
import type { ApplicationStart, HistoryPoint } from './types';
import { at, history, hours, point } from './__testUtils__/metricsFixtures';

const APP = 'shop-api-prod';
const RANGE = hours(0, 48);
const degraded = (hour: number) => point(APP, hour, { health: 'Degraded' });
const healthy = (hour: number) => point(APP, hour);

describe('findRestores', () => {
  it.each<{
    name: string;
    points: HistoryPoint[];
    start?: Record<string, ApplicationStart>;
    seconds: number[];
    open: number;
  }>([
    { name: 'no data', points: [], seconds: [], open: 0 },
    {
      name: 'Degraded, then Healthy',
      points: [degraded(1), healthy(3)],
      seconds: [7200],
      open: 0,
    },
    {
      name: 'through Progressing and Degraded again, from the first Degraded',
      points: [
        degraded(1),
        point(APP, 2, { health: 'Progressing' }),
        degraded(3),
        healthy(5),
      ],
      seconds: [4 * 3600],
      open: 0,
    },
    {
      name: 'a spell begun before the range, from when it began',
      points: [healthy(2)],
      start: {
        [APP]: {
          last: point(APP, -1, { health: 'Progressing' }),
          degradedSince: at(-4),
        },
      },
      seconds: [6 * 3600],
      open: 0,
    },
    {
      name: 'a spell still open at the end of the range',
      points: [degraded(40)],
      seconds: [],
      open: 1,
    },
    {
      name: 'a spell begun before the range that never ends',
      points: [],
      start: {
        [APP]: {
          last: point(APP, -1, { health: 'Degraded' }),
          degradedSince: at(-1),
        },
      },
      seconds: [],
      open: 1,
    },
    {
      name: 'a recovery after the end of the range, as open',
      points: [degraded(40), healthy(50)],
      seconds: [],
      open: 1,
    },
    {
      name: 'Healthy without a Degraded spell, as nothing',
      points: [point(APP, 1, { health: 'Missing' }), healthy(2)],
      seconds: [],
      open: 0,
    },
    {
      name: 'many spells of one application',
      points: Array.from({ length: 20 }, (_, i) => [
        degraded(i * 2),
        healthy(i * 2 + 0.5),
      ]).flat(),
      seconds: Array.from({ length: 20 }, () => 1800),
      open: 0,
    },
  ])('$name', ({ points, start, seconds, open }) => {
    const result = findRestores(history(points, start), RANGE);
    expect(result.restores.map(r => r.seconds)).toEqual(seconds);
    expect(result.open).toBe(open);
  });

  it('keeps applications apart', () => {
    const result = findRestores(
      history([
        point('a', 1, { health: 'Degraded' }),
        point('b', 2, { health: 'Degraded' }),
        point('a', 3),
        point('b', 6),
      ]),
      RANGE,
    );
    expect(result.restores).toEqual([
      { application: 'a', since: at(1), at: at(3), seconds: 7200 },
      { application: 'b', since: at(2), at: at(6), seconds: 14400 },
    ]);
  });
});
