import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { describeCondition, findCondition } from './conditions';

export function jobHealth(obj: KubeObject): HealthResult {
  const status = obj.status as { active?: number } | undefined;
  const failed = findCondition(status, 'Failed');
  if (failed?.status === 'True') {
    return {
      status: 'Degraded',
      message: describeCondition(failed) ?? 'Job failed',
    };
  }
  const complete = findCondition(status, 'Complete');
  if (complete?.status === 'True') {
    return { status: 'Healthy', message: complete.message ?? 'Job completed' };
  }
  const suspended = findCondition(status, 'Suspended');
  if (
    suspended?.status === 'True' ||
    (obj.spec as { suspend?: boolean } | undefined)?.suspend
  ) {
    return {
      status: 'Suspended',
      message: suspended?.message ?? 'Job is suspended',
    };
  }
  const active = status?.active ?? 0;
  return {
    status: 'Progressing',
    message:
      active > 0 ? `Job is running (${active} active pods)` : 'Job is running',
  };
}

interface CronJobStatus {
  active?: unknown[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export function cronJobHealth(obj: KubeObject): HealthResult {
  if ((obj.spec as { suspend?: boolean } | undefined)?.suspend) {
    return { status: 'Suspended', message: 'CronJob is suspended' };
  }
  const status = (obj.status ?? {}) as CronJobStatus;
  const active = status.active?.length ?? 0;
  if (active > 0)
    return { status: 'Healthy', message: `${active} job(s) running` };
  const scheduled = status.lastScheduleTime
    ? Date.parse(status.lastScheduleTime)
    : NaN;
  const succeeded = status.lastSuccessfulTime
    ? Date.parse(status.lastSuccessfulTime)
    : NaN;
  if (
    !Number.isNaN(scheduled) &&
    (Number.isNaN(succeeded) || succeeded < scheduled)
  ) {
    return {
      status: 'Degraded',
      message: `The job scheduled at ${status.lastScheduleTime} did not succeed`,
    };
  }
  if (!Number.isNaN(succeeded)) {
    return {
      status: 'Healthy',
      message: `Last job succeeded at ${status.lastSuccessfulTime}`,
    };
  }
  return { status: 'Healthy', message: 'No job has run yet' };
}
