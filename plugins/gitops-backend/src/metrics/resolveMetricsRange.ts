import { InputError } from '@backstage/errors';
import { DAY_MS } from './timeBuckets';
import type { TimeRange } from './types';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 365;

/** `to` defaults to now and `from` to 30 days before `to`; a range must run forward and span at most 365 days. */
export function resolveMetricsRange(
  query: { from?: string; to?: string },
  now: Date,
): TimeRange {
  const to = query.to ? Date.parse(query.to) : now.getTime();
  const from = query.from
    ? Date.parse(query.from)
    : to - DEFAULT_RANGE_DAYS * DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to)) {
    throw new InputError(
      'Invalid query: from and to must be ISO 8601 dates or timestamps',
    );
  }
  if (from >= to) {
    throw new InputError(
      `Invalid query: from (${new Date(
        from,
      ).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  }
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw new InputError(
      `Invalid query: the range may span at most ${MAX_RANGE_DAYS} days`,
    );
  }
  return { from, to };
}
