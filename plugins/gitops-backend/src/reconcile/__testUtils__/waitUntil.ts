export interface WaitUntilOptions {
  /** Gives up after this long. Default 15 s. */
  timeoutMs?: number;
  /** Pause between reads. Default 25 ms. */
  intervalMs?: number;
  /** Gives up after this many reads, whatever the time. Default: enough for the timeout at the interval. */
  maxReads?: number;
}

/**
 * Reads a value until `check` (jest `expect` calls) passes on it, bounded in time and in reads, and
 * returns it. On giving up, throws the last check's error, so the failure shows what was read.
 */
export async function waitUntil<T>(
  read: () => Promise<T>,
  check: (value: T) => void,
  options: WaitUntilOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 25;
  const maxReads =
    options.maxReads ?? Math.ceil(timeoutMs / Math.max(1, intervalMs)) + 1;
  const started = Date.now();
  let lastError: unknown;
  for (let reads = 1; reads <= maxReads; reads++) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started + intervalMs > timeoutMs) break;
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
  if (lastError instanceof Error) {
    lastError.message = `still failing after ${
      Date.now() - started
    } ms of waiting:\n${lastError.message}`;
  }
  throw lastError;
}
