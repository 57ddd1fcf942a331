import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { groupByApplication } from './groupByApplication';
import type { Deployment, MetricsHistory, TimeRange } from './types';

export type FailureCause = 'degraded' | 'failedChangeRequest' | 'rolledBack';

/** A deployment, or a merged change request that failed to deploy, with why it counts as a failure. */
export interface DeploymentOutcome extends Deployment {
  causes: FailureCause[];
}

const HOUR_MS = 3_600_000;

/**
 * Which deployments of the range failed: the application turned Degraded within `windowHours` of it (and
 * before its next deployment), its change request ended `failed`, or a merged `rollback` change request
 * reverted its change request. A change request that failed after its merge without any deployment in the
 * history counts as a failed deployment of each of its applications, at the time it failed.
 */
export function changeFailures(
  deployments: readonly Deployment[],
  history: MetricsHistory,
  changeRequests: readonly ChangeRequest[],
  range: TimeRange,
  windowHours: number,
): DeploymentOutcome[] {
  const outcomes = deployments.map(deployment => ({
    ...deployment,
    causes: new Set<FailureCause>(),
  }));
  const requests = new Map(
    changeRequests.map(request => [request.id, request]),
  );
  const outcomesOf = (request: ChangeRequest, application?: string) =>
    outcomes.filter(
      outcome =>
        (application === undefined || outcome.application === application) &&
        (outcome.changeRequest === request.id ||
          (request.pullRequest?.mergeSha !== undefined &&
            outcome.revision === request.pullRequest.mergeSha &&
            request.applications.some(
              app => app.name === outcome.application,
            ))),
    );

  for (const request of changeRequests) {
    if (request.state !== 'failed') continue;
    const merged = request.events.find(event => event.state === 'merged');
    const failed = request.events.find(event => event.state === 'failed');
    if (!merged || !failed) continue;
    for (const { name } of request.applications) {
      const own = outcomesOf(request, name);
      if (own.length > 0) {
        own.forEach(outcome => outcome.causes.add('failedChangeRequest'));
        continue;
      }
      const at = Date.parse(failed.at);
      if (at < range.from || at >= range.to) continue;
      outcomes.push({
        application: name,
        ...(request.pullRequest?.mergeSha && {
          revision: request.pullRequest.mergeSha,
        }),
        at: failed.at,
        source: 'change-request',
        changeRequest: request.id,
        causes: new Set<FailureCause>(['failedChangeRequest']),
      });
    }
  }

  for (const rollback of changeRequests) {
    if (!rollback.events.some(event => event.state === 'merged')) continue;
    for (const change of rollback.changes) {
      if (change.type !== 'rollback') continue;
      const target = requests.get(change.changeRequest);
      const reverted = target
        ? outcomesOf(target)
        : outcomes.filter(
            outcome => outcome.changeRequest === change.changeRequest,
          );
      reverted.forEach(outcome => outcome.causes.add('rolledBack'));
    }
  }

  const turnedDegraded = degradedTransitions(history);
  const byApplication = new Map<string, typeof outcomes>();
  for (const outcome of outcomes) {
    byApplication.set(outcome.application, [
      ...(byApplication.get(outcome.application) ?? []),
      outcome,
    ]);
  }
  for (const [application, own] of byApplication) {
    const transitions = turnedDegraded.get(application) ?? [];
    own.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    own.forEach((outcome, i) => {
      const start = Date.parse(outcome.at);
      const next = own[i + 1] ? Date.parse(own[i + 1].at) : Infinity;
      const end = Math.min(start + windowHours * HOUR_MS, next);
      if (transitions.some(at => at >= start && at < end)) {
        outcome.causes.add('degraded');
      }
    });
  }

  return outcomes
    .map(outcome => ({ ...outcome, causes: [...outcome.causes].sort() }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** When each application turned Degraded (from any other health), in milliseconds. */
function degradedTransitions(history: MetricsHistory): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const [application, points] of groupByApplication(history)) {
    let degraded = history.start.get(application)?.last?.health === 'Degraded';
    const times: number[] = [];
    for (const point of points) {
      const now = point.health === 'Degraded';
      if (now && !degraded) times.push(Date.parse(point.at));
      degraded = now;
    }
    result.set(application, times);
  }
  return result;
}
