import type { HealthResult, HealthStatus } from './HealthResult';
import { HEALTH_ORDER } from './HealthResult';

/**
 * The worst of several health values (Healthy < Suspended < Progressing < Missing < Degraded < Unknown).
 * Objects without a health rule (`undefined`) do not count; nothing at all is Healthy.
 */
export function aggregateHealth(
  statuses: Iterable<HealthStatus | HealthResult | undefined>,
): HealthStatus {
  let worst = 0;
  for (const entry of statuses) {
    if (entry === undefined) continue;
    const status = typeof entry === 'string' ? entry : entry.status;
    const rank = HEALTH_ORDER.indexOf(status);
    if (rank > worst) worst = rank;
  }
  return HEALTH_ORDER[worst];
}
