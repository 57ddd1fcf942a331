import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  EntityInfoCard,
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  FINAL_CHANGE_REQUEST_STATES,
  GITOPS_APPLICATIONS_ANNOTATION,
  type ApplicationStatus,
  type ChangeRequest,
} from '@backstage-gitops/plugin-gitops-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useChangeRequestSignal } from '../../hooks/useChangeRequestSignal';
import {
  Cell,
  CellText,
  Flex,
  Table,
  Text,
  type ColumnConfig,
} from '@backstage/ui';
import { useMemo } from 'react';
import { useEntityGitOpsStatus } from '../../hooks/useEntityGitOpsStatus';
import { useNow } from '../../hooks/useNow';
import { isGitOpsAvailable } from '../../isGitOpsAvailable';
import { describeDrift } from '../format/describeDrift';
import { formatAge } from '../format/formatAge';
import { RelativeTime } from '../format/RelativeTime';
import { ProblemBanner } from '../ProblemBanner/ProblemBanner';
import { RevisionLink } from '../RevisionLink/RevisionLink';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';

type EnvironmentRow = ApplicationStatus & {
  id: string;
  /** Change requests touching this application that have not finished (not yet healthy, closed or failed). */
  openChanges: ChangeRequest[];
};

/** Per environment: sync, health, deployed revision, drift, last sync and open change requests; live. */
export function GitOpsOverviewCard() {
  const { entity } = useEntity();
  if (!isGitOpsAvailable(entity)) {
    return (
      <EntityInfoCard title="GitOps">
        <MissingAnnotationEmptyState
          annotation={GITOPS_APPLICATIONS_ANNOTATION}
        />
      </EntityInfoCard>
    );
  }
  return <GitOpsOverview />;
}

function GitOpsOverview() {
  const { entity } = useEntity();
  const { value, loading, error } = useEntityGitOpsStatus(entity);
  const openChanges = useOpenChangeRequests(stringifyEntityRef(entity));
  const now = useNow();
  const columns = useMemo(() => environmentColumns(now), [now]);

  let body;
  if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value) {
    body = loading ? <Progress /> : null;
  } else if (value.applications.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No applications deploy this entity yet"
        description={`Declare an Application with spec.entityRef ${value.entityRef} in the config repo; its status shows here once the backend has reconciled it.`}
      />
    );
  } else {
    const rows = value.applications.map(status => ({
      ...status,
      id: status.application.name,
      openChanges: openChanges.filter(request =>
        request.applications.some(app => app.name === status.application.name),
      ),
    }));
    body = (
      <Flex direction="column" gap="3">
        {rows.map(status => (
          <ProblemBanner key={status.id} status={status} now={now} />
        ))}
        <Table
          columnConfig={columns}
          data={rows}
          pagination={{ type: 'none' }}
        />
      </Flex>
    );
  }
  return <EntityInfoCard title="GitOps">{body}</EntityInfoCard>;
}

function environmentColumns(now: number): ColumnConfig<EnvironmentRow>[] {
  return [
    {
      id: 'environment',
      label: 'Environment',
      isRowHeader: true,
      defaultWidth: '1.3fr',
      cell: row => (
        <CellText
          title={row.application.environment}
          description={row.application.name}
        />
      ),
    },
    {
      id: 'sync',
      label: 'Sync',
      defaultWidth: '1.2fr',
      cell: row => (
        <Cell>
          {/* When the verdict was last confirmed, on hover: the column would crowd the card. */}
          <span title={row.observedAt ? `observed ${formatAgo(row.observedAt, now)}` : undefined}>
            <SyncStatusLabel status={row.sync} />
          </span>
        </Cell>
      ),
    },
    {
      id: 'health',
      label: 'Health',
      defaultWidth: '1.3fr',
      cell: row => (
        <Cell>
          <span title={row.healthMessage}>
            <HealthStatusLabel status={row.health} />
          </span>
        </Cell>
      ),
    },
    {
      id: 'revision',
      label: 'Revision',
      defaultWidth: '0.9fr',
      cell: row => (
        <Cell>
          <RevisionLink revision={row.revision} />
        </Cell>
      ),
    },
    {
      id: 'drift',
      label: 'Drift',
      defaultWidth: '1.4fr',
      cell: row => (
        <Cell>
          <Text color={row.driftCount > 0 ? 'warning' : 'primary'}>
            {describeDrift(row.driftCount, row.driftSince, now)}
          </Text>
        </Cell>
      ),
    },
    {
      id: 'synced',
      label: 'Last sync',
      defaultWidth: '0.9fr',
      cell: row => (
        <Cell>
          {row.lastSyncedAt ? (
            <RelativeTime at={row.lastSyncedAt} now={now} />
          ) : (
            <Text color="secondary">never</Text>
          )}
        </Cell>
      ),
    },
    {
      id: 'changes',
      label: 'Changes',
      defaultWidth: '0.9fr',
      cell: row => (
        <Cell>
          <Text
            color={row.openChanges.length > 0 ? 'primary' : 'secondary'}
            title={row.openChanges.map(c => `${c.title} (${c.state})`).join('\n')}
          >
            {row.openChanges.length > 0 ? `${row.openChanges.length} open` : 'none open'}
          </Text>
        </Cell>
      ),
    },
  ];
}

/**
 * The entity's unfinished change requests, fetched again when a `gitops:change` signal concerns the entity.
 * A failure here only hides the column's content: the statuses matter more than the count.
 */
function useOpenChangeRequests(entityRef: string): ChangeRequest[] {
  const gitopsApi = useApi(gitopsApiRef);
  const signalCount = useChangeRequestSignal({ entityRef });
  const { value } = useAsync(
    () => gitopsApi.listChangeRequests({ entityRef, limit: 100 }),
    [gitopsApi, entityRef, signalCount],
  );
  return (value?.items ?? []).filter(
    request => request.state !== 'draft' && !FINAL_CHANGE_REQUEST_STATES.includes(request.state),
  );
}

function formatAgo(at: string, now: number): string {
  return `${formatAge(at, now)} ago`;
}
