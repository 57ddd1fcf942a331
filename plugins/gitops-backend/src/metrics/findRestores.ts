import { groupByApplication } from './groupByApplication';
import type { MetricsHistory, TimeRange } from './types';

export interface Restore {
  application: string;
  /** When the application turned Degraded. */
  since: string;
  /** When it was Healthy again. */
  at: string;
  seconds: number;
}

/**
 * Times to restore: from an application turning Degraded to its next Healthy verdict (whatever health it
 * passes through in between), for every restore in the range, including spells that began before it.
 * `open` counts the applications still not Healthy again at the end of the range.
 */
export function findRestores(
  history: MetricsHistory,
  range: TimeRange,
): { restores: Restore[]; open: number } {
  const restores: Restore[] = [];
  let open = 0;
  for (const [application, points] of groupByApplication(history)) {
    let since = history.start.get(application)?.degradedSince;
    for (const point of points) {
      const at = Date.parse(point.at);
      if (at >= range.to) break;
      if (point.health === 'Degraded' && since === undefined) {
        since = point.at;
      } else if (point.health === 'Healthy' && since !== undefined) {
        if (at >= range.from) {
          restores.push({
            application,
            since,
            at: point.at,
            seconds: (at - Date.parse(since)) / 1000,
          });
        }
        since = undefined;
      }
    }
    if (since !== undefined) open += 1;
  }
  return {
    restores: restores.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    open,
  };
}
