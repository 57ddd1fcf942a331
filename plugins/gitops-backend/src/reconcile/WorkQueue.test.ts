import { WorkQueue } from './WorkQueue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('collapses a burst of events for one key into one run', async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 2,
      coalesceMs: 20,
      process: async key => void runs.push(key),
    });
    for (let i = 0; i < 50; i++) queue.enqueue('shop-api-dev');
    queue.enqueue('ledger-dev');
    await queue.whenIdle();
    expect(runs.sort()).toEqual(['ledger-dev', 'shop-api-dev']);
  });

  it('never runs one key twice at once, and reruns it when it changed meanwhile', async () => {
    const gate = deferred();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      process: async () => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        if (runs === 1) await gate.promise;
        active--;
      },
    });
    queue.enqueue('app');
    await new Promise(r => setTimeout(r, 5));
    queue.enqueue('app');
    queue.enqueue('app');
    gate.resolve();
    await queue.whenIdle();
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
  });

  it('runs user requests before queued watch and periodic work', async () => {
    const gate = deferred();
    const order: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      process: async key => {
        if (key === 'blocker') await gate.promise;
        order.push(key);
      },
    });
    queue.enqueue('blocker', 'watch');
    await new Promise(r => setTimeout(r, 5));
    queue.enqueue('periodic-app', 'periodic');
    queue.enqueue('watched-app', 'watch');
    queue.enqueue('clicked-app', 'user');
    gate.resolve();
    await queue.whenIdle();
    expect(order).toEqual(['blocker', 'clicked-app', 'watched-app', 'periodic-app']);
  });

  it('retries a failing key with growing backoff and reports each failure', async () => {
    const attempts: number[] = [];
    const times: number[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      initialBackoffMs: 10,
      process: async () => {
        times.push(Date.now());
        if (times.length < 3) throw new Error('cluster unreachable');
      },
      onError: (_key, _error, attempt) => attempts.push(attempt),
    });
    queue.enqueue('app');
    await queue.whenIdle();
    expect(attempts).toEqual([1, 2]);
    expect(times).toHaveLength(3);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(times[1] - times[0]);
  });

  it('drops pending work when stopped', async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      coalesceMs: 50,
      process: async key => void runs.push(key),
    });
    queue.enqueue('app');
    queue.stop();
    await queue.whenIdle();
    await new Promise(r => setTimeout(r, 80));
    expect(runs).toEqual([]);
  });
});
