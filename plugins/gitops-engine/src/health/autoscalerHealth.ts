import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import type { Condition } from './conditions';
import { conditionsOf, describeCondition } from './conditions';

/** autoscaling/v1 keeps v2's conditions in this annotation, as JSON. */
const V1_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

const DEGRADED_REASONS: Record<string, readonly string[]> = {
  AbleToScale: ['FailedGetScale', 'FailedUpdateScale'],
  ScalingActive: [
    'FailedGetResourceMetric',
    'FailedGetContainerResourceMetric',
    'FailedGetObjectMetric',
    'FailedGetPodsMetric',
    'FailedGetExternalMetric',
    'FailedComputeMetricsReplicas',
    'InvalidSelector',
  ],
};

function autoscalerConditions(obj: KubeObject): Condition[] | undefined {
  const annotation = obj.metadata?.annotations?.[V1_CONDITIONS_ANNOTATION];
  if (annotation === undefined) return conditionsOf(obj.status);
  try {
    const parsed = JSON.parse(annotation);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function autoscalerHealth(obj: KubeObject): HealthResult {
  const conditions = autoscalerConditions(obj);
  if (!conditions)
    return {
      status: 'Unknown',
      message: `Unreadable ${V1_CONDITIONS_ANNOTATION} annotation`,
    };
  const failing = conditions.find(
    condition =>
      condition.type &&
      condition.reason &&
      DEGRADED_REASONS[condition.type]?.includes(condition.reason),
  );
  if (failing)
    return { status: 'Degraded', message: describeCondition(failing) };
  const healthy = conditions.find(
    condition =>
      (condition.type === 'AbleToScale' ||
        condition.type === 'ScalingLimited') &&
      condition.status === 'True',
  );
  if (healthy) return { status: 'Healthy', message: healthy.message };
  return { status: 'Progressing', message: 'Waiting to autoscale' };
}
