import {
  HEALTH_STATUSES,
  RESOURCE_SYNC_STATUSES,
  type ResourceStatus,
} from '@backstage-gitops/plugin-gitops-common';
import {
  Cell,
  CellText,
  Flex,
  Select,
  Table,
  Text,
  useTable,
  type ColumnConfig,
} from '@backstage/ui';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';
import { resourceKey } from './resourceKey';

type ResourceRow = ResourceStatus & { id: string };
type ResourceFilter = { sync: string; health: string };

const ALL = 'all';
const PAGE_SIZE = 25;
const FILTER_WIDTH = 200;

const COLUMNS: ColumnConfig<ResourceRow>[] = [
  {
    id: 'kind',
    label: 'Kind',
    defaultWidth: '1.4fr',
    cell: row => <CellText title={row.ref.kind} description={row.apiVersion} />,
  },
  {
    id: 'name',
    label: 'Namespace/name',
    defaultWidth: '1.6fr',
    isRowHeader: true,
    cell: row => (
      <CellText
        title={
          row.ref.namespace
            ? `${row.ref.namespace}/${row.ref.name}`
            : row.ref.name
        }
      />
    ),
  },
  {
    id: 'sync',
    label: 'Sync',
    cell: row => (
      <Cell>
        <SyncStatusLabel status={row.sync} />
      </Cell>
    ),
  },
  {
    id: 'health',
    label: 'Health',
    cell: row => (
      <Cell>
        {row.health ? (
          <HealthStatusLabel status={row.health} />
        ) : (
          <Text color="secondary">n/a</Text>
        )}
      </Cell>
    ),
  },
  {
    id: 'message',
    label: 'Message',
    defaultWidth: '1.6fr',
    cell: row => (
      <Cell>
        <Text color="secondary">{row.healthMessage ?? ''}</Text>
      </Cell>
    ),
  },
];

const SYNC_OPTIONS = [
  { id: ALL, label: 'All' },
  ...RESOURCE_SYNC_STATUSES.map(status => ({ id: status, label: status })),
];
const HEALTH_OPTIONS = [
  { id: ALL, label: 'All' },
  ...HEALTH_STATUSES.map(status => ({ id: status, label: status })),
];

/** An application's resources with their sync and health, filterable by both. */
export function ResourcesTable(props: { resources: ResourceStatus[] }) {
  const data = props.resources.map(resource => ({
    ...resource,
    id: resourceKey(resource.ref),
  }));
  const { tableProps, filter } = useTable<ResourceRow, ResourceFilter>({
    mode: 'complete',
    data,
    initialFilter: { sync: ALL, health: ALL },
    filterFn: (rows, { sync, health }) =>
      rows.filter(
        row =>
          (sync === ALL || row.sync === sync) &&
          (health === ALL || (row.health ?? 'Unknown') === health),
      ),
    // Pagination controls only earn their space on large applications.
    paginationOptions:
      data.length > PAGE_SIZE ? { pageSize: PAGE_SIZE } : { type: 'none' },
  });
  const current = filter.value ?? { sync: ALL, health: ALL };

  return (
    <Flex direction="column" gap="3">
      <Flex gap="3">
        <div style={{ width: FILTER_WIDTH }}>
          <Select
            label="Sync"
            options={SYNC_OPTIONS}
            value={current.sync}
            onChange={key =>
              filter.onChange({ ...current, sync: String(key ?? ALL) })
            }
          />
        </div>
        <div style={{ width: FILTER_WIDTH }}>
          <Select
            label="Health"
            options={HEALTH_OPTIONS}
            value={current.health}
            onChange={key =>
              filter.onChange({ ...current, health: String(key ?? ALL) })
            }
          />
        </div>
      </Flex>
      <Table
        columnConfig={COLUMNS}
        {...tableProps}
        emptyState={
          <Text color="secondary">No resource matches these filters.</Text>
        }
      />
    </Flex>
  );
}
