import { useApi } from '@backstage/frontend-plugin-api';
import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import {
  ButtonLink,
  Cell,
  CellText,
  Flex,
  Table,
  Text,
  type ColumnConfig,
} from '@backstage/ui';
import type { ReactElement } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useGitOpsLinks, type GitOpsLinks } from '../../hooks/useGitOpsLinks';
import { RevisionLink } from '../RevisionLink/RevisionLink';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';
import { describeLag, imagesOf } from './environmentFacts';

/** One row of the matrix: a fact, shown for every environment. */
interface FactRow {
  id: string;
  label: string;
  cell: (status: ApplicationStatus, index: number) => ReactElement;
}

/**
 * The entity's environments side by side, in pipeline order: what runs where (the images Git declares, with
 * the live one where the cluster runs another), whether it is in sync and healthy, how far each trails the
 * first, and a button to promote the one before it.
 */
export function EnvironmentMatrix(props: {
  entityRef: string;
  applications: ApplicationStatus[];
}) {
  const { entityRef, applications } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const links = useGitOpsLinks();
  const names = applications.map(status => status.application.name);
  const revisions = applications.map(status => status.revision?.sha ?? '');
  const driftCounts = applications.map(status => status.driftCount);

  // Images are extra: an application whose detail cannot be read still shows its revision.
  const images = useAsync(async () => {
    const details = await Promise.allSettled(
      names.map(name => gitopsApi.getApplication(name)),
    );
    return new Map<string, string[] | undefined>(
      details.map((detail, index) => [
        names[index],
        detail.status === 'fulfilled' ? imagesOf(detail.value) : undefined,
      ]),
    );
    // Refetched when an environment moves to another revision, or its drift changes (a live image may have).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gitopsApi, names.join(','), revisions.join(','), driftCounts.join(',')]);

  const first = applications[0];
  const rows: FactRow[] = [
    {
      id: 'revision',
      label: 'Revision',
      cell: status => (
        <Cell>
          <RevisionLink revision={status.revision} />
        </Cell>
      ),
    },
  ];
  if ([...(images.value?.values() ?? [])].some(list => list?.length)) {
    rows.push({
      id: 'images',
      label: 'Images (Git)',
      cell: status => {
        const list = images.value?.get(status.application.name);
        return (
          <Cell>
            {!list || list.length === 0 ? (
              <Text color="secondary">
                {list ? 'No images' : 'Not available'}
              </Text>
            ) : (
              <Flex direction="column" gap="1">
                {list.map(image => (
                  <code key={image} style={{ wordBreak: 'break-all' }}>
                    {image}
                  </code>
                ))}
              </Flex>
            )}
          </Cell>
        );
      },
    });
  }
  rows.push(
    {
      id: 'sync',
      label: 'Sync',
      cell: status => (
        <Cell>
          <SyncStatusLabel status={status.sync} />
        </Cell>
      ),
    },
    {
      id: 'health',
      label: 'Health',
      cell: status => (
        <Cell>
          <HealthStatusLabel status={status.health} />
        </Cell>
      ),
    },
    {
      id: 'lag',
      label: `Behind ${first.application.environment}`,
      cell: (status, index) =>
        index === 0 ? (
          <CellText title="Reference" color="secondary" />
        ) : (
          <CellText title={describeLag(first, status)} />
        ),
    },
  );
  if (links.newChangeRequest) {
    rows.push({
      id: 'promote',
      label: 'Promote',
      cell: (_status, index) =>
        promoteCell(entityRef, applications, index, links),
    });
  }

  const columns: ColumnConfig<FactRow>[] = [
    {
      id: 'fact',
      label: 'Environment',
      isRowHeader: true,
      cell: row => <CellText title={row.label} />,
    },
    ...applications.map((status, index) => ({
      id: status.application.name,
      label: status.application.environment,
      cell: (row: FactRow) => row.cell(status, index),
    })),
  ];

  return (
    <Table columnConfig={columns} data={rows} pagination={{ type: 'none' }} />
  );
}

function promoteCell(
  entityRef: string,
  applications: ApplicationStatus[],
  index: number,
  links: GitOpsLinks,
): ReactElement {
  if (index === 0) return <Cell />;
  // Promotion follows the pipeline: each environment takes what runs in the one before it.
  const from = applications[index - 1].application;
  const to = applications[index].application;
  return (
    <Cell>
      <ButtonLink
        size="small"
        variant="secondary"
        aria-label={`Promote ${from.environment} to ${to.environment}`}
        href={links.newChangeRequest!({
          entity: entityRef,
          type: 'promote',
          from: from.name,
          to: to.name,
        })}
      >
        Promote from {from.environment}
      </ButtonLink>
    </Cell>
  );
}
