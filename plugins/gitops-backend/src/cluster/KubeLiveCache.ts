import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_FIELD_MANAGER,
  groupOf,
  TRACKING_LABEL,
  type CompactLiveObject,
  type SchemaRegistry,
} from '@backstage-gitops/gitops-engine';
import type {
  ClusterConnectionState,
  ClusterLiveCache,
  LiveObjectChange,
  WatchedKind,
} from './ClusterLiveCache';
import { KubeApiError } from './KubeApiError';
import type { KubeHttpClient } from './KubeHttpClient';
import { KindInformer } from './KindInformer';
import { LiveObjectIndex } from './LiveObjectIndex';
import type { BackoffOptions } from './backoffDelay';

export interface KubeLiveCacheOptions {
  /** The cluster's configured name. */
  name: string;
  client: KubeHttpClient;
  /** Our field manager, so compaction keeps our ownership record. Default `backstage-gitops`. */
  fieldManager?: string;
  /** Label whose value names the owning application; only objects carrying it are listed and watched. */
  trackingLabel?: string;
  /** LIST page size. Default 500. */
  pageSize?: number;
  /** Server-side watch timeout, drawn per watch between min and max. Default 5-10 min. */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Retry pacing after failures. Default 0.5 s doubling to 30 s, ±20 %. */
  backoff?: BackoffOptions;
  /** The cluster counts as unreachable after this many consecutive failures of a kind, or this long failing. */
  unreachableAfter?: { failures?: number; ms?: number };
  /**
   * With every watch silent this long (the API server sends each watch a bookmark about once a minute, but
   * none while its storage is down), `/readyz` is asked once: a failed etcd check, or no answer, marks the
   * cluster unreachable until its kinds list again. Default 90 s; 0 turns the probe off.
   */
  silentWatchMs?: number;
  schema?: SchemaRegistry;
  logger?: LoggerService;
}

interface KindHealth {
  kind: WatchedKind;
  informer: KindInformer;
  synced: boolean;
  failures: number;
  failingSince?: number;
  message?: string;
}

/**
 * The live cache of one cluster over `KubeHttpClient`: per watched kind a paged LIST, then a WATCH
 * across all namespaces scoped by the tracking label, kept in compact form by application.
 * While nothing changes it sends no request besides the open watches.
 */
export class KubeLiveCache implements ClusterLiveCache {
  readonly name: string;
  private readonly index: LiveObjectIndex;
  private readonly kinds = new Map<string, KindHealth>();
  private readonly changeListeners = new Set<
    (change: LiveObjectChange) => void
  >();
  private readonly stateListeners = new Set<
    (state: ClusterConnectionState) => void
  >();
  private current: ClusterConnectionState = {
    state: 'connecting',
    since: new Date().toISOString(),
  };
  private everReady = false;
  private started = false;
  private stopped = false;
  private unreachableTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  /** When `/readyz` was last asked; a probe counts as hearing from the server for the silence clock. */
  private probedAt = 0;
  private probing = false;
  private readonly silentWatchMs: number;
  private readonly failuresThreshold: number;
  private readonly failingMsThreshold: number;

  constructor(private readonly options: KubeLiveCacheOptions) {
    this.name = options.name;
    this.failuresThreshold = options.unreachableAfter?.failures ?? 2;
    this.failingMsThreshold = options.unreachableAfter?.ms ?? 5000;
    this.silentWatchMs = options.silentWatchMs ?? 90_000;
    this.index = new LiveObjectIndex({
      cluster: options.name,
      labelKey: this.trackingLabel,
      fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
      schema: options.schema,
      onChange: change => this.emitChange(change),
    });
  }

