import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type {
  ApplicationDetailResponse,
  EntityStatusResponse,
  HistoryResponse,
} from '@backstage-gitops/plugin-gitops-common';
import type { GitOpsApi } from './GitOpsApi';

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
    return this.request(
      `/entities/${segment(kind.toLocaleLowerCase('en-US'))}/${segment(
        namespace,
      )}/${segment(name)}/status`,
    );
  }

  getApplication(name: string): Promise<ApplicationDetailResponse> {
    return this.request(`/applications/${segment(name)}`);
  }

  getApplicationHistory(
    name: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<HistoryResponse> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.cursor !== undefined) query.set('cursor', page.cursor);
    const search = query.toString();
    return this.request(
      `/applications/${segment(name)}/history${search ? `?${search}` : ''}`,
    );
  }

  private async request<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function segment(value: string): string {
  return encodeURIComponent(value);
}
