import { InputError } from '@backstage/errors';
import type {
  DryRunClient,
  KubeObject,
  KubeStatus,
} from '@backstage-gitops/gitops-engine';
import type { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import { JsonLineDecoder } from './JsonLineDecoder';
import { KubeApiError } from './KubeApiError';
import { KubeDiscovery, type KubeDiscoveryOptions } from './KubeDiscovery';
import { resourcePath } from './resourcePath';

export type KubeQuery = Record<string, string | number | boolean | undefined>;

export interface KubeRequestOptions {
  query?: KubeQuery;
  /** Sent as JSON (a string is sent as is). */
  body?: unknown;
  /** Default `application/json` when there is a body. */
  contentType?: string;
  accept?: string;
  /** For the whole exchange, headers and body; default the client's `timeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface KubeListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; each page is one request. Default 500. */
  limit?: number;
  signal?: AbortSignal;
}

export interface KubeListPage {
  /** Items carry apiVersion and kind even where the server leaves them out of list items. */
  items: KubeObject[];
  /** The list's resourceVersion: watch from here to see every change after this page's snapshot. */
  resourceVersion: string;
}

export interface KubeWatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Default true: bookmarks keep the resume point fresh, so a restarted watch rarely hits 410. */
  allowWatchBookmarks?: boolean;
  /** The server ends the watch cleanly after this long. */
  timeoutSeconds?: number;
  /** Ends the watch; `watch` then resolves. */
  signal?: AbortSignal;
  /** Called once the server accepted the watch (HTTP 200), before any event. */
  onOpen?(): void;
}

export interface KubeWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

export interface KubeApplyOptions {
  fieldManager: string;
  /** Take over fields other managers own instead of failing with a conflict. */
  force?: boolean;
  /** `dryRun=All`: the server validates, defaults and admits, and returns what it would store. */
  dryRun?: boolean;
}

export interface KubeHttpClientOptions {
  /** Timeout of a non-watch request. Default 30 s. */
  timeoutMs?: number;
  /** Largest response body accepted (a LIST page of big objects). Default 256 MiB. */
  maxResponseBytes?: number;
  discovery?: KubeDiscoveryOptions;
}

export interface KubeHttpClientStats {
  /** Every HTTP request sent, watches included. */
  requests: number;
  /** LIST pages. */
  lists: number;
  /** WATCH requests. */
  watches: number;
  /** Watches streaming right now. */
  openWatches: number;
}

/** How long past its server-side timeout a watch may stay silent before we assume the connection is dead. */
const WATCH_GRACE_MS = 30_000;
/** Server-side watch timeout when the caller gives none; the API server's own default is 30-60 min. */
const DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;
const MAX_LIST_PAGES = 100_000;

/** Swallows an error a finished exchange's socket may still emit; the caller has its answer. */
function ignoreLateError(): void {}

