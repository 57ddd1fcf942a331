import type { DriftDay } from '@backstage-gitops/plugin-gitops-common';
import { groupByApplication } from './groupByApplication';
import { timeBuckets } from './timeBuckets';
import type { HistoryPoint, MetricsHistory, TimeRange } from './types';

/**
 * Per UTC day of the range: how many applications had a known verdict, how many had drift (driftCount > 0)
 * and how many were OutOfSync, at any moment of that day. A verdict holds until the next one.
 */
export function driftOverTime(
  history: MetricsHistory,
  range: TimeRange,
): DriftDay[] {
  const days = timeBuckets(range, 'day');
  const known = new Array<number>(days.starts.length).fill(0);
  const drifted = new Array<number>(days.starts.length).fill(0);
  const outOfSync = new Array<number>(days.starts.length).fill(0);

  for (const [application, points] of groupByApplication(history)) {
    // The last day already counted for this application, per figure, so no day counts it twice.
    const counted = { known: -1, drifted: -1, outOfSync: -1 };
    const add = (
      figure: keyof typeof counted,
      totals: number[],
      from: number,
      to: number,
    ) => {
      for (let day = Math.max(from, counted[figure] + 1); day <= to; day++)
        totals[day] += 1;
      counted[figure] = Math.max(counted[figure], to);
    };
    const hold = (
      state: HistoryPoint | undefined,
      start: number,
      end: number,
    ) => {
      if (!state || end <= start) return;
      const first = days.indexOf(start);
      const last = days.indexOf(end - 1);
      add('known', known, first, last);
      if (state.driftCount > 0) add('drifted', drifted, first, last);
      if (state.sync === 'OutOfSync') add('outOfSync', outOfSync, first, last);
    };

    let state = history.start.get(application)?.last;
    let since = range.from;
    for (const point of points) {
      const at = Date.parse(point.at);
      if (at >= range.to) break;
      const start = Math.max(at, range.from);
      hold(state, since, start);
      state = point;
      since = start;
    }
    hold(state, since, range.to);
  }

  return days.starts.map((start, i) => ({
    date: new Date(start).toISOString().slice(0, 10),
    applications: known[i],
    drifted: drifted[i],
    outOfSync: outOfSync[i],
  }));
}
