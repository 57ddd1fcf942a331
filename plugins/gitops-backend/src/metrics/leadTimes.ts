import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import type { Deployment, TimeRange } from './types';

/** A measured duration, dated by when it ended. */
export interface TimedDuration {
  at: string;
  seconds: number;
}

/** Merge → synced of each change request whose first `synced` event falls in the range. */
export function mergeToSyncedTimes(
  changeRequests: readonly ChangeRequest[],
  range: TimeRange,
): TimedDuration[] {
  const times: TimedDuration[] = [];
  for (const request of changeRequests) {
    const merged = request.events.find(event => event.state === 'merged');
    const synced = request.events.find(event => event.state === 'synced');
    if (!merged || !synced) continue;
    const end = Date.parse(synced.at);
    const seconds = (end - Date.parse(merged.at)) / 1000;
    if (end >= range.from && end < range.to && seconds >= 0) {
      times.push({ at: synced.at, seconds });
    }
  }
  return times;
}

/** Commit → synced of each deployment whose commit time is known. */
export function commitToSyncedTimes(
  deployments: readonly Deployment[],
  commitTimes: ReadonlyMap<string, string>,
): TimedDuration[] {
  const times: TimedDuration[] = [];
  for (const deployment of deployments) {
    const committedAt =
      deployment.revision && commitTimes.get(deployment.revision);
    if (!committedAt) continue;
    const seconds =
      (Date.parse(deployment.at) - Date.parse(committedAt)) / 1000;
    // A commit dated after its deployment has a skewed clock; it says nothing about lead time.
    if (seconds >= 0) times.push({ at: deployment.at, seconds });
  }
  return times;
}
