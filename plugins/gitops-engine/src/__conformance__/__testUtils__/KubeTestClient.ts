import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { KubeStatus } from '../../diff/serverDryRun';
import type { OpenApiV3Document } from '../../schema/kindsFromOpenApi';
import type { KubeObject } from '../../types';
import { groupOf } from '../../types';
import { parseYaml } from '../../yaml/parseYaml';

/** The field manager the engine applies with. */
export const GITOPS_MANAGER = 'backstage-gitops';

/** What kubectl v1.36 sends; the server names a manager after it when a request carries no `fieldManager`. */
export const KUBECTL_USER_AGENT =
  'kubectl/v1.36.3 (linux/amd64) kubernetes/$Format';

const OUR_USER_AGENT = 'gitops-engine-conformance';

export type PatchType = 'apply' | 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** Identifies one object: what `resourcePath` needs to build its URL. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
}

/** A non-2xx answer, shaped the way the engine's `classifyDryRunError` reads it. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: KubeStatus,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${statusCode}: ${body.message ?? ''}`);
    this.name = 'KubeApiError';
  }
}

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  userAgent?: string;
}

interface KubeconfigDocument {
  clusters?: { name: string; cluster: Record<string, string> }[];
  users?: { name: string; user: Record<string, string> }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

const CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The collection an object is created in: the same reference without its name. */
function collectionOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { namespace: obj.metadata.namespace },
  };
}

/**
 * `target` with the annotation client-side apply records: the applied config as JSON, without the
 * annotation itself (kubectl leaves `annotations: {}` behind) and with a trailing newline.
 */
function withLastApplied(target: KubeObject, config: KubeObject): KubeObject {
  const { [LAST_APPLIED]: _previous, ...annotations } =
    config.metadata.annotations ?? {};
  const recorded = { ...config, metadata: { ...config.metadata, annotations } };
  return {
    ...target,
    metadata: {
      ...target.metadata,
      annotations: {
        ...target.metadata?.annotations,
        [LAST_APPLIED]: `${JSON.stringify(recorded)}\n`,
      },
    },
  };
}

/**
 * A test-only Kubernetes client on node:https: raw JSON in and out, so no typed model drops a field.
 * It refuses any server that is not on loopback.
 */
export class KubeTestClient {
  private readonly agent: Agent;
  private readonly discovery = new Map<string, DiscoveredResource[]>();

