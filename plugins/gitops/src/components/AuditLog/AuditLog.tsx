import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  AuditAction,
  AuditEntry,
} from '@backstage-gitops/plugin-gitops-common';
import { Button, Flex, SearchField, Text } from '@backstage/ui';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useGitOpsLinks, type GitOpsLinks } from '../../hooks/useGitOpsLinks';
import { useNow } from '../../hooks/useNow';
import { RelativeTime } from '../format/RelativeTime';
import { Section } from '../Section/Section';

const PAGE_SIZE = 25;

const ACTIONS: Record<AuditAction, string> = {
  requested: 'Requested',
  approved: 'Approved',
  merged: 'Merged',
  cancelled: 'Cancelled',
  synced: 'Synced',
};

/**
 * Who requested, approved, merged and cancelled change requests, and who asked for syncs, newest first:
 * the fleet's, or one entity's with `entityRef`. Pages go back and forth along the backend's cursors.
 */
export function AuditLog(props: { entityRef?: string }) {
  const { entityRef } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const links = useGitOpsLinks();
  const now = useNow();
  const [actor, setActor] = useState('');
  // The cursor of each page read so far; the first page has none.
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const cursor = cursors[cursors.length - 1];

  const page = useAsync(
    () =>
      gitopsApi.listAuditEntries({
        limit: PAGE_SIZE,
        cursor,
        ...(entityRef && { entityRef }),
        ...(actor && { actor }),
      }),
    [gitopsApi, cursor, entityRef, actor],
  );

  const filterBy = (value: string) => {
    setActor(value.trim());
    setCursors([undefined]);
  };

  return (
    <Section
      title="Audit log"
      subtitle="Who requested, approved, merged and cancelled change requests, and who synced applications by hand."
      actions={
        <div style={{ width: 260 }}>
          <SearchField
            label="Filter by actor"
            placeholder="user:default/alice"
            onSubmit={filterBy}
            onClear={() => filterBy('')}
            size="small"
          />
        </div>
      }
    >
      {page.error && <ResponseErrorPanel error={page.error} />}
      {!page.error && page.loading && <Progress />}
      {!page.error &&
        !page.loading &&
        page.value &&
        page.value.items.length === 0 &&
        (actor ? (
          <Text color="secondary">{`Nothing done by ${actor} is recorded.`}</Text>
        ) : (
          <EmptyState
            missing="data"
            title="Nothing recorded yet"
            description="The audit log lists the steps people take on change requests and the syncs they ask for. None has happened yet, or none you may read."
          />
        ))}
      {!page.error &&
        !page.loading &&
        page.value &&
        page.value.items.length > 0 && (
          <Flex direction="column" gap="3">
            <Table<AuditEntry>
              options={{
                paging: false,
                search: false,
                sorting: false,
                toolbar: false,
                padding: 'dense',
              }}
              columns={columns(links, now)}
              data={page.value.items}
            />
            <Flex justify="between" align="center">
              <Text variant="body-small" color="secondary">
                {`Page ${cursors.length}`}
              </Text>
              <Flex gap="2">
                <Button
                  variant="secondary"
                  isDisabled={cursors.length === 1}
                  onPress={() => setCursors(read => read.slice(0, -1))}
                >
                  Newer
                </Button>
                <Button
                  variant="secondary"
                  isDisabled={!page.value.nextCursor}
                  onPress={() => {
                    const next = page.value?.nextCursor;
                    if (next) setCursors(read => [...read, next]);
                  }}
                >
                  Older
                </Button>
              </Flex>
            </Flex>
          </Flex>
        )}
    </Section>
  );
}

function columns(links: GitOpsLinks, now: number): TableColumn<AuditEntry>[] {
  return [
    {
      title: 'When',
      field: 'at',
      width: '12%',
      render: entry => <RelativeTime at={entry.at} now={now} />,
    },
    {
      title: 'Who',
      field: 'actor',
      render: entry => (
        <EntityRefLink entityRef={entry.actor} defaultKind="user" />
      ),
    },
    {
      title: 'Action',
      field: 'action',
      width: '10%',
      render: entry => ACTIONS[entry.action] ?? entry.action,
    },
    {
      title: 'What',
      render: entry => <Subject entry={entry} links={links} />,
    },
    {
      title: 'Entity',
      field: 'entityRef',
      render: entry =>
        entry.entityRef ? (
          <EntityRefLink entityRef={entry.entityRef} disableTooltip />
        ) : (
          ''
        ),
    },
  ];
}

function Subject(props: { entry: AuditEntry; links: GitOpsLinks }) {
  const { entry, links } = props;
  if (entry.changeRequest) {
    const { id, title } = entry.changeRequest;
    const href = links.changeRequest?.(id);
    return href ? <Link to={href}>{title}</Link> : <>{title}</>;
  }
  if (entry.application) {
    const revision = entry.revision ? ` at ${entry.revision.slice(0, 7)}` : '';
    const result = entry.result ? ` (${entry.result})` : '';
    return <>{`${entry.application}${revision}${result}`}</>;
  }
  return <>{entry.message ?? ''}</>;
}
