import { CustomErrorBase } from '@backstage/errors';
import type { ChangeRequestState } from '@backstage-gitops/plugin-gitops-common';

/** A change request ended in `rejected`, `closed` or `failed`: retrying the same step will not help. */
export class ChangeRequestFailedError extends CustomErrorBase {
  name = 'ChangeRequestFailedError' as const;

  constructor(
    readonly changeRequestId: string,
    readonly state: ChangeRequestState,
    reason: string | undefined,
  ) {
    super(
      `Change request ${changeRequestId} was ${state}${
        reason ? `: ${reason}` : ' (no reason given)'
      }`,
    );
  }
}
