import type { KubeObject } from '@backstage-gitops/gitops-engine';

/**
 * The order a sync applies kinds in, as Argo CD's default sync order: namespaces, policies and config
 * before the workloads that use them, CRDs before custom resources (unknown kinds come last).
 */
export const SYNC_KIND_ORDER: readonly string[] = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

const RANK = new Map(SYNC_KIND_ORDER.map((kind, index) => [kind, index]));

function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Objects in the order to apply them: by kind rank, then kind, namespace and name (a copy; the input stays). */
export function syncOrder<T extends KubeObject>(objects: readonly T[]): T[] {
  const rank = (object: KubeObject) =>
    RANK.get(object.kind) ?? SYNC_KIND_ORDER.length;
  return [...objects].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compare(a.kind, b.kind) ||
      compare(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      compare(a.metadata.name ?? '', b.metadata.name ?? ''),
  );
}
