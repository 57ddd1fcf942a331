import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  DoraMetricsResponse,
  DoraTrendPoint,
} from '@backstage-gitops/plugin-gitops-common';
import { Grid } from '@backstage/ui';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { Section } from '../Section/Section';
import { CHART_COLORS } from './colors';
import { DoraCard } from './DoraCard';
import { formatDuration, formatPercent } from './formatDuration';
import {
  DEFAULT_RANGE_DAYS,
  RangeSelect,
  rangeStart,
  type RangeDays,
} from './RangeSelect';
import { TrendChart } from './TrendChart';

/**
 * The four DORA figures of the GitOps history (the fleet, or one entity with `entityRef`), each as a card
 * with its trend.
 */
export function DeliveryMetrics(props: { entityRef?: string }) {
  const { entityRef } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const [days, setDays] = useState<RangeDays>(DEFAULT_RANGE_DAYS);
  const from = useMemo(() => rangeStart(days, Date.now()), [days]);
  const metrics = useAsync(
    () => gitopsApi.getDoraMetrics({ from, ...(entityRef && { entityRef }) }),
    [gitopsApi, from, entityRef],
  );

  return (
    <Section
      title="Delivery metrics"
      subtitle="DORA figures computed from the GitOps history: what reached the clusters, how fast, how often it broke and how fast it recovered."
      actions={
        <RangeSelect
          label="Delivery metrics range"
          value={days}
          onChange={setDays}
        />
      }
    >
      {metrics.error && <ResponseErrorPanel error={metrics.error} />}
      {!metrics.error && metrics.loading && <Progress />}
      {!metrics.error && !metrics.loading && metrics.value && (
        <DoraFigures metrics={metrics.value} />
      )}
    </Section>
  );
}

function DoraFigures(props: { metrics: DoraMetricsResponse }) {
  const { metrics } = props;
  const {
    deploymentFrequency: frequency,
    leadTime,
    changeFailureRate: failures,
    timeToRestore: restore,
  } = metrics;
  if (
    frequency.total === 0 &&
    failures.deployments === 0 &&
    leadTime.mergeToSynced.count === 0 &&
    restore.count === 0 &&
    restore.open === 0
  ) {
    return (
      <EmptyState
        missing="data"
        title="No deployments in this range"
        description="Delivery metrics count applications reaching a new revision Synced and change requests reaching healthy. Nothing was deployed in this range, or nothing you may read."
      />
    );
  }

  const bucket = metrics.interval === 'day' ? 'day' : 'week';
  const trend = metrics.trend.map(point => ({
    ...point,
    label: point.start.slice(0, 10),
  }));
  const shortDate = (value: string) => value.slice(5);

  return (
    <Grid.Root columns={{ initial: '1', md: '2', lg: '4' }} gap="4">
      <DoraCard
        title="Deployment frequency"
        value={
          frequency.perDay >= 1
            ? `${frequency.perDay} per day`
            : `${frequency.perWeek} per week`
        }
        details={[
          `${frequency.total} deployments: ${frequency.fromHistory} from the verdict history, ${frequency.fromChangeRequests} from change requests`,
        ]}
        chart={
          <TrendChart
            kind="bar"
            data={trend}
            xKey="label"
            formatX={shortDate}
            series={[
              {
                key: 'deployments',
                name: 'Deployments',
                color: CHART_COLORS.primary,
              },
            ]}
            description={`Deployments per ${bucket}: ${describe(trend, p =>
              String(p.deployments),
            )}`}
          />
        }
      />
      <DoraCard
        title="Lead time for changes"
        value={`${formatDuration(leadTime.mergeToSynced.medianSeconds)} median`}
        details={[
          `Merge to synced, ${
            leadTime.mergeToSynced.count
          } change requests; p90 ${formatDuration(
            leadTime.mergeToSynced.p90Seconds,
          )}`,
          `Commit to synced: ${formatDuration(
            leadTime.commitToSynced.medianSeconds,
          )} median over ${leadTime.commitToSynced.count} deployments`,
        ]}
        chart={
          <TrendChart
            kind="line"
            data={trend}
            xKey="label"
            formatX={shortDate}
            formatY={formatDuration}
            series={[
              {
                key: 'leadTimeMedianSeconds',
                name: 'Median lead time',
                color: CHART_COLORS.info,
              },
            ]}
            description={`Median merge to synced per ${bucket}: ${describe(
              trend,
              p => formatDuration(p.leadTimeMedianSeconds),
            )}`}
          />
        }
      />
      <DoraCard
        title="Change failure rate"
        value={formatPercent(failures.rate)}
        details={[
          `${failures.failures} of ${failures.deployments} deployments failed`,
          `Degraded within ${failures.failureWindowHours}h: ${failures.causes.degraded}; failed change requests: ${failures.causes.failedChangeRequests}; rolled back: ${failures.causes.rolledBack}`,
        ]}
        chart={
          <TrendChart
            kind="bar"
            data={trend}
            xKey="label"
            formatX={shortDate}
            series={[
              {
                key: 'failures',
                name: 'Failed deployments',
                color: CHART_COLORS.danger,
              },
            ]}
            description={`Failed deployments per ${bucket}: ${describe(
              trend,
              p => String(p.failures),
            )}`}
          />
        }
      />
      <DoraCard
        title="Time to restore"
        value={`${formatDuration(restore.medianSeconds)} median`}
        details={[
          `Degraded to Healthy, ${restore.count} restores; p90 ${formatDuration(
            restore.p90Seconds,
          )}`,
          `${restore.open} ${
            restore.open === 1 ? 'application is' : 'applications are'
          } still not Healthy`,
        ]}
        chart={
          <TrendChart
            kind="line"
            data={trend}
            xKey="label"
            formatX={shortDate}
            formatY={formatDuration}
            series={[
              {
                key: 'restoreMedianSeconds',
                name: 'Median time to restore',
                color: CHART_COLORS.warning,
              },
            ]}
            description={`Median time to restore per ${bucket}: ${describe(
              trend,
              p => formatDuration(p.restoreMedianSeconds),
            )}`}
          />
        }
      />
    </Grid.Root>
  );
}

/** `2026-11-01 5, 2026-11-02 4`: a trend in words, for screen readers. */
function describe<T extends DoraTrendPoint & { label: string }>(
  trend: T[],
  value: (point: T) => string,
): string {
  return trend.map(point => `${point.label} ${value(point)}`).join(', ');
}
