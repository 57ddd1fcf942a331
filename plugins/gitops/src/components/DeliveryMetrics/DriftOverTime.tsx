import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { DriftDay } from '@backstage-gitops/plugin-gitops-common';
import { Flex, Text } from '@backstage/ui';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { Section } from '../Section/Section';
import { CHART_COLORS } from './colors';
import {
  DEFAULT_RANGE_DAYS,
  RangeSelect,
  rangeStart,
  type RangeDays,
} from './RangeSelect';
import { TrendChart } from './TrendChart';

/** Per day, how many applications of the fleet drifted from Git or were OutOfSync. */
export function DriftOverTime() {
  const gitopsApi = useApi(gitopsApiRef);
  const [days, setDays] = useState<RangeDays>(DEFAULT_RANGE_DAYS);
  const from = useMemo(() => rangeStart(days, Date.now()), [days]);
  const drift = useAsync(
    () => gitopsApi.getDriftMetrics({ from }),
    [gitopsApi, from],
  );

  return (
    <Section
      title="Drift over time"
      subtitle="Applications whose live state differed from Git (drift) or that were OutOfSync at some moment of each day."
      actions={
        <RangeSelect label="Drift range" value={days} onChange={setDays} />
      }
    >
      {drift.error && <ResponseErrorPanel error={drift.error} />}
      {!drift.error && drift.loading && <Progress />}
      {!drift.error && !drift.loading && drift.value && (
        <DriftChart days={drift.value.days} />
      )}
    </Section>
  );
}

function DriftChart(props: { days: DriftDay[] }) {
  const { days } = props;
  if (days.every(day => day.applications === 0)) {
    return (
      <EmptyState
        missing="data"
        title="No verdicts in this range"
        description="Drift over time is read from the history of application verdicts; none was recorded in this range."
      />
    );
  }
  const last = days[days.length - 1];
  const peak = days.reduce(
    (worst, day) => (day.drifted > worst.drifted ? day : worst),
    days[0],
  );
  return (
    <Flex direction="column" gap="3">
      <Text variant="body-small" color="secondary">
        {`On ${last.date}: ${last.drifted} of ${last.applications} applications drifted, ${last.outOfSync} OutOfSync.`}
        {peak.drifted > 0 &&
          ` Most drift: ${peak.drifted} applications on ${peak.date}.`}
      </Text>
      <TrendChart
        kind="line"
        data={days}
        xKey="date"
        height={220}
        legend
        formatX={value => value.slice(5)}
        series={[
          { key: 'drifted', name: 'Drifted', color: CHART_COLORS.warning },
          { key: 'outOfSync', name: 'OutOfSync', color: CHART_COLORS.danger },
        ]}
        description={`Applications drifted and OutOfSync per day: ${days
          .map(
            day =>
              `${day.date} ${day.drifted} drifted, ${day.outOfSync} OutOfSync`,
          )
          .join('; ')}`}
      />
    </Flex>
  );
}
