import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  HealthStatus,
  SyncStatus,
} from '@backstage-gitops/plugin-gitops-common';
import { VisuallyHidden } from '@backstage/ui';
import type { ComponentType, PropsWithChildren } from 'react';
import type { EnvironmentStatus } from './summarizeEnvironments';

type Indicator = ComponentType<PropsWithChildren<{}>>;

const SYNC: Record<SyncStatus, Indicator> = {
  Synced: StatusOK,
  OutOfSync: StatusWarning,
  Unknown: StatusAborted,
};

const HEALTH: Record<HealthStatus, Indicator> = {
  Healthy: StatusOK,
  Progressing: StatusRunning,
  Suspended: StatusPending,
  Missing: StatusWarning,
  Degraded: StatusError,
  Unknown: StatusAborted,
};

/** What the dot means, in words: the tooltip and what a screen reader says. */
export function describeEnvironment(
  environment: EnvironmentStatus,
  aspect: 'sync' | 'health',
): string {
  const parts = [
    aspect === 'sync' ? environment.sync : environment.health,
    ...(aspect === 'sync' && environment.driftCount > 0
      ? [
          `${environment.driftCount} drifted field${
            environment.driftCount === 1 ? '' : 's'
          }`,
        ]
      : []),
    ...environment.problems,
  ];
  return `${environment.environment}: ${parts.join(', ')}`;
}

/** One environment as a coloured dot and its name; the status itself is in the tooltip and for screen readers. */
export function EnvironmentStatusDot(props: {
  environment: EnvironmentStatus;
  aspect: 'sync' | 'health';
}) {
  const { environment, aspect } = props;
  const Dot =
    aspect === 'sync' ? SYNC[environment.sync] : HEALTH[environment.health];
  const description = describeEnvironment(environment, aspect);
  return (
    <span title={description} data-testid="gitops-environment-status">
      <Dot>
        {environment.environment}
        <VisuallyHidden>
          {description.slice(environment.environment.length)}
        </VisuallyHidden>
      </Dot>
    </span>
  );
}
