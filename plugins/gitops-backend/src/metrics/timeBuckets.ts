import type { TrendInterval } from '@backstage-gitops/plugin-gitops-common';
import type { TimeRange } from './types';

export const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Longest range whose trend is shown per day; longer ones go per week. */
const MAX_DAILY_RANGE_MS = 62 * DAY_MS;

export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Monday 00:00 UTC of the ISO week holding `ms`. */
export function utcWeekStart(ms: number): number {
  const day = utcDayStart(ms);
  const daysSinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return day - daysSinceMonday * DAY_MS;
}

export function trendInterval(range: TimeRange): TrendInterval {
  return range.to - range.from <= MAX_DAILY_RANGE_MS ? 'day' : 'week';
}

/** Calendar buckets (UTC days or ISO weeks) covering a range; the first and last may be partly outside it. */
export interface TimeBuckets {
  interval: TrendInterval;
  starts: number[];
  /** The bucket holding `ms`, or -1 outside the range. */
  indexOf(ms: number): number;
}

export function timeBuckets(
  range: TimeRange,
  interval: TrendInterval,
): TimeBuckets {
  const size = interval === 'day' ? DAY_MS : WEEK_MS;
  const first =
    interval === 'day' ? utcDayStart(range.from) : utcWeekStart(range.from);
  const starts: number[] = [];
  for (let start = first; start < range.to; start += size) starts.push(start);
  return {
    interval,
    starts,
    indexOf: ms =>
      ms < range.from || ms >= range.to ? -1 : Math.floor((ms - first) / size),
  };
}
