import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { groupByApplication } from './groupByApplication';
import type { Deployment, MetricsHistory, TimeRange } from './types';

function inRange(at: string, range: TimeRange): boolean {
  const time = Date.parse(at);
  return time >= range.from && time < range.to;
}

const deploymentKey = (application: string, revision: string) =>
  `${application}\u0000${revision}`;

/**
 * The deployments of a range, oldest first. From the history: an application reaching Synced at a revision
 * other than the one it was last Synced at, each (application, revision) once. From change requests: one
 * reaching `healthy` in the range counts as a deployment of each of its applications at its merge commit,
 * unless the history already counted that (application, revision).
 */
export function findDeployments(
  history: MetricsHistory,
  changeRequests: readonly ChangeRequest[],
  range: TimeRange,
): Deployment[] {
  const deployments: Deployment[] = [];
  const byKey = new Map<string, Deployment>();

  for (const [application, points] of groupByApplication(history)) {
    let deployed = history.start.get(application)?.syncedRevision;
    const counted = new Set<string>();
    for (const point of points) {
      if (point.sync !== 'Synced' || !point.revision) continue;
      if (Date.parse(point.at) >= range.to) break;
      if (
        point.revision !== deployed &&
        !counted.has(point.revision) &&
        inRange(point.at, range)
      ) {
        counted.add(point.revision);
        const deployment: Deployment = {
          application,
          revision: point.revision,
          at: point.at,
          source: 'history',
        };
        deployments.push(deployment);
        byKey.set(deploymentKey(application, point.revision), deployment);
      }
      deployed = point.revision;
    }
  }

  for (const request of changeRequests) {
    const mergeSha = request.pullRequest?.mergeSha;
    const healthy = request.events.find(event => event.state === 'healthy');
    for (const { name } of request.applications) {
      const known = mergeSha && byKey.get(deploymentKey(name, mergeSha));
      if (known) {
        known.changeRequest ??= request.id;
      } else if (healthy && inRange(healthy.at, range)) {
        deployments.push({
          application: name,
          ...(mergeSha && { revision: mergeSha }),
          at: healthy.at,
          source: 'change-request',
          changeRequest: request.id,
        });
      }
    }
  }

  return deployments.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
