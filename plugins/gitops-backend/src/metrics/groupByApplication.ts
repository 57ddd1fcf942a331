import type { HistoryPoint, MetricsHistory } from './types';

/**
 * The points of each application, oldest first, for every application the history knows (those with only a
 * start state get an empty list).
 */
export function groupByApplication(
  history: MetricsHistory,
): Map<string, HistoryPoint[]> {
  const groups = new Map<string, HistoryPoint[]>();
  for (const application of history.start.keys()) groups.set(application, []);
  for (const point of history.points) {
    const group = groups.get(point.application);
    if (group) group.push(point);
    else groups.set(point.application, [point]);
  }
  // Stable: points of the same instant keep the order the store wrote them in.
  for (const group of groups.values()) {
    group.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }
  return groups;
}
