import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { describeCondition, findCondition } from './conditions';

function phaseOf(obj: KubeObject): string | undefined {
  return (obj.status as { phase?: string } | undefined)?.phase;
}

export function persistentVolumeClaimHealth(obj: KubeObject): HealthResult {
  switch (phaseOf(obj)) {
    case 'Bound':
      return { status: 'Healthy', message: 'Claim is bound' };
    case 'Pending':
      return {
        status: 'Progressing',
        message: 'Waiting for the claim to be bound',
      };
    case 'Lost':
      return { status: 'Degraded', message: 'Claim lost its volume' };
    default:
      return { status: 'Unknown' };
  }
}

export function namespaceHealth(obj: KubeObject): HealthResult {
  if (phaseOf(obj) === 'Terminating')
    return { status: 'Progressing', message: 'Namespace is terminating' };
  return { status: 'Healthy' };
}

export function apiServiceHealth(obj: KubeObject): HealthResult {
  const available = findCondition(obj.status, 'Available');
  if (!available)
    return {
      status: 'Progressing',
      message: 'Waiting for the aggregator to check the API service',
    };
  if (available.status === 'True') return { status: 'Healthy' };
  return {
    status: 'Degraded',
    message: describeCondition(available) ?? 'API service is unavailable',
  };
}
