import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { HistoryEntry } from '@backstage-gitops/plugin-gitops-common';
import { Button, Flex, List, ListRow, Text } from '@backstage/ui';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { describeDrift } from '../format/describeDrift';
import { formatAge } from '../format/formatAge';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';

const PAGE_SIZE = 20;

type LoadedHistory = { items: HistoryEntry[]; nextCursor?: string };

/**
 * An application's verdict changes, newest first, with "load more".
 * `refreshKey` changes when a signal says a new entry exists; it is prepended without losing loaded pages.
 */
export function HistoryList(props: {
  application: string;
  refreshKey: number;
  now: number;
}) {
  const { application, refreshKey, now } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const [history, setHistory] = useState<LoadedHistory>();

  const firstPage = useAsync(
    () => gitopsApi.getApplicationHistory(application, { limit: PAGE_SIZE }),
    [gitopsApi, application, refreshKey],
  );
  useEffect(() => {
    const page = firstPage.value;
    if (page) setHistory(loaded => prependNewest(loaded, page));
  }, [firstPage.value]);

  const [nextPage, loadMore] = useAsyncFn(async () => {
    const page = await gitopsApi.getApplicationHistory(application, {
      limit: PAGE_SIZE,
      cursor: history?.nextCursor,
    });
    setHistory(loaded => ({
      items: [...(loaded?.items ?? []), ...page.items],
      nextCursor: page.nextCursor,
    }));
  }, [gitopsApi, application, history?.nextCursor]);

  if (firstPage.error && !history) {
    return <ResponseErrorPanel error={firstPage.error} />;
  }
  if (!history) return <Progress />;
  if (history.items.length === 0) {
    return <Text color="secondary">No verdict changes recorded yet.</Text>;
  }
  return (
    <Flex direction="column" gap="3" align="start">
      <List
        aria-label={`History of ${application}`}
        items={history.items.map(entryRow)}
      >
        {entry => (
          <ListRow
            id={entry.id}
            textValue={`${entry.sync} ${entry.health} ${entry.at}`}
            description={describeEntry(entry, now)}
            customActions={
              <time
                dateTime={entry.at}
                title={new Date(entry.at).toLocaleString()}
              >
                {formatAge(entry.at, now)} ago
              </time>
            }
          >
            <Flex gap="4" align="center">
              <SyncStatusLabel status={entry.sync} />
              <HealthStatusLabel status={entry.health} />
            </Flex>
          </ListRow>
        )}
      </List>
      {nextPage.error && <ResponseErrorPanel error={nextPage.error} />}
      {history.nextCursor && (
        <Button
          variant="secondary"
          isPending={nextPage.loading}
          onPress={loadMore}
        >
          Load more
        </Button>
      )}
    </Flex>
  );
}

function entryRow(entry: HistoryEntry) {
  return { ...entry, id: entryKey(entry) };
}

function entryKey(entry: HistoryEntry): string {
  return [
    entry.at,
    entry.sync,
    entry.health,
    entry.revision,
    entry.driftCount,
  ].join('|');
}

function describeEntry(entry: HistoryEntry, now: number): string {
  return [
    entry.revision ? `revision ${entry.revision.slice(0, 7)}` : undefined,
    describeDrift(entry.driftCount, undefined, now),
    entry.reason,
  ]
    .filter(Boolean)
    .join(' · ');
}

// Entries older than what is loaded are already there or on a later page, so only newer ones are added.
function prependNewest(
  loaded: LoadedHistory | undefined,
  page: LoadedHistory,
): LoadedHistory {
  if (!loaded) return page;
  const known = new Set(loaded.items.map(entryKey));
  const fresh = page.items.filter(entry => !known.has(entryKey(entry)));
  return { items: [...fresh, ...loaded.items], nextCursor: loaded.nextCursor };
}