  private get trackingLabel(): string {
    return this.options.trackingLabel ?? TRACKING_LABEL;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    for (const health of this.kinds.values()) health.informer.start();
    this.updateState();
    if (this.silentWatchMs > 0) {
      this.silenceTimer = setInterval(
        () => void this.checkSilence(),
        Math.max(100, Math.round(this.silentWatchMs / 3)),
      );
      this.silenceTimer.unref?.();
    }
    await Promise.all(
      Array.from(this.kinds.values(), health => health.informer.firstSync),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    clearTimeout(this.unreachableTimer);
    this.unreachableTimer = undefined;
    clearInterval(this.silenceTimer);
    this.silenceTimer = undefined;
    await Promise.all(
      Array.from(this.kinds.values(), health => health.informer.stop()),
    );
    // Fresh informers, so a later start() resumes with a LIST; the index keeps the last known objects.
    for (const [id, health] of this.kinds) {
      health.informer = this.createInformer(id, health.kind);
    }
  }

  async watchKinds(kinds: WatchedKind[]): Promise<void> {
    const added: KindInformer[] = [];
    for (const kind of kinds) {
      // One informer per group and kind: two versions of a kind are the same objects.
      const id = `${groupOf(kind.apiVersion)}/${kind.kind}`;
      const existing = this.kinds.get(id);
      if (existing) {
        added.push(existing.informer);
        continue;
      }
      const informer = this.createInformer(id, kind);
      this.kinds.set(id, { kind, informer, synced: false, failures: 0 });
      if (this.started) informer.start();
      added.push(informer);
    }
    if (this.started) this.updateState();
    if (this.started)
      await Promise.all(added.map(informer => informer.firstSync));
  }

  objectsOf(application: string): CompactLiveObject[] {
    return this.index.objectsOf(application);
  }

  state(): ClusterConnectionState {
    return { ...this.current };
  }

  onChange(listener: (change: LiveObjectChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onStateChange(listener: (state: ClusterConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  stats(): { requests: number; openWatches: number; objects: number } {
    const client = this.options.client.stats();
    return {
      requests: client.requests,
      openWatches: client.openWatches,
      objects: this.index.size,
    };
  }

  private createInformer(id: string, kind: WatchedKind): KindInformer {
    const timeout = this.options.watchTimeoutSeconds ?? { min: 300, max: 600 };
    return new KindInformer({
      kind,
      client: this.options.client,
      index: this.index,
      labelSelector: this.trackingLabel,
      pageSize: this.options.pageSize ?? 500,
      watchTimeoutSeconds: () =>
        Math.round(
          timeout.min + Math.random() * Math.max(0, timeout.max - timeout.min),
        ),
      backoff: this.options.backoff ?? { initialMs: 500, maxMs: 30_000 },
      logger: this.options.logger,
      onSynced: () => {
        const health = this.kinds.get(id);
        if (!health) return;
        health.synced = true;
        health.failures = 0;
        health.failingSince = undefined;
        health.message = undefined;
        this.updateState();
      },
      onFailure: (error, failures) => this.recordFailure(id, error, failures),
    });
  }

  /** Watches can stay open and silent while the API server has lost its storage: ask it, once per silence. */
  private async checkSilence(): Promise<void> {
    if (this.probing || !this.started || this.current.state !== 'ready') return;
    const healths = Array.from(this.kinds.values());
    if (healths.length === 0) return;
    const heardAt = Math.max(
      this.probedAt,
      ...healths.map(health => health.informer.lastHeardAt),
    );
    if (Date.now() - heardAt < this.silentWatchMs) return;
    this.probing = true;
    let failure: KubeApiError | undefined;
    try {
      await this.options.client.request('GET', '/readyz', {
        timeoutMs: 10_000,
      });
    } catch (error) {
      failure = storageFailure(KubeApiError.unreachable(error));
    } finally {
      this.probedAt = Date.now();
      this.probing = false;
    }
    if (!failure || !this.started) return;
    // List afresh once the server answers again; until then the cluster is unreachable, its objects kept.
    for (const [id, health] of this.kinds) {
      const stale = health.informer;
      health.informer = this.createInformer(id, health.kind);
      await stale.stop();
      health.synced = false;
      this.recordFailure(id, failure, this.failuresThreshold);
      if (this.started) health.informer.start();
    }
  }

  private recordFailure(
    id: string,
    error: KubeApiError,
    failures: number,
  ): void {
    const health = this.kinds.get(id);
    if (!health) return;
    health.failures = failures;
    health.failingSince ??= Date.now();
    health.message = error.statusCode
      ? `HTTP ${error.statusCode}: ${error.message}`
      : error.message;
    // The first failure of a streak is news; the retries that follow are not.
    const log =
      failures === 1 ? this.options.logger?.warn : this.options.logger?.debug;
    log?.call(
      this.options.logger,
      `cluster ${this.name}: ${id} failed ${failures} time(s): ${health.message}`,
    );
    this.updateState();
    if (!this.unreachableTimer && this.current.state !== 'unreachable') {
      // Also give up on the cluster after a bounded time, even if retries are spaced further apart.
      this.unreachableTimer = setTimeout(() => {
        this.unreachableTimer = undefined;
        this.updateState();
      }, this.failingMsThreshold);
      this.unreachableTimer.unref?.();
    }
  }

  private updateState(): void {
    if (this.stopped) return;
    const now = Date.now();
    const healths = Array.from(this.kinds.values());
    const failing = healths.filter(health => health.failures > 0);
    const down = failing.find(
      health =>
        health.failures >= this.failuresThreshold ||
        now - (health.failingSince ?? now) >= this.failingMsThreshold,
    );
    let next: Omit<ClusterConnectionState, 'since'>;
    if (down) {
      next = { state: 'unreachable', message: down.message };
    } else if (this.current.state === 'unreachable' && failing.length > 0) {
      // Back only once every kind has listed afresh.
      next = this.current;
    } else if (this.everReady || healths.every(health => health.synced)) {
      next = { state: 'ready' };
    } else {
      next = { state: 'connecting' };
    }
    // Ready with no kind watched proves nothing: the first kinds must list before `ready` sticks.
    if (next.state === 'ready' && healths.length > 0) this.everReady = true;
    if (
      next.state === this.current.state &&
      next.message === this.current.message
    )
      return;
    // `since` marks the state change; a new error message while still unreachable keeps it.
    const since =
      next.state === this.current.state
        ? this.current.since
        : new Date(now).toISOString();
    if (next.state !== this.current.state) {
      this.options.logger?.info(
        `cluster ${this.name} is ${next.state}${
          next.message ? `: ${next.message}` : ''
        }`,
      );
    }
    this.current = {
      state: next.state,
      since,
      ...(next.message ? { message: next.message } : {}),
    };
    if (next.state !== 'unreachable') {
      clearTimeout(this.unreachableTimer);
      this.unreachableTimer = undefined;
    }
    const snapshot = this.state();
    for (const listener of this.stateListeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.options.logger?.error(`state listener failed: ${error}`);
      }
    }
  }

  private emitChange(change: LiveObjectChange): void {
    for (const listener of this.changeListeners) {
      try {
        listener(change);
      } catch (error) {
        this.options.logger?.error(`change listener failed: ${error}`);
      }
    }
  }
}

/**
 * A failed `/readyz` that means watches can no longer be trusted: no answer, or a failed etcd check (the
 * body lists checks as `[-]name failed`). Other failing checks say nothing about the watches.
 */
function storageFailure(error: KubeApiError): KubeApiError | undefined {
  if (error.isUnreachable) return error;
  const failed = Array.from(
    error.message.matchAll(/\[-\]([\w-]+) failed/g),
    match => match[1],
  );
  if (!failed.some(check => check.startsWith('etcd'))) return undefined;
  return new KubeApiError(
    `the API server cannot reach its storage (/readyz: ${failed.join(
      ', ',
    )} failed)`,
    error.statusCode,
  );
}