  private constructor(
    private readonly server: URL,
    private readonly token: string,
    ca: Buffer,
  ) {
    if (server.hostname !== '127.0.0.1') {
      throw new Error(
        `refusing non-loopback API server ${server.hostname} in a test`,
      );
    }
    // An explicit agent also keeps any proxy configured in the environment out of loopback traffic.
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 8 });
  }

  /** Reads server, CA and bearer token of the current context, the way start.sh writes them. */
  static fromKubeconfig(file: string): KubeTestClient {
    const [doc] = parseYaml(readFileSync(file, 'utf8'), { file });
    const config = doc.value as KubeconfigDocument;
    const context = config.contexts?.find(
      c => c.name === config['current-context'],
    )?.context;
    const cluster = config.clusters?.find(
      c => c.name === context?.cluster,
    )?.cluster;
    const user = config.users?.find(u => u.name === context?.user)?.user;
    if (!cluster?.server || !cluster['certificate-authority-data']) {
      throw new Error(`${file}: no server or CA in the current context`);
    }
    if (!user?.token) throw new Error(`${file}: no bearer token`);
    return new KubeTestClient(
      new URL(cluster.server),
      user.token,
      Buffer.from(cluster['certificate-authority-data'], 'base64'),
    );
  }

  close(): void {
    this.agent.destroy();
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = new URL(path, this.server);
    for (const [name, value] of Object.entries(options.query ?? {}))
      url.searchParams.set(name, value);
    const payload =
      options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: 'application/json',
      'User-Agent': options.userAgent ?? OUR_USER_AGENT,
    };
    if (payload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const { statusCode, text } = await new Promise<{
      statusCode: number;
      text: string;
    }>((resolve, reject) => {
      const req = request(
        url,
        { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: timed out`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = { message: text };
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw new KubeApiError(
        statusCode,
        (body ?? {}) as KubeStatus,
        method,
        url.pathname + url.search,
      );
    }
    return body as T;
  }

  /** The API resources of a group/version; looked up again once when a kind is missing (a new CRD). */
  private async resourcesOf(
    apiVersion: string,
    refresh: boolean,
  ): Promise<DiscoveredResource[]> {
    const cached = this.discovery.get(apiVersion);
    if (cached && !refresh) return cached;
    const path =
      groupOf(apiVersion) === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`;
    const list = await this.request<{ resources: DiscoveredResource[] }>(
      'GET',
      path,
    );
    const resources = list.resources.filter(r => !r.name.includes('/'));
    this.discovery.set(apiVersion, resources);
    return resources;
  }

  /** Plural and scope of a kind, from discovery. */
  async resourceOf(
    apiVersion: string,
    kind: string,
  ): Promise<DiscoveredResource> {
    let found = (await this.resourcesOf(apiVersion, false)).find(
      r => r.kind === kind,
    );
    if (!found)
      found = (await this.resourcesOf(apiVersion, true)).find(
        r => r.kind === kind,
      );
    if (!found)
      throw new Error(`discovery: ${apiVersion} serves no kind ${kind}`);
    return found;
  }

  /** URL path of an object (or of its collection when it has no name), optionally a subresource. */
  async resourcePath(
    ref: ObjectRef,
    options: { defaultNamespace?: string; subresource?: string } = {},
  ): Promise<string> {
    const resource = await this.resourceOf(ref.apiVersion, ref.kind);
    const base =
      groupOf(ref.apiVersion) === ''
        ? `/api/${ref.apiVersion}`
        : `/apis/${ref.apiVersion}`;
    let path = base;
    if (resource.namespaced) {
      const namespace = ref.metadata.namespace ?? options.defaultNamespace;
      if (!namespace)
        throw new Error(`${ref.kind} ${ref.metadata.name} needs a namespace`);
      path += `/namespaces/${encodeURIComponent(namespace)}`;
    }
    path += `/${resource.name}`;
    if (ref.metadata.name) path += `/${encodeURIComponent(ref.metadata.name)}`;
    if (options.subresource) path += `/${options.subresource}`;
    return path;
  }

  /** Server-side apply with our field manager and `force=true`, JSON body; `dryRun` adds `dryRun=All`. */
  async apply(
    obj: KubeObject,
    options: {
      fieldManager?: string;
      dryRun?: boolean;
      defaultNamespace?: string;
    } = {},
  ): Promise<KubeObject> {
    const query: Record<string, string> = {
      fieldManager: options.fieldManager ?? GITOPS_MANAGER,
      force: 'true',
    };
    if (options.dryRun) query.dryRun = 'All';
    const path = await this.resourcePath(obj, options);
    return this.request<KubeObject>('PATCH', path, {
      query,
      body: obj,
      contentType: PATCH_CONTENT_TYPES.apply,
    });
  }

  async get(ref: ObjectRef, defaultNamespace?: string): Promise<KubeObject> {
    return this.request<KubeObject>(
      'GET',
      await this.resourcePath(ref, { defaultNamespace }),
    );
  }

  async delete(ref: ObjectRef, defaultNamespace?: string): Promise<void> {
    await this.request(
      'DELETE',
      await this.resourcePath(ref, { defaultNamespace }),
      {
        query: { propagationPolicy: 'Background' },
      },
    );
  }

  /** A PATCH as kubectl sends it: its user agent, and `fieldManager` only when kubectl names one. */
  async kubectlPatch(
    ref: ObjectRef,
    type: PatchType,
    patch: unknown,
    options: {
      fieldManager?: string;
      subresource?: string;
      fieldValidation?: 'Strict';
    } = {},
  ): Promise<KubeObject> {
    const query: Record<string, string> = {};
    if (options.fieldManager) query.fieldManager = options.fieldManager;
    if (options.fieldValidation)
      query.fieldValidation = options.fieldValidation;
    return this.request<KubeObject>(
      'PATCH',
      await this.resourcePath(ref, { subresource: options.subresource }),
      {
        query,
        body: patch,
        contentType: PATCH_CONTENT_TYPES[type],
        userAgent: KUBECTL_USER_AGENT,
      },
    );
  }

  /** `kubectl edit`: a strategic-merge patch of what the editor changed, strict field validation. */
  kubectlEdit(ref: ObjectRef, patch: unknown): Promise<KubeObject> {
    return this.kubectlPatch(ref, 'strategic', patch, {
      fieldManager: 'kubectl-edit',
      fieldValidation: 'Strict',
    });
  }

  /** `kubectl label`: a merge patch of `metadata.labels`; `null` removes a label. */
  kubectlLabel(
    ref: ObjectRef,
    labels: Record<string, string | null>,
  ): Promise<KubeObject> {
    return this.kubectlPatch(
      ref,
      'merge',
      { metadata: { labels } },
      { fieldManager: 'kubectl-label' },
    );
  }

  /** `kubectl scale`: a merge patch of the scale subresource, sent without a `fieldManager`. */
  kubectlScale(ref: ObjectRef, replicas: number): Promise<KubeObject> {
    return this.kubectlPatch(
      ref,
      'merge',
      { spec: { replicas } },
      { subresource: 'scale' },
    );
  }

  /** `kubectl replace`: a PUT of the whole object, as read and then edited. */
  async kubectlReplace(obj: KubeObject): Promise<KubeObject> {
    return this.request<KubeObject>('PUT', await this.resourcePath(obj), {
      query: { fieldManager: 'kubectl-replace' },
      body: obj,
      userAgent: KUBECTL_USER_AGENT,
    });
  }

  /** `kubectl create -f`: a POST of the object. */
  async kubectlCreate(obj: KubeObject): Promise<KubeObject> {
    return this.request<KubeObject>(
      'POST',
      await this.resourcePath(collectionOf(obj)),
      {
        query: { fieldManager: 'kubectl-create', fieldValidation: 'Strict' },
        body: obj,
        userAgent: KUBECTL_USER_AGENT,
      },
    );
  }

  /** Client-side `kubectl apply` of a new object: a POST carrying the last-applied annotation. */
  async kubectlApplyCreate(obj: KubeObject): Promise<KubeObject> {
    return this.request<KubeObject>(
      'POST',
      await this.resourcePath(collectionOf(obj)),
      {
        query: {
          fieldManager: CLIENT_SIDE_APPLY_MANAGER,
          fieldValidation: 'Strict',
        },
        body: withLastApplied(obj, obj),
        userAgent: KUBECTL_USER_AGENT,
      },
    );
  }

  /**
   * Client-side `kubectl apply` of `config` to an existing object: the strategic-merge `patch` kubectl
   * computed, plus the new last-applied annotation.
   */
  kubectlApplyPatch(
    config: KubeObject,
    patch: Record<string, unknown>,
  ): Promise<KubeObject> {
    const annotated = withLastApplied({ ...patch } as KubeObject, config);
    return this.kubectlPatch(config, 'strategic', annotated, {
      fieldManager: CLIENT_SIDE_APPLY_MANAGER,
      fieldValidation: 'Strict',
    });
  }

  /** The cluster's OpenAPI v3 document of one group/version, as `SchemaRegistry.withOpenApiV3` reads it. */
  openApiV3(apiVersion: string): Promise<OpenApiV3Document> {
    const path =
      groupOf(apiVersion) === ''
        ? `/openapi/v3/api/${apiVersion}`
        : `/openapi/v3/apis/${apiVersion}`;
    return this.request<OpenApiV3Document>('GET', path);
  }
}
