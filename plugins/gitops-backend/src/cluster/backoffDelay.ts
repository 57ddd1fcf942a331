export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling of the delay, before jitter. */
  maxMs: number;
  /** Fraction of the delay added or removed at random, so clients that failed together retry apart. */
  jitter?: number;
}

/** Exponential backoff with jitter for the `attempt`-th consecutive failure (1-based), bounded by maxMs × (1 + jitter). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const jitter = options.jitter ?? 0.2;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const base = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}
