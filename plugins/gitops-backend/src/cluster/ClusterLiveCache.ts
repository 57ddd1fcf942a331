import type { CompactLiveObject } from '@backstage-gitops/gitops-engine';

/** Whether a cluster's live state can be trusted, and since when. */
export interface ClusterConnectionState {
  /** `connecting` until the first LIST of every watched kind completed; `unreachable` after errors. */
  state: 'connecting' | 'ready' | 'unreachable';
  /** ISO time of the last state change. */
  since: string;
  message?: string;
}

/** A live object carrying our tracking label was added, changed or deleted. */
export interface LiveObjectChange {
  cluster: string;
  /** Value of the tracking label: the application that owns the object. */
  application: string;
  /** `group/Kind/namespace/name` (formatResourceKey). */
  key: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
}

export interface WatchedKind {
  apiVersion: string;
  kind: string;
}

/**
 * The live state of one cluster, fed by paged LIST then WATCH (with bookmarks) of every watched kind,
 * scoped by the tracking label. Readers never touch the cluster.
 */
export interface ClusterLiveCache {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Adds kinds to watch (idempotent); resolves once their first LIST is in the cache or failed. */
  watchKinds(kinds: WatchedKind[]): Promise<void>;
  /** Live objects labelled for this application, in compact form. */
  objectsOf(application: string): CompactLiveObject[];
  state(): ClusterConnectionState;
  onChange(listener: (change: LiveObjectChange) => void): () => void;
  onStateChange(listener: (state: ClusterConnectionState) => void): () => void;
  /** Counters for benchmarks and the quiet-minute check. */
  stats(): { requests: number; openWatches: number; objects: number };
}
