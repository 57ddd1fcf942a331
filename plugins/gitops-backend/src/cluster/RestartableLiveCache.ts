import type {
  ClusterConnectionState,
  ClusterLiveCache,
  LiveObjectChange,
  WatchedKind,
} from './ClusterLiveCache';

/**
 * A cluster's live cache that can be stopped and started again, as a replica loses and regains the
 * cluster's lease. Each start builds a fresh cache, so nothing seen before a stop is trusted after it: the
 * state is `connecting` until the kinds are listed anew. Readers and listeners keep this one object.
 */
export class RestartableLiveCache implements ClusterLiveCache {
  readonly name: string;
  private current: ClusterLiveCache | undefined;
  private detach: Array<() => void> = [];
  /** Every kind asked for, so each new cache watches them too. */
  private readonly kinds = new Map<string, WatchedKind>();
  private readonly changeListeners = new Set<
    (change: LiveObjectChange) => void
  >();
  private readonly stateListeners = new Set<
    (state: ClusterConnectionState) => void
  >();
  private stoppedState: ClusterConnectionState;

  constructor(name: string, private readonly create: () => ClusterLiveCache) {
    this.name = name;
    this.stoppedState = {
      state: 'connecting',
      since: new Date().toISOString(),
    };
  }

  /** Whether a cache is running (between `start` and `stop`). */
  get running(): boolean {
    return this.current !== undefined;
  }

  async start(): Promise<void> {
    if (this.current) return;
    const cache = this.create();
    this.current = cache;
    this.detach = [
      cache.onChange(change => {
        for (const listener of this.changeListeners) listener(change);
      }),
      cache.onStateChange(state => {
        for (const listener of this.stateListeners) listener(state);
      }),
    ];
    await cache.watchKinds([...this.kinds.values()]);
    await cache.start();
  }

  async stop(): Promise<void> {
    const cache = this.current;
    if (!cache) return;
    this.current = undefined;
    this.detach.splice(0).forEach(fn => fn());
    this.stoppedState = {
      state: 'connecting',
      since: new Date().toISOString(),
      message: 'not watched: stopped',
    };
    await cache.stop();
  }

  async watchKinds(kinds: WatchedKind[]): Promise<void> {
    for (const kind of kinds) {
      this.kinds.set(`${kind.apiVersion}/${kind.kind}`, kind);
    }
    await this.current?.watchKinds(kinds);
  }

  objectsOf(application: string) {
    return this.current?.objectsOf(application) ?? [];
  }

  state(): ClusterConnectionState {
    return this.current?.state() ?? { ...this.stoppedState };
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
    return this.current?.stats() ?? { requests: 0, openWatches: 0, objects: 0 };
  }
}
