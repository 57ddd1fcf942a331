import { isDeepStrictEqual } from 'node:util';

/**
 * N21: before Kubernetes 1.27 a dry run could repeat HPA metrics or add entries without a type; both
 * mean nothing, so they are dropped before comparing.
 */
export function dedupeMetrics(metrics: readonly unknown[]): unknown[] {
  const kept: unknown[] = [];
  for (const metric of metrics) {
    if (
      !metric ||
      typeof metric !== 'object' ||
      !(metric as { type?: unknown }).type
    )
      continue;
    if (kept.some(existing => isDeepStrictEqual(existing, metric))) continue;
    kept.push(metric);
  }
  return kept;
}
