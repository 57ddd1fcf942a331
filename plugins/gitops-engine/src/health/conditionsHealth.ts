import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { conditionsOf, describeCondition, findCondition } from './conditions';

/**
 * Generic rule for custom resources, in the spirit of kstatus: `observedGeneration` behind → Progressing;
 * `Stalled` → Degraded; `Reconciling` → Progressing; `Ready` True/False/Unknown → Healthy/Degraded/
 * Progressing. `undefined` when the object reports none of these.
 */
export function conditionsHealth(obj: KubeObject): HealthResult | undefined {
  const status = obj.status as { observedGeneration?: number } | undefined;
  if (!status || typeof status !== 'object') return undefined;
  const generation = obj.metadata?.generation;
  const observed = status.observedGeneration;
  if (
    generation !== undefined &&
    observed !== undefined &&
    generation > observed
  ) {
    return {
      status: 'Progressing',
      message: `Waiting for the controller to observe generation ${generation}`,
    };
  }
  const stalled = findCondition(status, 'Stalled');
  if (stalled?.status === 'True')
    return { status: 'Degraded', message: describeCondition(stalled) };
  const reconciling = findCondition(status, 'Reconciling');
  if (reconciling?.status === 'True') {
    return { status: 'Progressing', message: describeCondition(reconciling) };
  }
  const ready = findCondition(status, 'Ready');
  if (ready?.status === 'True')
    return { status: 'Healthy', message: ready.message };
  if (ready?.status === 'False')
    return { status: 'Degraded', message: describeCondition(ready) };
  if (ready)
    return {
      status: 'Progressing',
      message: describeCondition(ready) ?? 'Waiting to become ready',
    };
  if (observed !== undefined && conditionsOf(status).length === 0)
    return { status: 'Healthy' };
  return undefined;
}
