import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  ApplicationDetailResponse,
  ChangePreview,
  ChangeRequest,
  ChangeRequestListResponse,
  ChangeRequestState,
  CreateChangeRequestBody,
  EntityStatusResponse,
  FleetResponse,
  HealthStatus,
  HistoryResponse,
  SyncRun,
  SyncRunListResponse,
  SyncStatus,
} from '@backstage-gitops/plugin-gitops-common';

/** A page of a list: pass the previous answer's `nextCursor` back to read further. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** Filters of the fleet; each narrows the answer on the backend. */
export interface FleetQuery extends PageRequest {
  owner?: string;
  system?: string;
  environment?: string;
  sync?: SyncStatus;
  health?: HealthStatus;
}

export interface ChangeRequestQuery extends PageRequest {
  entityRef?: string;
  state?: ChangeRequestState;
}

/** A change request as answered by submit: `created` is false when the idempotency key matched an earlier one. */
export interface SubmittedChangeRequest {
  changeRequest: ChangeRequest;
  created: boolean;
}

/** Reads GitOps status from the gitops backend and proposes changes through it; no call reaches a cluster directly. */
export interface GitOpsApi {
  /** The status of each application (one per environment) that deploys the entity. */
  getEntityStatus(entityRef: CompoundEntityRef): Promise<EntityStatusResponse>;
  /** One application's status with its resources and their field-level drift. */
  getApplication(name: string): Promise<ApplicationDetailResponse>;
  /** Verdict changes of one application, newest first; pass `nextCursor` back to read further. */
  getApplicationHistory(
    name: string,
    page?: PageRequest,
  ): Promise<HistoryResponse>;
  /** Syncs of one application, newest first. */
  listSyncRuns(name: string, page?: PageRequest): Promise<SyncRunListResponse>;
  /** Applies the application to its cluster now; the answer is the sync run just started. */
  syncApplication(name: string): Promise<SyncRun>;
  /** Every application the caller may read, with its entity's owner and system. */
  getFleet(query?: FleetQuery): Promise<FleetResponse>;
  /** What a change would do (files, rendered manifests, policy, windows, approvals); nothing is pushed. */
  previewChange(body: CreateChangeRequestBody): Promise<ChangePreview>;
  /** Proposes the change: a branch and a pull request on the config repo. */
  createChangeRequest(
    body: CreateChangeRequestBody,
  ): Promise<SubmittedChangeRequest>;
  /** Change requests, newest first. */
  listChangeRequests(
    query?: ChangeRequestQuery,
  ): Promise<ChangeRequestListResponse>;
  getChangeRequest(id: string): Promise<ChangeRequest>;
  approveChangeRequest(id: string): Promise<ChangeRequest>;
  mergeChangeRequest(id: string): Promise<ChangeRequest>;
  cancelChangeRequest(id: string): Promise<ChangeRequest>;
}

export const gitopsApiRef = createApiRef<GitOpsApi>().with({
  id: 'plugin.gitops.service',
  pluginId: 'gitops',
});
