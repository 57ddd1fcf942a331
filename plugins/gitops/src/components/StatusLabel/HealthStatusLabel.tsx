import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { HealthStatus } from '@backstage-gitops/plugin-gitops-common';
import type { ComponentType, PropsWithChildren } from 'react';

const INDICATORS: Record<HealthStatus, ComponentType<PropsWithChildren<{}>>> = {
  Healthy: StatusOK,
  Progressing: StatusRunning,
  Suspended: StatusPending,
  Missing: StatusWarning,
  Degraded: StatusError,
  Unknown: StatusAborted,
};

/** A health status as a coloured dot and its name. */
export function HealthStatusLabel(props: { status: HealthStatus }) {
  const Indicator = INDICATORS[props.status] ?? StatusAborted;
  return <Indicator>{props.status}</Indicator>;
}
