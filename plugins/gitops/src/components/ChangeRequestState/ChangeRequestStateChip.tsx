import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import type { ChangeRequestState } from '@backstage-gitops/plugin-gitops-common';
import { Badge } from '@backstage/ui';
import type { ComponentType, PropsWithChildren } from 'react';

/** How each lifecycle state reads to a person. */
export const CHANGE_REQUEST_STATE_LABELS: Record<ChangeRequestState, string> = {
  draft: 'Draft',
  checked: 'Checked',
  'pr-open': 'PR open',
  merged: 'Merged',
  synced: 'Synced',
  healthy: 'Healthy',
  rejected: 'Rejected',
  closed: 'Closed',
  failed: 'Failed',
};

const INDICATORS: Record<
  ChangeRequestState,
  ComponentType<PropsWithChildren<{}>>
> = {
  draft: StatusPending,
  checked: StatusPending,
  'pr-open': StatusRunning,
  merged: StatusRunning,
  synced: StatusRunning,
  healthy: StatusOK,
  rejected: StatusError,
  closed: StatusAborted,
  failed: StatusError,
};

/** A change request's state as a chip: a coloured dot and the state's name. */
export function ChangeRequestStateChip(props: { state: ChangeRequestState }) {
  const { state } = props;
  const Indicator = INDICATORS[state] ?? StatusAborted;
  return (
    <Badge size="small">
      <Indicator>{CHANGE_REQUEST_STATE_LABELS[state] ?? state}</Indicator>
    </Badge>
  );
}
