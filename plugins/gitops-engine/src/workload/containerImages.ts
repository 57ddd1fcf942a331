import type { KubeObject } from '../types';
import { groupOf } from '../types';

/** One container image a workload declares. */
export interface ContainerImage {
  /** The container's `name`. */
  container: string;
  /** The image reference as written, e.g. `ghcr.io/acme/shop-api:1.4.2`. */
  image: string;
  /** Set (true) for an init container. */
  init?: boolean;
}

const TEMPLATE_POD_SPEC = ['spec', 'template', 'spec'] as const;

/** Where each workload kind keeps its pod spec, by API group and kind. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  '/Pod': ['spec'],
  'apps/Deployment': TEMPLATE_POD_SPEC,
  'apps/StatefulSet': TEMPLATE_POD_SPEC,
  'apps/DaemonSet': TEMPLATE_POD_SPEC,
  'apps/ReplicaSet': TEMPLATE_POD_SPEC,
  'batch/Job': TEMPLATE_POD_SPEC,
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function imagesIn(list: unknown, init: boolean): ContainerImage[] {
  if (!Array.isArray(list)) return [];
  const images: ContainerImage[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const { name, image } = item;
    if (typeof name !== 'string' || name === '') continue;
    if (typeof image !== 'string' || image === '') continue;
    images.push({ container: name, image, ...(init && { init: true }) });
  }
  return images;
}

/**
 * The container images an object's pod template declares: containers first, then init containers, each in
 * the order written. Only for the workload kinds (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * and CronJob's `jobTemplate`); any other object, and any part of a spec that is not shaped like a pod spec
 * (a container without a name or image, a list that is not a list), gives nothing rather than an error.
 */
export function containerImagesOf(object: KubeObject): ContainerImage[] {
  if (!isRecord(object) || typeof object.apiVersion !== 'string') return [];
  const path = POD_SPEC_PATHS[`${groupOf(object.apiVersion)}/${object.kind}`];
  if (!path) return [];
  let podSpec: unknown = object;
  for (const key of path) {
    if (!isRecord(podSpec)) return [];
    podSpec = podSpec[key];
  }
  if (!isRecord(podSpec)) return [];
  return [
    ...imagesIn(podSpec.containers, false),
    ...imagesIn(podSpec.initContainers, true),
  ];
}
