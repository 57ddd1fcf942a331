import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type { WatchedKind } from './ClusterLiveCache';
import { KubeApiError } from './KubeApiError';
import type { KubeHttpClient } from './KubeHttpClient';
import type { LiveObjectIndex } from './LiveObjectIndex';
import { backoffDelay, type BackoffOptions } from './backoffDelay';
import { resourcePath } from './resourcePath';

export interface KindInformerOptions {
  kind: WatchedKind;
  client: KubeHttpClient;
  index: LiveObjectIndex;
  labelSelector: string;
  /** LIST page size. */
  pageSize: number;
  /** Server-side timeout of each watch; a function so each watch can draw a jittered value. */
  watchTimeoutSeconds(): number;
  backoff: BackoffOptions;
  /** Retry delay cap while the kind is not served (CRD not installed yet). */
  unknownKindRetryMaxMs?: number;
  /**
   * Resume from this resourceVersion instead of listing first, trusting what the index holds for the
   * kind (a warm start). The server answers 410 if it no longer has that version; we then list.
   */
  resourceVersion?: string;
  /** A LIST of the kind completed, or the server does not serve it (an empty kind). */
  onSynced(): void;
  /** The `failures`-th consecutive LIST or WATCH of the kind failed. */
  onFailure(error: KubeApiError, failures: number): void;
  logger?: LoggerService;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      resolve();
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A watch that ends this quickly without an event is treated like a failure for pacing, so it cannot spin. */
const SHORT_WATCH_MS = 1000;

/**
 * Keeps one kind of one cluster in the index: a paged LIST, then a WATCH from the list's
 * resourceVersion, restarted from the last seen version (bookmarks included) when the server ends it.
 * A 410 or any failure leads to a fresh LIST, which also removes objects deleted meanwhile;
 * failures back off exponentially with jitter. Nothing is re-listed while the watch is healthy.
 */
export class KindInformer {
  /** Resolves after the first LIST, or the first failure, or finding the kind is not served. */
  readonly firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private resourceVersion: string | undefined;
  private heardAt = Date.now();

  constructor(private readonly options: KindInformerOptions) {
    this.resourceVersion = options.resourceVersion;
    this.firstSync = new Promise(resolve => {
      this.resolveFirstSync = resolve;
    });
  }

  start(): void {
    this.running ??= this.run().catch(error => {
      this.options.logger?.error(
        `informer for ${this.label} stopped: ${error}`,
      );
      this.resolveFirstSync();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.resolveFirstSync();
    await this.running;
  }

  /** When the API server last said anything about this kind: a LIST, a watch event or bookmark, a watch it ended. */
  get lastHeardAt(): number {
    return this.heardAt;
  }

  private get label(): string {
    return `${this.options.kind.apiVersion} ${this.options.kind.kind}`;
  }

  private async run(): Promise<void> {
    const { client, kind, backoff } = this.options;
    const signal = this.abort.signal;
    let failures = 0;
    let goneStreak = 0;
    let notFoundStreak = 0;
    let quietEnds = 0;
    let unknownStreak = 0;
    if (this.resourceVersion !== undefined) {
      // Warm start: what the index holds is the truth at that version until the watch says otherwise.
      this.options.onSynced();
      this.resolveFirstSync();
    }
    while (!signal.aborted) {
      try {
        const resource = await client.discovery.resolve(
          kind.apiVersion,
          kind.kind,
        );
        if (!resource) {
          // Not served (yet): nothing of this kind exists, so the empty set is the truth until its CRD appears.
          this.options.index.retainOnly(
            groupOf(kind.apiVersion),
            kind.kind,
            new Set(),
          );
          this.resourceVersion = undefined;
          failures = 0;
          this.options.onSynced();
          this.resolveFirstSync();
          unknownStreak++;
          await sleep(
            backoffDelay(unknownStreak, {
              initialMs: backoff.initialMs,
              maxMs: this.options.unknownKindRetryMaxMs ?? 300_000,
            }),
            signal,
          );
          continue;
        }
        unknownStreak = 0;
        const path = resourcePath(resource);
        if (this.resourceVersion === undefined) {
          this.resourceVersion = await this.list(path);
          this.heardAt = Date.now();
          failures = 0;
          this.options.onSynced();
          this.resolveFirstSync();
        }
        const started = Date.now();
        let events = 0;
        await client.watch(
          path,
          {
            resourceVersion: this.resourceVersion,
            labelSelector: this.options.labelSelector,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds(),
            signal,
          },
          event => {
            events++;
            this.heardAt = Date.now();
            this.apply(event.type, event.object);
          },
        );
        this.heardAt = Date.now();
        goneStreak = 0;
        notFoundStreak = 0;
        // The server ended the watch (its timeout): resume from the last version seen, no LIST.
        quietEnds =
          events === 0 && Date.now() - started < SHORT_WATCH_MS
            ? quietEnds + 1
            : 0;
        if (quietEnds > 0)
          await sleep(backoffDelay(quietEnds, backoff), signal);
      } catch (error) {
        if (signal.aborted) break;
        const apiError =
          error instanceof KubeApiError
            ? error
            : KubeApiError.unreachable(error);
        this.resourceVersion = undefined;
        if (apiError.isGone) {
          // Our resume point is older than the server keeps: list again, at once the first time.
          goneStreak++;
          this.options.logger?.info(
            `watch of ${this.label} expired (${apiError.message}); listing again`,
          );
          if (goneStreak > 1)
            await sleep(backoffDelay(goneStreak - 1, backoff), signal);
          continue;
        }
        if (apiError.statusCode === 404) {
          // The kind went away (CRD deleted): once discovery agrees, the kind is empty, not failing.
          notFoundStreak++;
          await client.discovery.refresh().catch(() => undefined);
          await sleep(backoffDelay(notFoundStreak, backoff), signal);
          continue;
        }
        failures++;
        this.options.onFailure(apiError, failures);
        this.resolveFirstSync();
        await sleep(backoffDelay(failures, backoff), signal);
      }
    }
  }

  /** Paged LIST into the index; removes objects of the kind the LIST no longer returns. Returns the list's resourceVersion. */
  private async list(path: string): Promise<string> {
    const { kind, index } = this.options;
    const listed = new Set<string>();
    let resourceVersion = '';
    for await (const page of this.options.client.listPages(path, {
      labelSelector: this.options.labelSelector,
      limit: this.options.pageSize,
      signal: this.abort.signal,
    })) {
      for (const item of page.items) {
        item.apiVersion ||= kind.apiVersion;
        item.kind ||= kind.kind;
        listed.add(this.upsert(item));
      }
      resourceVersion = page.resourceVersion;
    }
    index.retainOnly(groupOf(kind.apiVersion), kind.kind, listed);
    return resourceVersion;
  }

  private apply(type: string, object: KubeObject): void {
    const resourceVersion = object?.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (resourceVersion) this.resourceVersion = resourceVersion;
      return;
    }
    if (!object?.metadata) return;
    if (type === 'DELETED') this.options.index.remove(object);
    else if (type === 'ADDED' || type === 'MODIFIED') this.upsert(object);
    if (resourceVersion) this.resourceVersion = resourceVersion;
  }

  private upsert(object: KubeObject): string {
    try {
      return this.options.index.upsert(object);
    } catch (error) {
      // One malformed object must not stop the kind; it stays out of the cache and is logged.
      this.options.logger?.warn(
        `cannot cache ${this.label} ${object.metadata?.namespace ?? ''}/${
          object.metadata?.name ?? ''
        }: ${error}`,
      );
      return formatResourceKey(resourceKeyOf(object));
    }
  }
}
