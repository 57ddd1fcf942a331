import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  HEALTH_STATUSES,
  SYNC_STATUSES,
  type FleetItem,
  type FleetResponse,
} from '@backstage-gitops/plugin-gitops-common';
import {
  Button,
  Cell,
  CellText,
  Flex,
  Select,
  Table,
  Text,
  useTable,
  type ColumnConfig,
  type SortDescriptor,
} from '@backstage/ui';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { useNow } from '../../hooks/useNow';
import { describeDrift } from '../format/describeDrift';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';
import { fleetCsv } from './fleetCsv';
import {
  pendingCount,
  usePendingChangeRequests,
  type PendingResult,
} from './usePendingChangeRequests';

type FleetRow = FleetItem & { id: string };
type FleetFilter = {
  owner: string;
  environment: string;
  sync: string;
  health: string;
};

const ALL = 'all';
const NO_FILTER: FleetFilter = {
  owner: ALL,
  environment: ALL,
  sync: ALL,
  health: ALL,
};
const PAGE_SIZE = 25;
const PAGE_SIZES = [10, 25, 50, 100];
const FILTER_WIDTH = 200;
/** The fleet route pages by at most 500; beyond this many applications the page says it shows only part. */
const FETCH_PAGE = 500;
const MAX_ITEMS = 5000;

/** Every application the caller may read: filter, sort, page, and export what the filters leave as CSV. */
export function FleetTable() {
  const gitopsApi = useApi(gitopsApiRef);
  const fleet = useAsync(() => loadFleet(gitopsApi), [gitopsApi]);

  if (fleet.error) return <ResponseErrorPanel error={fleet.error} />;
  if (!fleet.value) return <Progress />;
  if (fleet.value.items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No applications to show"
        description="The fleet lists every Application in the config repos whose entity you may read. None is reconciled yet, or none is yours to read."
      />
    );
  }
  return <FleetTableView fleet={fleet.value} />;
}

async function loadFleet(gitopsApi: GitOpsApi): Promise<FleetResponse> {
  const items: FleetItem[] = [];
  let cursor: string | undefined;
  let totalItems = 0;
  do {
    const page = await gitopsApi.getFleet({ limit: FETCH_PAGE, cursor });
    items.push(...page.items);
    totalItems = page.totalItems;
    cursor = page.nextCursor;
  } while (cursor && items.length < MAX_ITEMS);
  return { items, totalItems, nextCursor: cursor };
}

function FleetTableView(props: { fleet: FleetResponse }) {
  const { fleet } = props;
  const now = useNow();
  const data = useMemo(
    () => fleet.items.map(item => ({ ...item, id: item.application.name })),
    [fleet.items],
  );
  const { tableProps, filter } = useTable<FleetRow, FleetFilter>({
    mode: 'complete',
    data,
    initialFilter: NO_FILTER,
    filterFn: filterFleet,
    sortFn: sortFleet,
    initialSort: { column: 'entity', direction: 'ascending' },
    paginationOptions: { pageSize: PAGE_SIZE, pageSizeOptions: PAGE_SIZES },
  });
  const current = filter.value ?? NO_FILTER;
  const sort = tableProps.sort?.descriptor ?? null;

  const visibleEntities = (tableProps.data ?? []).map(
    row => row.application.entityRef,
  );
  const pending = usePendingChangeRequests(visibleEntities);
  const entityLink = useEntityRefLink();
  const columns = useMemo(
    () => fleetColumns(now, pending.byEntity, entityLink),
    [now, pending.byEntity, entityLink],
  );

  const [exported, exportCsv] = useAsyncFn(async () => {
    let rows = filterFleet(data, current);
    if (sort) rows = sortFleet(rows, sort);
    const results = await pending.load(
      rows.map(row => row.application.entityRef),
    );
    const csv = fleetCsv(rows, row => {
      const count = pendingCount(
        results.get(row.application.entityRef),
        row.application.name,
      );
      return count && !(count instanceof Error) ? count.count : undefined;
    });
    download(csv, 'gitops-fleet.csv');
    return rows.length;
  }, [data, current, sort, pending.load]);

  const options = (values: Array<string | undefined>) => [
    { id: ALL, label: 'All' },
    ...[...new Set(values.filter((v): v is string => Boolean(v)))]
      .sort()
      .map(value => ({ id: value, label: value })),
  ];
  const filterSelect = (
    key: keyof FleetFilter,
    label: string,
    values: Array<string | undefined>,
  ) => (
    <div style={{ width: FILTER_WIDTH }}>
      <Select
        label={label}
        options={options(values)}
        value={current[key]}
        onChange={value =>
          filter.onChange({ ...current, [key]: String(value ?? ALL) })
        }
      />
    </div>
  );

  return (
    <Flex direction="column" gap="3">
      <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
        {filterSelect(
          'owner',
          'Owner',
          data.map(row => row.owner),
        )}
        {filterSelect(
          'environment',
          'Environment',
          data.map(row => row.application.environment),
        )}
        {filterSelect('sync', 'Sync', [...SYNC_STATUSES])}
        {filterSelect('health', 'Health', [...HEALTH_STATUSES])}
        <Button
          variant="secondary"
          onPress={exportCsv}
          isPending={exported.loading}
        >
          Export CSV
        </Button>
      </Flex>
      {fleet.nextCursor && (
        <Text color="warning">
          Showing the first {fleet.items.length} of {fleet.totalItems}{' '}
          applications.
        </Text>
      )}
      {exported.error && <ResponseErrorPanel error={exported.error} />}
      <Table
        columnConfig={columns}
        {...tableProps}
        emptyState={
          <Text color="secondary">No application matches these filters.</Text>
        }
      />
    </Flex>
  );
}

