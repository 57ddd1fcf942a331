import type { KubeObject } from '../types';
import { formatResourceKey, groupOf } from '../types';
import { mergeStringData } from './secretData';
import { HOOK_ANNOTATIONS } from './trackingMetadata';

export interface DesiredNormalization {
  /** Scope of the kind: `undefined` when unknown, then the namespace is left as written. */
  namespaced: boolean | undefined;
  /** The application's target namespace (N15). */
  defaultNamespace?: string;
}

/**
 * Rewrites desired the way the API server will store it, copying only what changes (desired is never
 * mutated): N15 namespace filled in or dropped by scope, N5 `stringData` merged into `data`, N18
 * aggregated ClusterRole `rules` left to the aggregation controller.
 */
export function normalizeDesired(
  desired: KubeObject,
  context: DesiredNormalization,
): KubeObject {
  let result = desired;
  const metadata = desired.metadata ?? {};
  if (context.namespaced === false && metadata.namespace !== undefined) {
    const { namespace, ...rest } = metadata;
    result = { ...result, metadata: rest };
  } else if (
    context.namespaced === true &&
    !metadata.namespace &&
    context.defaultNamespace
  ) {
    result = {
      ...result,
      metadata: { ...metadata, namespace: context.defaultNamespace },
    };
  }
  const group = groupOf(desired.apiVersion);
  if (
    group === '' &&
    desired.kind === 'Secret' &&
    desired.stringData !== undefined &&
    desired.stringData !== null
  ) {
    const { stringData, ...rest } = result;
    result = {
      ...rest,
      data: mergeStringData(desired.data, stringData),
    } as KubeObject;
  }
  if (
    group === 'rbac.authorization.k8s.io' &&
    desired.kind === 'ClusterRole' &&
    desired.aggregationRule
  ) {
    const { rules, ...rest } = result;
    result = rest as KubeObject;
  }
  return result;
}

/** N24: objects that run once (hooks) or get a generated name are never diffed; returns why. */
export function skipReason(desired: KubeObject): string | undefined {
  const metadata = desired.metadata ?? {};
  if (!metadata.name && metadata.generateName) return 'generateName';
  const annotations = metadata.annotations ?? {};
  const hook = HOOK_ANNOTATIONS.find(name => annotations[name] !== undefined);
  return hook ? `hook annotation ${hook}` : undefined;
}

/** Ignore rules that depend on the object or on the application (N18, N19). */
export function objectIgnorePaths(
  desired: KubeObject,
  options: { scaledByAutoscaler?: boolean },
): string[] {
  const paths: string[] = [];
  if (options.scaledByAutoscaler) paths.push('spec.replicas');
  if (
    groupOf(desired.apiVersion) === 'rbac.authorization.k8s.io' &&
    desired.kind === 'ClusterRole' &&
    desired.aggregationRule
  ) {
    paths.push('rules');
  }
  return paths;
}

/** Keys (`group/Kind/namespace/name` form) of the objects HorizontalPodAutoscalers scale (N19). */
export function autoscaledTargets(objects: Iterable<KubeObject>): Set<string> {
  const targets = new Set<string>();
  for (const object of objects) {
    if (
      groupOf(object.apiVersion) !== 'autoscaling' ||
      object.kind !== 'HorizontalPodAutoscaler'
    )
      continue;
    const ref = (
      object.spec as {
        scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
      }
    )?.scaleTargetRef;
    if (!ref?.kind || !ref.name) continue;
    targets.add(
      formatResourceKey({
        group: groupOf(ref.apiVersion ?? ''),
        kind: ref.kind,
        namespace: object.metadata?.namespace ?? '',
        name: ref.name,
      }),
    );
  }
  return targets;
}
