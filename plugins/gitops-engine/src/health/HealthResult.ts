/** Health vocabulary shared with Argo CD users (DESIGN §2). */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';

export interface HealthResult {
  status: HealthStatus;
  /** Readable reason, e.g. `Waiting for rollout: 1 of 3 updated replicas are available`. */
  message?: string;
}

/** Best to worst; aggregation picks the worst. */
export const HEALTH_ORDER: readonly HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];