function queryString(query: KubeQuery | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Kubernetes over plain HTTP(S) with a client-node `KubeConfig` for auth and TLS. Objects go in and
 * out as plain JSON, never through client-node's typed models, which drop fields they do not know.
 */
export class KubeHttpClient implements DryRunClient {
  /** Maps apiVersion + kind to plural and scope. */
  readonly discovery: KubeDiscovery;
  readonly server: URL;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly agent: http.Agent | undefined;
  private readonly counters: KubeHttpClientStats = {
    requests: 0,
    lists: 0,
    watches: 0,
    openWatches: 0,
  };

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: KubeHttpClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.server) {
      throw new InputError(
        'the kubeconfig has no current cluster with a server',
      );
    }
    this.server = new URL(cluster.server);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
    // client-node's agent does not keep connections alive; ours does (TLS settings travel with each request).
    // Behind a proxy we keep client-node's proxy agent.
    if (!cluster.proxyUrl) {
      this.agent =
        this.server.protocol === 'http:'
          ? new http.Agent({ keepAlive: true })
          : new https.Agent({ keepAlive: true });
    }
    this.discovery = new KubeDiscovery(this, options.discovery);
  }

  stats(): KubeHttpClientStats {
    return { ...this.counters };
  }

  /** Closes idle keep-alive connections; open watches end on their own or by their signal. */
  close(): void {
    this.agent?.destroy();
  }

  /** One request with a JSON answer; non-2xx answers and network failures throw `KubeApiError`. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: KubeRequestOptions = {},
  ): Promise<T> {
    const target = `${path}${queryString(options.query)}`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const { request, payload } = await this.prepare(method, target, options);
    if (options.signal?.aborted) {
      throw new KubeApiError(`${method} ${path} was aborted`);
    }
    const maxResponseBytes = this.maxResponseBytes;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // Assigned below; the handlers declared first read them.
      const io: {
        req?: http.ClientRequest;
        response?: http.IncomingMessage;
        timer?: NodeJS.Timeout;
      } = {};
      const chunks: Buffer[] = [];
      let size = 0;

      function settle(error: unknown, value?: T) {
        if (settled) return;
        settled = true;
        clearTimeout(io.timer);
        options.signal?.removeEventListener('abort', onAbort);
        // A keep-alive socket outlives the exchange and keeps req and res reachable; our listeners would
        // keep this promise and its result (a whole LIST page) alive with them.
        io.req?.off('error', onError);
        io.req?.on('error', ignoreLateError);
        io.response?.off('data', onData);
        io.response?.off('end', onEnd);
        io.response?.off('error', onError);
        if (error) reject(error);
        else resolve(value as T);
      }
      function fail(error: KubeApiError) {
        io.req?.destroy();
        settle(error);
      }
      function onData(chunk: Buffer) {
        size += chunk.length;
        if (size > maxResponseBytes) {
          fail(
            new KubeApiError(
              `${method} ${path}: answer larger than ${maxResponseBytes} bytes`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      }
      function onEnd() {
        const body = Buffer.concat(chunks).toString('utf8');
        chunks.length = 0;
        const status = io.response?.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          settle(KubeApiError.fromResponse(method, path, status, body));
          return;
        }
        try {
          settle(undefined, (body ? JSON.parse(body) : undefined) as T);
        } catch (error) {
          settle(
            new KubeApiError(
              `${method} ${path}: answer is not JSON`,
              status,
              undefined,
              error,
            ),
          );
        }
      }
      function onError(error: Error) {
        settle(KubeApiError.unreachable(error));
      }
      function onAbort() {
        fail(new KubeApiError(`${method} ${path} was aborted`));
      }

      io.timer = setTimeout(
        () =>
          fail(
            new KubeApiError(
              `${method} ${path} got no answer within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      io.req = request(res => {
        io.response = res;
        res.on('data', onData);
        res.on('end', onEnd);
        res.on('error', onError);
      });
      io.req.on('error', onError);
      io.req.end(payload);
    });
  }

  /** LIST one page at a time, following `continue` tokens; an expired token throws a 410 `KubeApiError`. */
  async *listPages(
    path: string,
    options: KubeListOptions = {},
  ): AsyncGenerator<KubeListPage> {
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      this.counters.lists++;
      const list = await this.request<{
        apiVersion?: string;
        kind?: string;
        metadata?: { resourceVersion?: string; continue?: string };
        items?: KubeObject[];
      }>('GET', path, {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit ?? 500,
          continue: token,
        },
        signal: options.signal,
      });
      // List items of built-in kinds come without apiVersion and kind; the list's own kind names them.
      const itemKind = list.kind?.endsWith('List')
        ? list.kind.slice(0, -4)
        : undefined;
      const items = (list.items ?? []).map(item => {
        if (!item.apiVersion && list.apiVersion)
          item.apiVersion = list.apiVersion;
        if (!item.kind && itemKind) item.kind = itemKind;
        return item;
      });
      yield { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
      token = list.metadata?.continue;
      if (!token) return;
    }
    throw new KubeApiError(
      `LIST ${path} did not end within ${MAX_LIST_PAGES} pages`,
    );
  }

  /** LIST every page into one array. */
  async list(
    path: string,
    options: KubeListOptions = {},
  ): Promise<KubeListPage> {
    const items: KubeObject[] = [];
    let resourceVersion = '';
    for await (const page of this.listPages(path, options)) {
      items.push(...page.items);
      resourceVersion = page.resourceVersion;
    }
    return { items, resourceVersion };
  }

  /**
   * WATCH: calls `onEvent` for each ADDED, MODIFIED, DELETED and BOOKMARK event. Resolves when the server
   * ends the stream (its timeout) or the signal aborts it; rejects with `KubeApiError` on an HTTP error,
   * a lost connection or an `ERROR` event (410 Gone / Expired when the resourceVersion is too old).
   */
  async watch(
    path: string,
    options: KubeWatchOptions,
    onEvent: (event: KubeWatchEvent) => void,
  ): Promise<void> {
    const timeoutSeconds =
      options.timeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
    const target = `${path}${queryString({
      watch: 'true',
      resourceVersion: options.resourceVersion,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      allowWatchBookmarks: options.allowWatchBookmarks ?? true,
      timeoutSeconds,
    })}`;
    const { request } = await this.prepare('GET', target, {});
    // Checked after the await: an abort during it would not fire the listener added below.
    if (options.signal?.aborted) return;
    this.counters.watches++;
    const counters = this.counters;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let open = false;
      // Assigned below; the handlers declared first read them.
      const io: { req?: http.ClientRequest; deadline?: NodeJS.Timeout } = {};

      function settle(error?: unknown) {
        if (settled) return;
        settled = true;
        clearTimeout(io.deadline);
        options.signal?.removeEventListener('abort', onAbort);
        if (open) counters.openWatches--;
        io.req?.destroy();
        if (error) reject(error);
        else resolve();
      }
      function onAbort() {
        settle();
      }
      function onError(error: Error) {
        settle(KubeApiError.unreachable(error));
      }
      function readError(res: http.IncomingMessage) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length < 64) chunks.push(chunk);
        });
        res.on('end', () =>
          settle(
            KubeApiError.fromResponse(
              'WATCH',
              path,
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString('utf8'),
            ),
          ),
        );
        res.on('error', onError);
      }
      function stream(res: http.IncomingMessage) {
        const decoder = new JsonLineDecoder();
        const dispatch = (documents: unknown[]) => {
          for (const document of documents) {
            if (settled) return;
            const event = document as { type?: string; object?: unknown };
            if (event.type === 'ERROR') {
              settle(
                KubeApiError.fromStatus((event.object ?? {}) as KubeStatus),
              );
              return;
            }
            onEvent(event as KubeWatchEvent);
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          try {
            dispatch(decoder.push(chunk));
          } catch (error) {
            settle(
              error instanceof KubeApiError
                ? error
                : new KubeApiError(
                    `WATCH ${path}: ${(error as Error).message}`,
                  ),
            );
          }
        });
        res.on('end', () => {
          try {
            dispatch(decoder.end());
            settle();
          } catch (error) {
            settle(error);
          }
        });
        res.on('error', onError);
        res.on('close', () => {
          if (!res.complete) {
            settle(
              new KubeApiError(
                `WATCH ${path}: connection closed before the stream ended`,
              ),
            );
          }
        });
      }

      // A connection that died silently (no FIN, no RST) would otherwise hold the watch forever.
      io.deadline = setTimeout(
        () =>
          settle(
            new KubeApiError(
              `WATCH ${path} stayed silent past its ${timeoutSeconds} s timeout`,
            ),
          ),
        timeoutSeconds * 1000 + WATCH_GRACE_MS,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      io.req = request(res => {
        if (res.statusCode !== 200) {
          readError(res);
          return;
        }
        open = true;
        counters.openWatches++;
        try {
          options.onOpen?.();
        } catch (error) {
          settle(error);
          return;
        }
        stream(res);
      });
      io.req.on('error', onError);
      io.req.end();
    });
  }

  /**
   * Server-side apply: PATCH with `application/apply-patch+yaml` and the object as JSON (valid YAML),
   * so every field we send, known to this client or not, reaches the server.
   */
  async apply(obj: KubeObject, options: KubeApplyOptions): Promise<KubeObject> {
    if (!obj?.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new InputError(
        'apply needs an object with apiVersion, kind and metadata.name',
      );
    }
    const resource = await this.discovery.resolve(obj.apiVersion, obj.kind);
    if (!resource) {
      throw new KubeApiError(
        `the cluster does not serve ${obj.kind} in ${obj.apiVersion}`,
        404,
        {
          kind: 'Status',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message: `the cluster does not serve ${obj.kind} in ${obj.apiVersion}`,
        },
      );
    }
    if (resource.namespaced && !obj.metadata.namespace) {
      throw new InputError(
        `${obj.kind} ${obj.metadata.name} is namespaced but has no metadata.namespace`,
      );
    }
    return this.request<KubeObject>(
      'PATCH',
      resourcePath(resource, obj.metadata.namespace, obj.metadata.name),
      {
        query: {
          fieldManager: options.fieldManager,
          force: options.force ? 'true' : undefined,
          dryRun: options.dryRun ? 'All' : undefined,
        },
        body: obj,
        contentType: 'application/apply-patch+yaml',
      },
    );
  }

  /** The engine's tier-2 hook: a forced server-side apply with `dryRun=All`. */
  applyDryRun(obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    return this.apply(obj, { fieldManager, force: true, dryRun: true });
  }

  /** Builds the request with auth and TLS from the KubeConfig; counts it. */
  private async prepare(
    method: string,
    target: string,
    options: KubeRequestOptions,
  ): Promise<{
    request: (
      onResponse: (res: http.IncomingMessage) => void,
    ) => http.ClientRequest;
    payload: Buffer | undefined;
  }> {
    const basePath = this.server.pathname.replace(/\/$/, '');
    const headers: Record<string, string> = {
      Accept: options.accept ?? 'application/json',
    };
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(
        typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
      );
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const requestOptions: https.RequestOptions = {
      method,
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.server.port || undefined,
      path: `${basePath}${target}`,
      headers,
    };
    try {
      await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    } catch (error) {
      // An exec or token-file credential that cannot be read: the cluster is as good as unreachable.
      throw KubeApiError.unreachable(error);
    }
    if (this.agent) requestOptions.agent = this.agent;
    const transport = this.server.protocol === 'http:' ? http : https;
    return {
      request: onResponse => {
        this.counters.requests++;
        return transport.request(requestOptions, onResponse);
      },
      payload,
    };
  }
}
