import {
  SYNC_STATUSES,
  worstHealth,
  type ApplicationStatusSummary,
  type HealthStatus,
  type SyncStatus,
} from '@backstage-gitops/plugin-gitops-common';

/** One environment of an entity as a catalog cell shows it; several applications fold into the worst. */
export interface EnvironmentStatus {
  environment: string;
  sync: SyncStatus;
  health: HealthStatus;
  driftCount: number;
  applications: string[];
  problems: string[];
}

/** The entity's applications by environment, keeping the backend's dev-before-prod order. */
export function summarizeEnvironments(
  applications: ApplicationStatusSummary[],
): EnvironmentStatus[] {
  const byEnvironment = new Map<string, ApplicationStatusSummary[]>();
  for (const application of applications) {
    byEnvironment.set(application.environment, [
      ...(byEnvironment.get(application.environment) ?? []),
      application,
    ]);
  }
  return [...byEnvironment].map(([environment, apps]) => ({
    environment,
    // Synced < OutOfSync < Unknown, as health is ordered best to worst.
    sync: SYNC_STATUSES[
      Math.max(...apps.map(app => SYNC_STATUSES.indexOf(app.sync)))
    ],
    health: worstHealth(apps.map(app => app.health)),
    driftCount: apps.reduce((sum, app) => sum + app.driftCount, 0),
    applications: apps.map(app => app.name),
    problems: apps.flatMap(app => (app.problem ? [app.problem.message] : [])),
  }));
}
