import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import { groupOf } from '../types';
import type { HealthResult } from './HealthResult';
import { autoscalerHealth } from './autoscalerHealth';
import { conditionsHealth } from './conditionsHealth';
import { cronJobHealth, jobHealth } from './jobHealth';
import { ingressHealth, serviceHealth } from './networkHealth';
import {
  apiServiceHealth,
  namespaceHealth,
  persistentVolumeClaimHealth,
} from './phaseHealth';
import { podHealth } from './podHealth';
import {
  daemonSetHealth,
  deploymentHealth,
  replicaSetHealth,
  statefulSetHealth,
} from './workloadHealth';

type HealthRule = (obj: KubeObject) => HealthResult | undefined;

/** Built-in rules by `group/Kind` (reference §1.5). */
const RULES = new Map<string, HealthRule>([
  ['apps/Deployment', deploymentHealth],
  ['apps/StatefulSet', statefulSetHealth],
  ['apps/DaemonSet', daemonSetHealth],
  ['apps/ReplicaSet', replicaSetHealth],
  ['/Pod', podHealth],
  ['/Service', serviceHealth],
  ['/PersistentVolumeClaim', persistentVolumeClaimHealth],
  ['/Namespace', namespaceHealth],
  ['batch/Job', jobHealth],
  ['batch/CronJob', cronJobHealth],
  ['networking.k8s.io/Ingress', ingressHealth],
  ['autoscaling/HorizontalPodAutoscaler', autoscalerHealth],
  ['apiregistration.k8s.io/APIService', apiServiceHealth],
]);

/**
 * Health of one live object, or `undefined` when no rule applies (a ConfigMap has no health). Works on
 * compact live objects too: they keep the fields the rules read.
 */
export function assessHealth(obj: KubeObject): HealthResult | undefined {
  if (
    !obj ||
    typeof obj !== 'object' ||
    typeof obj.kind !== 'string' ||
    typeof obj.apiVersion !== 'string'
  ) {
    throw new EngineError(
      'INPUT_INVALID',
      'health needs an object with apiVersion and kind',
    );
  }
  if (obj.metadata?.deletionTimestamp)
    return { status: 'Progressing', message: 'Pending deletion' };
  const rule = RULES.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
  return rule ? rule(obj) : conditionsHealth(obj);
}
