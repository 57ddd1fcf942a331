import { timeBuckets, trendInterval, utcWeekStart } from './timeBuckets';

const DAY = 86_400_000;
const utc = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

describe('timeBuckets', () => {
  it.each`
    from                          | to                            | interval  | starts
    ${'2026-10-01T00:00:00.000Z'} | ${'2026-10-04T00:00:00.000Z'} | ${'day'}  | ${['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z']}
    ${'2026-10-01T15:30:00.000Z'} | ${'2026-10-03T09:00:00.000Z'} | ${'day'}  | ${['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z']}
    ${'2026-10-01T00:00:00.000Z'} | ${'2026-10-01T00:00:00.001Z'} | ${'day'}  | ${['2026-10-01T00:00:00.000Z']}
    ${'2026-10-01T00:00:00.000Z'} | ${'2026-10-15T00:00:00.000Z'} | ${'week'} | ${['2026-09-28T00:00:00.000Z', '2026-10-05T00:00:00.000Z', '2026-10-12T00:00:00.000Z']}
  `('covers $from to $to by $interval', ({ from, to, interval, starts }) => {
    const buckets = timeBuckets({ from: utc(from), to: utc(to) }, interval);
    expect(buckets.starts.map(iso)).toEqual(starts);
  });

  it('places instants in their bucket and nothing outside the range', () => {
    const range = {
      from: utc('2026-10-01T12:00:00.000Z'),
      to: utc('2026-10-03T12:00:00.000Z'),
    };
    const { indexOf } = timeBuckets(range, 'day');
    expect(indexOf(range.from - 1)).toBe(-1);
    expect(indexOf(range.from)).toBe(0);
    expect(indexOf(utc('2026-10-01T23:59:59.999Z'))).toBe(0);
    expect(indexOf(utc('2026-10-02T00:00:00.000Z'))).toBe(1);
    expect(indexOf(range.to - 1)).toBe(2);
    expect(indexOf(range.to)).toBe(-1);
  });

  it('starts weeks on Monday, also from a Sunday night', () => {
    expect(iso(utcWeekStart(utc('2026-10-04T23:59:00.000Z')))).toBe(
      '2026-09-28T00:00:00.000Z',
    );
    expect(iso(utcWeekStart(utc('2026-10-05T00:00:00.000Z')))).toBe(
      '2026-10-05T00:00:00.000Z',
    );
  });

  it.each`
    days   | interval
    ${1}   | ${'day'}
    ${30}  | ${'day'}
    ${62}  | ${'day'}
    ${63}  | ${'week'}
    ${365} | ${'week'}
  `('shows a trend over $days days per $interval', ({ days, interval }) => {
    expect(trendInterval({ from: 0, to: days * DAY })).toBe(interval);
  });
});
