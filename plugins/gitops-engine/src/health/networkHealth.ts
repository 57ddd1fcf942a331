import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';

function loadBalancerIngress(obj: KubeObject): unknown[] {
  const ingress = (
    obj.status as { loadBalancer?: { ingress?: unknown } } | undefined
  )?.loadBalancer?.ingress;
  return Array.isArray(ingress) ? ingress : [];
}

export function serviceHealth(obj: KubeObject): HealthResult {
  const type = (obj.spec as { type?: string } | undefined)?.type;
  if (type === 'LoadBalancer' && loadBalancerIngress(obj).length === 0) {
    return {
      status: 'Progressing',
      message: 'Waiting for the load balancer to get an address',
    };
  }
  return { status: 'Healthy' };
}

export function ingressHealth(obj: KubeObject): HealthResult {
  if (loadBalancerIngress(obj).length === 0) {
    return {
      status: 'Progressing',
      message: 'Waiting for the ingress controller to assign an address',
    };
  }
  return { status: 'Healthy' };
}
