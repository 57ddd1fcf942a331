/** Application and resource sync status, as Argo CD users know it. */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Per resource also `Missing` (desired, not live) and `Extraneous` (live with our label, no longer desired). */
export const RESOURCE_SYNC_STATUSES = [
  ...SYNC_STATUSES,
  'Missing',
  'Extraneous',
] as const;
export type ResourceSyncStatus = (typeof RESOURCE_SYNC_STATUSES)[number];

/** Health, ordered best to worst: aggregation picks the worst. */
export const HEALTH_STATUSES = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** The worst of several health statuses; `Healthy` for none (an empty application has nothing unhealthy). */
export function worstHealth(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst = 0;
  for (const status of statuses) {
    worst = Math.max(worst, HEALTH_STATUSES.indexOf(status));
  }
  return HEALTH_STATUSES[worst];
}

export function isSyncStatus(value: unknown): value is SyncStatus {
  return (SYNC_STATUSES as readonly unknown[]).includes(value);
}

export function isHealthStatus(value: unknown): value is HealthStatus {
  return (HEALTH_STATUSES as readonly unknown[]).includes(value);
}
