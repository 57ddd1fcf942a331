import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type {
  ApplicationDetailResponse,
  AuditLogResponse,
  DoraMetricsResponse,
  DriftMetricsResponse,
  ChangePreview,
  ChangeRequest,
  ChangeRequestListResponse,
  CreateChangeRequestBody,
  EntityStatusBatchResponse,
  EntityStatusResponse,
  EnvironmentListResponse,
  FleetResponse,
  HistoryResponse,
  SyncRun,
  SyncRunListResponse,
} from '@backstage-gitops/plugin-gitops-common';
import type {
  AuditLogQuery,
  ChangeRequestQuery,
  DoraMetricsQuery,
  MetricsQuery,
  FleetQuery,
  GitOpsApi,
  PageRequest,
  SubmittedChangeRequest,
} from './GitOpsApi';

/** The {@link GitOpsApi} over the gitops backend's REST API. */
export class GitOpsClient implements GitOpsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getEntityStatus(entityRef: CompoundEntityRef): Promise<EntityStatusResponse> {
    const { kind, namespace, name } = entityRef;
    return this.get(
      `/entities/${segment(kind.toLocaleLowerCase('en-US'))}/${segment(
        namespace,
      )}/${segment(name)}/status`,
    );
  }

  getApplication(name: string): Promise<ApplicationDetailResponse> {
    return this.get(`/applications/${segment(name)}`);
  }

  getApplicationHistory(
    name: string,
    page: PageRequest = {},
  ): Promise<HistoryResponse> {
    return this.get(
      `/applications/${segment(name)}/history${query({ ...pageParams(page) })}`,
    );
  }

  listSyncRuns(
    name: string,
    page: PageRequest = {},
  ): Promise<SyncRunListResponse> {
    return this.get(
      `/applications/${segment(name)}/syncs${query({ ...pageParams(page) })}`,
    );
  }

  async syncApplication(name: string): Promise<SyncRun> {
    const { body } = await this.send<SyncRun>(
      'POST',
      `/applications/${segment(name)}/sync`,
    );
    return body;
  }

  getFleet(fleetQuery: FleetQuery = {}): Promise<FleetResponse> {
    const { owner, system, environment, sync, health } = fleetQuery;
    return this.get(
      `/fleet${query({
        owner,
        system,
        environment,
        sync,
        health,
        ...pageParams(fleetQuery),
      })}`,
    );
  }

  async previewChange(body: CreateChangeRequestBody): Promise<ChangePreview> {
    return (await this.send<ChangePreview>('POST', '/changes/preview', body))
      .body;
  }

  async createChangeRequest(
    body: CreateChangeRequestBody,
  ): Promise<SubmittedChangeRequest> {
    const response = await this.send<ChangeRequest>('POST', '/changes', body);
    // 200 instead of 201: the idempotency key matched a request made before.
    return { changeRequest: response.body, created: response.status === 201 };
  }

  listChangeRequests(
    changeQuery: ChangeRequestQuery = {},
  ): Promise<ChangeRequestListResponse> {
    const { entityRef, state } = changeQuery;
    return this.get(
      `/changes${query({ entityRef, state, ...pageParams(changeQuery) })}`,
    );
  }

  getChangeRequest(id: string): Promise<ChangeRequest> {
    return this.get(`/changes/${segment(id)}`);
  }

  approveChangeRequest(id: string): Promise<ChangeRequest> {
    return this.changeRequestAction(id, 'approve');
  }

  mergeChangeRequest(id: string): Promise<ChangeRequest> {
    return this.changeRequestAction(id, 'merge');
  }

  cancelChangeRequest(id: string): Promise<ChangeRequest> {
    return this.changeRequestAction(id, 'cancel');
  }

  listEnvironments(): Promise<EnvironmentListResponse> {
    return this.get('/environments');
  }

  async getEntityStatuses(
    entityRefs: string[],
  ): Promise<EntityStatusBatchResponse> {
    return (
      await this.send<EntityStatusBatchResponse>(
        'POST',
        '/entities/status:batch',
        { entityRefs },
      )
    ).body;
  }

  private async changeRequestAction(
    id: string,
    action: 'approve' | 'merge' | 'cancel',
  ): Promise<ChangeRequest> {
    return (
      await this.send<ChangeRequest>(
        'POST',
        `/changes/${segment(id)}/${action}`,
      )
    ).body;
  }

  getDoraMetrics(
    metricsQuery: DoraMetricsQuery = {},
  ): Promise<DoraMetricsResponse> {
    const { from, to, entityRef, environment } = metricsQuery;
    return this.get(
      `/metrics/dora${query({ from, to, entityRef, environment })}`,
    );
  }

  getDriftMetrics(
    metricsQuery: MetricsQuery = {},
  ): Promise<DriftMetricsResponse> {
    const { from, to, environment } = metricsQuery;
    return this.get(`/metrics/drift${query({ from, to, environment })}`);
  }

  listAuditEntries(auditQuery: AuditLogQuery = {}): Promise<AuditLogResponse> {
    const { entityRef, actor } = auditQuery;
    return this.get(
      `/audit${query({ entityRef, actor, ...pageParams(auditQuery) })}`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  private async send<T>(
    method: 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return { status: response.status, body: (await response.json()) as T };
  }
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

function pageParams(page: PageRequest) {
  return {
    limit: page.limit === undefined ? undefined : String(page.limit),
    cursor: page.cursor,
  };
}

/** `?a=1&b=2` of the defined values, or nothing at all. */
function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
