import type { KubeObject } from '../types';
import { groupOf } from '../types';

/** The only `spec` fields the health rules read. */
const SPEC_FIELDS = [
  'replicas',
  'paused',
  'updateStrategy',
  'type',
  'restartPolicy',
  'suspend',
];

/** The `status` fields each rule reads; other kinds keep what the generic conditions rule reads. */
const STATUS_FIELDS = new Map<string, readonly string[]>([
  [
    'apps/Deployment',
    [
      'observedGeneration',
      'replicas',
      'updatedReplicas',
      'availableReplicas',
      'conditions',
    ],
  ],
  [
    'apps/StatefulSet',
    [
      'observedGeneration',
      'readyReplicas',
      'updatedReplicas',
      'currentRevision',
      'updateRevision',
    ],
  ],
  [
    'apps/DaemonSet',
    [
      'observedGeneration',
      'desiredNumberScheduled',
      'updatedNumberScheduled',
      'numberAvailable',
    ],
  ],
  [
    'apps/ReplicaSet',
    ['observedGeneration', 'availableReplicas', 'conditions'],
  ],
  [
    '/Pod',
    [
      'phase',
      'message',
      'reason',
      'conditions',
      'containerStatuses',
      'initContainerStatuses',
    ],
  ],
  ['/PersistentVolumeClaim', ['phase']],
  ['/Namespace', ['phase']],
  ['/Service', ['loadBalancer']],
  ['networking.k8s.io/Ingress', ['loadBalancer']],
  ['batch/Job', ['conditions', 'active']],
  ['batch/CronJob', ['active', 'lastScheduleTime', 'lastSuccessfulTime']],
  ['autoscaling/HorizontalPodAutoscaler', ['conditions']],
  ['apiregistration.k8s.io/APIService', ['conditions']],
]);
const GENERIC_STATUS_FIELDS = ['observedGeneration', 'conditions'];

/** Inside the kept fields: timestamps and identifiers no rule reads. */
const DROPPED_NESTED_FIELDS = new Set([
  'lastTransitionTime',
  'lastUpdateTime',
  'lastProbeTime',
  'lastHeartbeatTime',
  'startedAt',
  'finishedAt',
  'image',
  'imageID',
  'containerID',
  'resources',
  'allocatedResources',
  'volumeMounts',
  'user',
]);

function slim(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(slim);
  if (!value || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (!DROPPED_NESTED_FIELDS.has(key)) result[key] = slim(child);
  }
  return result;
}

function pick(
  source: Record<string, unknown>,
  fields: readonly string[],
  transform: (value: unknown) => unknown = value => value,
): Record<string, unknown> | undefined {
  let kept: Record<string, unknown> | undefined;
  for (const field of fields) {
    if (source[field] !== undefined) {
      kept ??= {};
      kept[field] = transform(source[field]);
    }
  }
  return kept;
}

/** What a live cache must keep of an object so that `assessHealth` gives the same answer. */
export function healthFields(obj: KubeObject): {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
} {
  const result: {
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
  } = {};
  if (obj.spec && typeof obj.spec === 'object') {
    const spec = pick(obj.spec as Record<string, unknown>, SPEC_FIELDS);
    if (spec) result.spec = spec;
  }
  if (obj.status && typeof obj.status === 'object') {
    const fields =
      STATUS_FIELDS.get(`${groupOf(obj.apiVersion)}/${obj.kind}`) ??
      GENERIC_STATUS_FIELDS;
    const status = pick(obj.status as Record<string, unknown>, fields, slim);
    if (status) result.status = status;
  }
  return result;
}
