import type {
  AuditLogResponse,
  DoraMetricsResponse,
  DriftMetricsResponse,
} from '@backstage-gitops/plugin-gitops-common';

/** Delivery metrics, drift and audit answers for the governance page, over 1 to 4 November 2026. */
export function metricsFixtures() {
  const dora: DoraMetricsResponse = {
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-04T00:00:00.000Z',
    deploymentFrequency: {
      total: 12,
      fromHistory: 10,
      fromChangeRequests: 2,
      perDay: 4,
      perWeek: 28,
    },
    leadTime: {
      mergeToSynced: { count: 5, medianSeconds: 95, p90Seconds: 600 },
      commitToSynced: { count: 2, medianSeconds: 5400, p90Seconds: 7000 },
    },
    changeFailureRate: {
      deployments: 12,
      failures: 3,
      rate: 0.25,
      causes: { degraded: 2, failedChangeRequests: 1, rolledBack: 1 },
      failureWindowHours: 24,
    },
    timeToRestore: {
      count: 2,
      medianSeconds: 2 * 3600,
      p90Seconds: 26 * 3600,
      open: 1,
    },
    interval: 'day',
    trend: [
      {
        start: '2026-11-01T00:00:00.000Z',
        deployments: 5,
        failures: 1,
        leadTimeMedianSeconds: 60,
      },
      {
        start: '2026-11-02T00:00:00.000Z',
        deployments: 4,
        failures: 2,
        restoreMedianSeconds: 7200,
      },
      {
        start: '2026-11-03T00:00:00.000Z',
        deployments: 3,
        failures: 0,
        leadTimeMedianSeconds: 120,
      },
    ],
  };
  const emptyDora: DoraMetricsResponse = {
    ...dora,
    deploymentFrequency: {
      total: 0,
      fromHistory: 0,
      fromChangeRequests: 0,
      perDay: 0,
      perWeek: 0,
    },
    leadTime: { mergeToSynced: { count: 0 }, commitToSynced: { count: 0 } },
    changeFailureRate: {
      deployments: 0,
      failures: 0,
      causes: { degraded: 0, failedChangeRequests: 0, rolledBack: 0 },
      failureWindowHours: 24,
    },
    timeToRestore: { count: 0, open: 0 },
    trend: dora.trend.map(({ start }) => ({
      start,
      deployments: 0,
      failures: 0,
    })),
  };
  const drift: DriftMetricsResponse = {
    from: dora.from,
    to: dora.to,
    days: [
      { date: '2026-11-01', applications: 6, drifted: 1, outOfSync: 2 },
      { date: '2026-11-02', applications: 6, drifted: 3, outOfSync: 3 },
      { date: '2026-11-03', applications: 7, drifted: 0, outOfSync: 1 },
    ],
  };
  const auditFirst: AuditLogResponse = {
    items: [
      {
        id: 'sync:run-9',
        at: '2026-11-03T10:00:00.000Z',
        actor: 'user:default/carol',
        action: 'synced',
        entityRef: 'component:default/shop-api',
        application: 'shop-api-prod',
        revision: '0123456789abcdef',
        result: 'succeeded',
      },
      {
        id: 'cr-42:0003',
        at: '2026-11-03T09:00:00.000Z',
        actor: 'user:default/bob',
        action: 'approved',
        entityRef: 'component:default/shop-api',
        changeRequest: { id: 'cr-42', title: 'Release 1.5.0 to prod' },
        message: 'approved',
      },
    ],
    nextCursor: 'page-2',
  };
  const auditSecond: AuditLogResponse = {
    items: [
      {
        id: 'cr-42:0000',
        at: '2026-11-02T08:00:00.000Z',
        actor: 'user:default/alice',
        action: 'requested',
        entityRef: 'component:default/shop-api',
        changeRequest: { id: 'cr-42', title: 'Release 1.5.0 to prod' },
        message: 'requested',
      },
    ],
  };
  return { dora, emptyDora, drift, auditFirst, auditSecond };
}
