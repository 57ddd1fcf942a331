import type {
  DoraMetricsResponse,
  DoraTrendPoint,
} from '@backstage-gitops/plugin-gitops-common';
import { changeFailures } from './changeFailures';
import { findDeployments } from './findDeployments';
import { findRestores } from './findRestores';
import { commitToSyncedTimes, mergeToSyncedTimes } from './leadTimes';
import { quantile, summarizeDurations } from './summarizeDurations';
import { DAY_MS, timeBuckets, trendInterval } from './timeBuckets';
import type { DoraInput } from './types';

type DoraFigures = Omit<DoraMetricsResponse, 'entityRef' | 'environment'>;

/** Deployment frequency, lead time, change failure rate and time to restore of one range, with their trend. */
export function computeDoraMetrics(input: DoraInput): DoraFigures {
  const { range, history, changeRequests } = input;
  const deployments = findDeployments(history, changeRequests, range);
  const mergeTimes = mergeToSyncedTimes(changeRequests, range);
  const commitTimes = commitToSyncedTimes(deployments, input.commitTimes);
  const outcomes = changeFailures(
    deployments,
    history,
    changeRequests,
    range,
    input.failureWindowHours,
  );
  const { restores, open } = findRestores(history, range);

  const failed = outcomes.filter(outcome => outcome.causes.length > 0);
  const withCause = (cause: (typeof failed)[number]['causes'][number]) =>
    failed.filter(outcome => outcome.causes.includes(cause)).length;
  const days = (range.to - range.from) / DAY_MS;

  const interval = trendInterval(range);
  const buckets = timeBuckets(range, interval);
  const trend: DoraTrendPoint[] = buckets.starts.map(start => ({
    start: new Date(start).toISOString(),
    deployments: 0,
    failures: 0,
  }));
  const leadTimes = buckets.starts.map((): number[] => []);
  const restoreTimes = buckets.starts.map((): number[] => []);
  const bucketOf = (at: string) => buckets.indexOf(Date.parse(at));
  for (const deployment of deployments) {
    const i = bucketOf(deployment.at);
    if (i >= 0) trend[i].deployments += 1;
  }
  for (const outcome of failed) {
    const i = bucketOf(outcome.at);
    if (i >= 0) trend[i].failures += 1;
  }
  for (const { at, seconds } of mergeTimes)
    leadTimes[bucketOf(at)]?.push(seconds);
  for (const { at, seconds } of restores)
    restoreTimes[bucketOf(at)]?.push(seconds);
  trend.forEach((point, i) => {
    const lead = median(leadTimes[i]);
    const restore = median(restoreTimes[i]);
    if (lead !== undefined) point.leadTimeMedianSeconds = lead;
    if (restore !== undefined) point.restoreMedianSeconds = restore;
  });

  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    deploymentFrequency: {
      total: deployments.length,
      fromHistory: deployments.filter(d => d.source === 'history').length,
      fromChangeRequests: deployments.filter(d => d.source === 'change-request')
        .length,
      perDay: round2(deployments.length / days),
      perWeek: round2((deployments.length / days) * 7),
    },
    leadTime: {
      mergeToSynced: summarizeDurations(mergeTimes.map(t => t.seconds)),
      commitToSynced: summarizeDurations(commitTimes.map(t => t.seconds)),
    },
    changeFailureRate: {
      deployments: outcomes.length,
      failures: failed.length,
      ...(outcomes.length > 0 && {
        rate: Math.round((failed.length / outcomes.length) * 10_000) / 10_000,
      }),
      causes: {
        degraded: withCause('degraded'),
        failedChangeRequests: withCause('failedChangeRequest'),
        rolledBack: withCause('rolledBack'),
      },
      failureWindowHours: input.failureWindowHours,
    },
    timeToRestore: {
      ...summarizeDurations(restores.map(r => r.seconds)),
      open,
    },
    interval,
    trend,
  };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  return Math.round(
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    ),
  );
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
