import {
  StatusAborted,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type { ResourceSyncStatus } from '@backstage-gitops/plugin-gitops-common';
import type { ComponentType, PropsWithChildren } from 'react';

const INDICATORS: Record<
  ResourceSyncStatus,
  ComponentType<PropsWithChildren<{}>>
> = {
  Synced: StatusOK,
  OutOfSync: StatusWarning,
  Missing: StatusWarning,
  Extraneous: StatusWarning,
  Unknown: StatusAborted,
};

/** A sync status as a coloured dot and its name, the words Argo CD users know. */
export function SyncStatusLabel(props: { status: ResourceSyncStatus }) {
  const Indicator = INDICATORS[props.status] ?? StatusAborted;
  return <Indicator>{props.status}</Indicator>;
}
