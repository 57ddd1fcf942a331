import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import {
  Button,
  ButtonLink,
  Cell,
  CellText,
  Flex,
  Table,
  Text,
  type ColumnConfig,
} from '@backstage/ui';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useChangeRequestSignal } from '../../hooks/useChangeRequestSignal';
import { useGitOpsLinks, type GitOpsLinks } from '../../hooks/useGitOpsLinks';
import { ChangeRequestStateChip } from '../ChangeRequestState';
import { RelativeTime } from '../format/RelativeTime';
import { Section } from '../Section/Section';

const PAGE_SIZE = 10;

type Loaded = { items: ChangeRequest[]; nextCursor?: string };

/** The entity's change requests, newest first, with their state; live on `gitops:change` signals. */
export function EntityChangeRequests(props: {
  entityRef: string;
  now: number;
}) {
  const { entityRef, now } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const links = useGitOpsLinks();
  const signalCount = useChangeRequestSignal({ entityRef });
  const [loaded, setLoaded] = useState<Loaded>();

  const firstPage = useAsync(
    () => gitopsApi.listChangeRequests({ entityRef, limit: PAGE_SIZE }),
    [gitopsApi, entityRef, signalCount],
  );
  useEffect(() => {
    const page = firstPage.value;
    if (page) setLoaded(previous => mergeFirstPage(previous, page));
  }, [firstPage.value]);

  const [nextPage, loadMore] = useAsyncFn(async () => {
    const page = await gitopsApi.listChangeRequests({
      entityRef,
      limit: PAGE_SIZE,
      cursor: loaded?.nextCursor,
    });
    setLoaded(previous => ({
      items: [
        ...(previous?.items ?? []),
        ...page.items.filter(
          item => !previous?.items.some(known => known.id === item.id),
        ),
      ],
      nextCursor: page.nextCursor,
    }));
  }, [gitopsApi, entityRef, loaded?.nextCursor]);

  const columns = useMemo(() => changeRequestColumns(links, now), [links, now]);

  let body;
  if (firstPage.error && !loaded) {
    body = <ResponseErrorPanel error={firstPage.error} />;
  } else if (!loaded) {
    body = <Progress />;
  } else if (loaded.items.length === 0) {
    body = (
      <Text color="secondary">
        No change requests yet. Changes proposed here open a pull request on the
        config repo.
      </Text>
    );
  } else {
    body = (
      <Flex direction="column" gap="3" align="start">
        <Table
          columnConfig={columns}
          data={loaded.items}
          pagination={{ type: 'none' }}
        />
        {nextPage.error && <ResponseErrorPanel error={nextPage.error} />}
        {loaded.nextCursor && (
          <Button
            variant="secondary"
            isPending={nextPage.loading}
            onPress={loadMore}
          >
            Load more change requests
          </Button>
        )}
      </Flex>
    );
  }

  return (
    <Section
      title="Change requests"
      actions={
        links.newChangeRequest && (
          <ButtonLink
            variant="secondary"
            size="small"
            href={links.newChangeRequest({ entity: entityRef })}
          >
            New change request
          </ButtonLink>
        )
      }
    >
      {body}
    </Section>
  );
}

// A signal may move any loaded request: the fresh first page replaces its entries, older pages stay.
function mergeFirstPage(previous: Loaded | undefined, page: Loaded): Loaded {
  if (!previous) return page;
  const fresh = new Set(page.items.map(item => item.id));
  const older = previous.items.filter(item => !fresh.has(item.id));
  return {
    items: [...page.items, ...older],
    nextCursor: older.length > 0 ? previous.nextCursor : page.nextCursor,
  };
}

function changeRequestColumns(
  links: GitOpsLinks,
  now: number,
): ColumnConfig<ChangeRequest>[] {
  return [
    {
      id: 'title',
      label: 'Change request',
      isRowHeader: true,
      defaultWidth: '2.4fr',
      cell: request => (
        <CellText
          title={request.title}
          description={request.id}
          href={links.changeRequest?.(request.id)}
        />
      ),
    },
    {
      id: 'state',
      label: 'State',
      defaultWidth: '1fr',
      cell: request => (
        <Cell>
          <ChangeRequestStateChip state={request.state} />
        </Cell>
      ),
    },
    {
      id: 'environments',
      label: 'Environments',
      defaultWidth: '1.2fr',
      cell: request => (
        <CellText
          title={request.applications.map(app => app.environment).join(', ')}
        />
      ),
    },
    {
      id: 'requestedBy',
      label: 'Requested by',
      defaultWidth: '1.4fr',
      cell: request => <CellText title={request.requestedBy} />,
    },
    {
      id: 'updated',
      label: 'Updated',
      defaultWidth: '1fr',
      cell: request => (
        <Cell>
          <RelativeTime at={request.updatedAt} now={now} />
        </Cell>
      ),
    },
  ];
}
