import type { KubeRequestOptions } from './KubeHttpClient';

/** What REST path serves a kind: its plural and whether it lives in namespaces. */
export interface KubeResource {
  apiVersion: string;
  /** `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface KubeDiscoveryOptions {
  /** A lookup that misses refreshes at most this often, so a kind that never appears cannot flood the server. */
  minRefreshIntervalMs?: number;
  /** Set false to read per-group-version documents, for servers without aggregated discovery (before 1.27). */
  aggregated?: boolean;
}

type Requester = {
  request<T>(
    method: string,
    path: string,
    options?: KubeRequestOptions,
  ): Promise<T>;
};

interface AggregatedDiscovery {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{
        resource?: string;
        responseKind?: { kind?: string };
        scope?: string;
      }>;
    }>;
  }>;
}

interface ResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

const FALLBACK_CONCURRENCY = 8;

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/**
 * Maps apiVersion + kind to the resource serving it, from `/api` and `/apis`. The map is cached and
 * refreshed when a kind is missing, since CRDs appear after start.
 */
export class KubeDiscovery {
  private kinds: Map<string, KubeResource> | undefined;
  private loading: Promise<Map<string, KubeResource>> | undefined;
  private loadedAt = 0;
  private readonly minRefreshIntervalMs: number;
  private readonly aggregated: boolean;

  constructor(
    private readonly client: Requester,
    options: KubeDiscoveryOptions = {},
  ) {
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 2000;
    this.aggregated = options.aggregated ?? true;
  }

  /** The resource serving a kind, or undefined when the server does not serve it (even after a refresh). */
  async resolve(
    apiVersion: string,
    kind: string,
  ): Promise<KubeResource | undefined> {
    const key = kindKey(apiVersion, kind);
    const known = (this.kinds ?? (await this.refresh())).get(key);
    if (known) return known;
    if (Date.now() - this.loadedAt < this.minRefreshIntervalMs)
      return undefined;
    return (await this.refresh()).get(key);
  }

  /** Reads discovery again; concurrent callers share one round of requests. */
  refresh(): Promise<Map<string, KubeResource>> {
    if (!this.loading) {
      this.loading = this.load()
        .then(kinds => {
          this.kinds = kinds;
          this.loadedAt = Date.now();
          return kinds;
        })
        .finally(() => {
          this.loading = undefined;
        });
    }
    return this.loading;
  }

  private async load(): Promise<Map<string, KubeResource>> {
    const kinds = new Map<string, KubeResource>();
    for (const root of ['/api', '/apis']) {
      if (this.aggregated) {
        const document = await this.client.request<AggregatedDiscovery>(
          'GET',
          root,
          {
            accept: AGGREGATED_ACCEPT,
          },
        );
        if (document.kind === 'APIGroupDiscoveryList') {
          this.addAggregated(kinds, document);
          continue;
        }
      }
      await this.addPerGroupVersion(kinds, root);
    }
    return kinds;
  }

  private addAggregated(
    kinds: Map<string, KubeResource>,
    document: AggregatedDiscovery,
  ) {
    for (const group of document.items ?? []) {
      const groupName = group.metadata?.name ?? '';
      for (const { version, resources } of group.versions ?? []) {
        const apiVersion = groupName ? `${groupName}/${version}` : version;
        for (const resource of resources ?? []) {
          const kind = resource.responseKind?.kind;
          if (!kind || !resource.resource) continue;
          const key = kindKey(apiVersion, kind);
          // A kind served twice (a legacy alias) keeps its first, canonical plural.
          if (kinds.has(key)) continue;
          kinds.set(key, {
            apiVersion,
            group: groupName,
            version,
            kind,
            plural: resource.resource,
            namespaced: resource.scope === 'Namespaced',
          });
        }
      }
    }
  }

  private async addPerGroupVersion(
    kinds: Map<string, KubeResource>,
    root: string,
  ) {
    const groupVersions: string[] = [];
    if (root === '/api') {
      const core = await this.client.request<{ versions?: string[] }>(
        'GET',
        root,
      );
      groupVersions.push(...(core.versions ?? []));
    } else {
      const groups = await this.client.request<{
        groups?: Array<{ versions?: Array<{ groupVersion: string }> }>;
      }>('GET', root);
      for (const group of groups.groups ?? []) {
        groupVersions.push(...(group.versions ?? []).map(v => v.groupVersion));
      }
    }
    const queue = [...groupVersions];
    const worker = async () => {
      for (
        let apiVersion = queue.shift();
        apiVersion;
        apiVersion = queue.shift()
      ) {
        let list: ResourceList;
        try {
          list = await this.client.request<ResourceList>(
            'GET',
            `${root}/${apiVersion}`,
          );
        } catch {
          // An aggregated API server that is down hides only its own group, as kubectl does.
          continue;
        }
        const slash = apiVersion.indexOf('/');
        const group = slash < 0 ? '' : apiVersion.slice(0, slash);
        const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
        for (const resource of list.resources ?? []) {
          if (resource.name.includes('/')) continue;
          const key = kindKey(apiVersion, resource.kind);
          if (kinds.has(key)) continue;
          kinds.set(key, {
            apiVersion,
            group,
            version,
            kind: resource.kind,
            plural: resource.name,
            namespaced: resource.namespaced,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: FALLBACK_CONCURRENCY }, worker));
  }
}
