/** Why a key was queued; higher lanes run first when work piles up. */
export type WorkPriority = 'user' | 'commit' | 'watch' | 'periodic';

const LANES: readonly WorkPriority[] = ['user', 'commit', 'watch', 'periodic'];

export interface WorkQueueOptions {
  /** Processes one key; never called twice at once for the same key. */
  process(key: string): Promise<void>;
  /** How many keys run at once. */
  concurrency: number;
  /** Events for one key within this window collapse into one run. */
  coalesceMs?: number;
  /** First retry delay after a failure; doubles per consecutive failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onError?(key: string, error: unknown, attempt: number): void;
}

interface Entry {
  priority: number;
  readyAt: number;
}

/**
 * A keyed, coalescing work queue: a burst of changes to one application becomes one reconcile,
 * a key changed while it runs is run once more afterwards, and failing keys back off exponentially.
 */
export class WorkQueue {
  private readonly pending = new Map<string, Entry>();
  private readonly running = new Set<string>();
  private readonly dirty = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions) {}

  enqueue(key: string, priority: WorkPriority = 'watch', delayMs?: number): void {
    if (this.stopped) return;
    const lane = LANES.indexOf(priority);
    if (this.running.has(key)) {
      this.dirty.set(key, Math.min(this.dirty.get(key) ?? lane, lane));
      return;
    }
    const readyAt = Date.now() + (delayMs ?? this.options.coalesceMs ?? 0);
    const existing = this.pending.get(key);
    if (existing) {
      existing.priority = Math.min(existing.priority, lane);
      // A user request should not wait behind a coalescing window opened by a watch event.
      if (lane === 0) existing.readyAt = Math.min(existing.readyAt, Date.now());
    } else {
      this.pending.set(key, { priority: lane, readyAt });
    }
    this.schedule();
  }

  get size(): number {
    return this.pending.size + this.running.size;
  }

  /** Resolves when nothing is pending or running (for tests and graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    this.dirty.clear();
    if (this.timer) clearTimeout(this.timer);
    this.notifyIdle();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running.size < this.options.concurrency) {
      const next = this.nextReady();
      if (!next) break;
      this.start(next);
    }
    const wakeAt = this.earliestPending();
    if (wakeAt !== undefined && this.running.size < this.options.concurrency) {
      this.timer = setTimeout(() => this.schedule(), Math.max(0, wakeAt - Date.now()));
      this.timer.unref?.();
    }
    this.notifyIdle();
  }

  private nextReady(): string | undefined {
    const now = Date.now();
    let best: string | undefined;
    let bestEntry: Entry | undefined;
    for (const [key, entry] of this.pending) {
      if (entry.readyAt > now) continue;
      if (
        !bestEntry ||
        entry.priority < bestEntry.priority ||
        (entry.priority === bestEntry.priority && entry.readyAt < bestEntry.readyAt)
      ) {
        best = key;
        bestEntry = entry;
      }
    }
    return best;
  }

  private earliestPending(): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.pending.values()) {
      if (earliest === undefined || entry.readyAt < earliest) earliest = entry.readyAt;
    }
    return earliest;
  }

  private start(key: string): void {
    this.pending.delete(key);
    this.running.add(key);
    let retryInMs: number | undefined;
    this.options
      .process(key)
      .then(
        () => this.failures.delete(key),
        error => {
          const attempt = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, attempt);
          this.options.onError?.(key, error, attempt);
          const initial = this.options.initialBackoffMs ?? 1000;
          retryInMs = Math.min(
            this.options.maxBackoffMs ?? 5 * 60_000,
            initial * 2 ** (attempt - 1),
          );
        },
      )
      .finally(() => {
        this.running.delete(key);
        const lane = this.dirty.get(key);
        this.dirty.delete(key);
        // New changes arrived while it ran: run again now; otherwise a failure retries after its backoff.
        if (lane !== undefined) this.enqueue(key, LANES[lane]);
        else if (retryInMs !== undefined) this.enqueue(key, 'periodic', retryInMs);
        this.schedule();
      });
  }

  private notifyIdle(): void {
    if (this.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
