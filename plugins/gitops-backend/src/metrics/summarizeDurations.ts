import type { DurationSummary } from '@backstage-gitops/plugin-gitops-common';

/** The `q` quantile (0..1) of sorted values, interpolated between the two nearest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Count, median and p90 of durations in seconds, rounded to whole seconds. */
export function summarizeDurations(
  seconds: readonly number[],
): DurationSummary {
  if (seconds.length === 0) return { count: 0 };
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianSeconds: Math.round(quantile(sorted, 0.5)),
    p90Seconds: Math.round(quantile(sorted, 0.9)),
  };
}
