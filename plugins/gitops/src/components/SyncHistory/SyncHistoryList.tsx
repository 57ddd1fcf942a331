import {
  Progress,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusRunning,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  SyncResult,
  SyncRun,
  SyncRunListResponse,
} from '@backstage-gitops/plugin-gitops-common';
import { Button, Flex, List, ListRow, Text } from '@backstage/ui';
import {
  useEffect,
  useState,
  type ComponentType,
  type PropsWithChildren,
} from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { formatAge } from '../format/formatAge';

const PAGE_SIZE = 10;

const RESULTS: Record<
  SyncResult,
  { label: string; Indicator: ComponentType<PropsWithChildren<{}>> }
> = {
  running: { label: 'Running', Indicator: StatusRunning },
  succeeded: { label: 'Succeeded', Indicator: StatusOK },
  failed: { label: 'Failed', Indicator: StatusError },
  skipped: { label: 'Skipped', Indicator: StatusAborted },
};

/**
 * An application's syncs, newest first, with "load more". `refreshKey` changes when a sync may have
 * started or finished; the first page is read again and replaces the runs it holds (a running sync finishes).
 */
export function SyncHistoryList(props: {
  application: string;
  refreshKey: number;
  now: number;
}) {
  const { application, refreshKey, now } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const [runs, setRuns] = useState<SyncRunListResponse>();

  const firstPage = useAsync(
    () => gitopsApi.listSyncRuns(application, { limit: PAGE_SIZE }),
    [gitopsApi, application, refreshKey],
  );
  useEffect(() => {
    const page = firstPage.value;
    if (page) setRuns(loaded => mergeFirstPage(loaded, page));
  }, [firstPage.value]);

  const [nextPage, loadMore] = useAsyncFn(async () => {
    const page = await gitopsApi.listSyncRuns(application, {
      limit: PAGE_SIZE,
      cursor: runs?.nextCursor,
    });
    setRuns(loaded => ({
      items: [
        ...(loaded?.items ?? []),
        ...page.items.filter(
          run => !loaded?.items.some(known => known.id === run.id),
        ),
      ],
      nextCursor: page.nextCursor,
    }));
  }, [gitopsApi, application, runs?.nextCursor]);

  if (firstPage.error && !runs) {
    return <ResponseErrorPanel error={firstPage.error} />;
  }
  if (!runs) return <Progress />;
  if (runs.items.length === 0) {
    return <Text color="secondary">No sync has run yet.</Text>;
  }
  return (
    <Flex direction="column" gap="3" align="start">
      <List aria-label={`Syncs of ${application}`} items={runs.items}>
        {run => {
          const { label, Indicator } = RESULTS[run.result] ?? RESULTS.skipped;
          return (
            <ListRow
              id={run.id}
              textValue={`${run.result} ${run.startedAt}`}
              description={describeRun(run)}
              customActions={
                <time
                  dateTime={run.startedAt}
                  title={new Date(run.startedAt).toLocaleString()}
                >
                  {formatAge(run.startedAt, now)} ago
                </time>
              }
            >
              <Indicator>{label}</Indicator>
            </ListRow>
          );
        }}
      </List>
      {nextPage.error && <ResponseErrorPanel error={nextPage.error} />}
      {runs.nextCursor && (
        <Button
          variant="secondary"
          isPending={nextPage.loading}
          onPress={loadMore}
        >
          Load more syncs
        </Button>
      )}
    </Flex>
  );
}

const TRIGGERS: Record<SyncRun['trigger'], string> = {
  automated: 'automated',
  'self-heal': 'self-heal',
  manual: 'manual',
};

function describeRun(run: SyncRun): string {
  const failed = run.resources.filter(resource => resource.action === 'failed');
  const applied = run.resources.filter(resource =>
    ['applied', 'pruned'].includes(resource.action),
  );
  return [
    run.requestedBy
      ? `${TRIGGERS[run.trigger] ?? run.trigger} by ${run.requestedBy}`
      : TRIGGERS[run.trigger] ?? run.trigger,
    run.revision ? `revision ${run.revision.slice(0, 7)}` : undefined,
    run.finishedAt
      ? `took ${formatAge(run.startedAt, Date.parse(run.finishedAt))}`
      : undefined,
    applied.length ? `${applied.length} changed` : undefined,
    ...failed.map(
      resource =>
        `${resource.ref.kind} ${resource.ref.name} failed${
          resource.message ? `: ${resource.message}` : ''
        }`,
    ),
    run.message,
  ]
    .filter(Boolean)
    .join(' · ');
}

function mergeFirstPage(
  loaded: SyncRunListResponse | undefined,
  page: SyncRunListResponse,
): SyncRunListResponse {
  if (!loaded) return page;
  const fresh = new Set(page.items.map(run => run.id));
  const older = loaded.items.filter(run => !fresh.has(run.id));
  return {
    items: [...page.items, ...older],
    nextCursor: older.length > 0 ? loaded.nextCursor : page.nextCursor,
  };
}
