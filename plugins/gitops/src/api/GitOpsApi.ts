import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  ApplicationDetailResponse,
  AuditLogResponse,
  DoraMetricsResponse,
  DriftMetricsResponse,
  ChangePreview,
  ChangeRequest,
  ChangeRequestListResponse,
  ChangeRequestState,
  CreateChangeRequestBody,
  EntityStatusBatchResponse,
  EntityStatusResponse,
  EnvironmentListResponse,
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

/** The range and scope of delivery metrics; `to` defaults to now and `from` to 30 days before it. */
export interface MetricsQuery {
  /** ISO 8601 date or timestamp, inclusive. */
  from?: string;
  /** ISO 8601 date or timestamp, exclusive; at most 365 days after `from`. */
  to?: string;
  environment?: string;
}

export interface DoraMetricsQuery extends MetricsQuery {
  /** Only this entity's applications; needs read access to the entity instead of to the fleet. */
  entityRef?: string;
}

export interface AuditLogQuery extends PageRequest {
  entityRef?: string;
  /** Only what this user did (`user:default/alice`). */
  actor?: string;
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
  /** The environments of the applications the caller may read, dev-like first; needs `gitops.fleet.read`. */
  listEnvironments(): Promise<EnvironmentListResponse>;
  /** Sync and health per environment of up to 200 entities in one request: a page of the catalog table. */
  getEntityStatuses(entityRefs: string[]): Promise<EntityStatusBatchResponse>;
  /** Deployment frequency, lead time, change failure rate and time to restore, with their trend. */
  getDoraMetrics(query?: DoraMetricsQuery): Promise<DoraMetricsResponse>;
  /** Per day, how many applications drifted or were OutOfSync; needs `gitops.fleet.read`. */
  getDriftMetrics(query?: MetricsQuery): Promise<DriftMetricsResponse>;
  /** Who requested, approved, merged and cancelled change requests and who asked for syncs, newest first. */
  listAuditEntries(query?: AuditLogQuery): Promise<AuditLogResponse>;
}

export const gitopsApiRef = createApiRef<GitOpsApi>().with({
  id: 'plugin.gitops.service',
  pluginId: 'gitops',
});