function filterFleet(rows: FleetRow[], filter: FleetFilter): FleetRow[] {
  return rows.filter(
    row =>
      (filter.owner === ALL || row.owner === filter.owner) &&
      (filter.environment === ALL ||
        row.application.environment === filter.environment) &&
      (filter.sync === ALL || row.sync === filter.sync) &&
      (filter.health === ALL || row.health === filter.health),
  );
}

// Sync and health sort by severity, as listed in the contract, not by name.
const SORT_KEYS: Record<string, (row: FleetRow) => string | number> = {
  entity: row => `${row.application.entityRef}\u0000${row.application.name}`,
  owner: row => row.owner ?? '',
  environment: row => row.application.environment,
  sync: row => SYNC_STATUSES.indexOf(row.sync),
  health: row => HEALTH_STATUSES.indexOf(row.health),
  // Older drift is a larger age; no drift is the smallest.
  drift: row =>
    row.driftSince ? -Date.parse(row.driftSince) : Number.NEGATIVE_INFINITY,
};

function sortFleet(rows: FleetRow[], sort: SortDescriptor): FleetRow[] {
  const key = SORT_KEYS[String(sort.column)];
  if (!key) return rows;
  const direction = sort.direction === 'descending' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === y) return 0;
    if (typeof x === 'number' && typeof y === 'number') {
      return (x < y ? -1 : 1) * direction;
    }
    return String(x).localeCompare(String(y)) * direction;
  });
}

function fleetColumns(
  now: number,
  pending: Map<string, PendingResult>,
  entityLink: (entityRef: string) => string,
): ColumnConfig<FleetRow>[] {
  return [
    {
      id: 'entity',
      label: 'Entity',
      isRowHeader: true,
      isSortable: true,
      defaultWidth: '1.8fr',
      cell: row => (
        <CellText
          title={shortEntityRef(row.application.entityRef)}
          description={row.application.name}
          href={entityLink(row.application.entityRef)}
        />
      ),
    },
    {
      id: 'owner',
      label: 'Owner',
      isSortable: true,
      defaultWidth: '1.4fr',
      cell: row => <CellText title={row.owner ?? ''} />,
    },
    {
      id: 'environment',
      label: 'Environment',
      isSortable: true,
      cell: row => <CellText title={row.application.environment} />,
    },
    {
      id: 'sync',
      label: 'Sync',
      isSortable: true,
      cell: row => (
        <Cell>
          <SyncStatusLabel status={row.sync} />
        </Cell>
      ),
    },
    {
      id: 'health',
      label: 'Health',
      isSortable: true,
      cell: row => (
        <Cell>
          <HealthStatusLabel status={row.health} />
        </Cell>
      ),
    },
    {
      id: 'drift',
      label: 'Drift',
      isSortable: true,
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
      id: 'pending',
      label: 'Pending change requests',
      cell: row => {
        const count = pendingCount(
          pending.get(row.application.entityRef),
          row.application.name,
        );
        if (count instanceof Error) {
          return <CellText title="?" description={count.message} />;
        }
        if (!count) return <CellText title="…" color="secondary" />;
        return <CellText title={`${count.count}${count.more ? '+' : ''}`} />;
      },
    },
  ];
}

function download(text: string, filename: string) {
  const url = URL.createObjectURL(
    new Blob([text], { type: 'text/csv;charset=utf-8' }),
  );
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  URL.revokeObjectURL(url);
}

/** `shop-api` for a component in the default namespace, `kind:namespace/name` otherwise. */
function shortEntityRef(entityRef: string): string {
  try {
    const { kind, namespace, name } = parseEntityRef(entityRef, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    const local = namespace === 'default' ? name : `${namespace}/${name}`;
    return kind.toLocaleLowerCase('en-US') === 'component'
      ? local
      : `${kind.toLocaleLowerCase('en-US')}:${local}`;
  } catch {
    return entityRef;
  }
}
