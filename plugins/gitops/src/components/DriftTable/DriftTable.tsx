import type {
  DriftRecord,
  ResourceStatus,
} from '@backstage-gitops/plugin-gitops-common';
import {
  Cell,
  CellText,
  Flex,
  Table,
  Text,
  type ColumnConfig,
} from '@backstage/ui';
import { useMemo, type ReactNode } from 'react';
import { RelativeTime } from '../format/RelativeTime';

type DriftRow = DriftRecord & { id: string };

const TYPE_LABELS: Record<DriftRecord['type'], string> = {
  changed: 'changed in the cluster',
  'missing-in-live': 'missing in the cluster',
  'removed-from-git': 'removed from Git, still live',
  'added-in-live': 'added in the cluster',
};

/** What can be done about one drifted field (sync it back, codify it); shown in a last column. */
export type DriftActions = (
  drift: DriftRecord,
  resource: ResourceStatus,
) => ReactNode;

/** One resource's drift, field by field: what Git says beside what the cluster has. */
export function DriftTable(props: {
  resource: ResourceStatus;
  now: number;
  actions?: DriftActions;
}) {
  const { resource, now, actions } = props;
  const { ref } = resource;
  const name = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  const columns = useMemo(() => {
    const base = driftColumns(now);
    if (!actions) return base;
    const actionsColumn: ColumnConfig<DriftRow> = {
      id: 'actions',
      label: 'Actions',
      defaultWidth: '1.6fr',
      cell: drift => <Cell>{actions(drift, resource)}</Cell>,
    };
    return [...base, actionsColumn];
  }, [now, actions, resource]);
  const rows = resource.drifts.map(drift => ({
    ...drift,
    id: `${drift.type}:${drift.path}`,
  }));
  return (
    <Flex direction="column" gap="2">
      <Text as="h4" variant="title-x-small">
        {ref.kind} {name}
      </Text>
      <Table columnConfig={columns} data={rows} pagination={{ type: 'none' }} />
    </Flex>
  );
}

function driftColumns(now: number): ColumnConfig<DriftRow>[] {
  return [
    {
      id: 'path',
      label: 'Path',
      isRowHeader: true,
      defaultWidth: '2fr',
      // The path is the point of the row, so it wraps instead of truncating.
      cell: drift => (
        <Cell>
          <Flex direction="column" gap="1">
            <code style={{ wordBreak: 'break-all' }}>{drift.path}</code>
            <Text variant="body-small" color="secondary">
              {TYPE_LABELS[drift.type]}
            </Text>
          </Flex>
        </Cell>
      ),
    },
    {
      id: 'desired',
      label: 'Desired (Git)',
      defaultWidth: '1.5fr',
      cell: drift => (
        <Cell>
          <DriftValue drift={drift} side="desired" />
        </Cell>
      ),
    },
    {
      id: 'live',
      label: 'Live (cluster)',
      defaultWidth: '1.5fr',
      cell: drift => (
        <Cell>
          <DriftValue drift={drift} side="live" />
        </Cell>
      ),
    },
    {
      id: 'cause',
      label: 'Cause',
      cell: drift => (
        <CellText
          title={drift.manager ?? 'unknown'}
          description={drift.manager ? 'field manager' : undefined}
        />
      ),
    },
    {
      id: 'firstSeen',
      label: 'First seen',
      cell: drift => (
        <Cell>
          <RelativeTime at={drift.firstSeenAt} now={now} />
        </Cell>
      ),
    },
  ];
}

function DriftValue(props: { drift: DriftRecord; side: 'desired' | 'live' }) {
  const { drift, side } = props;
  // The backend never sends Secret values; say that it changed without implying what it was.
  if (drift.sensitive) {
    return (
      <Text color="secondary">
        {side === 'live' ? 'changed (hidden)' : 'hidden'}
      </Text>
    );
  }
  const value = side === 'desired' ? drift.desired : drift.live;
  if (value === undefined) {
    return (
      <Text color="secondary">{side === 'live' ? 'absent' : 'not in Git'}</Text>
    );
  }
  return (
    <code style={{ wordBreak: 'break-all' }}>
      {typeof value === 'string' ? value : JSON.stringify(value)}
    </code>
  );
}
