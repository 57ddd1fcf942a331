import { InputError } from '@backstage/errors';
import type { KubeObject } from '@backstage-gitops/gitops-engine';
import type { WorkloadSelector } from '@backstage-gitops/plugin-gitops-common';

/** Kinds with a pod template, and where each keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

/** Kinds whose `spec.replicas` a change may set. */
const SCALABLE_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

export function isWorkload(object: KubeObject): boolean {
  return object.kind in POD_SPEC_PATHS;
}

export function isScalable(object: KubeObject): boolean {
  return SCALABLE_KINDS.has(object.kind);
}

/** `spec.template.spec` as a readable path prefix for the workload's kind. */
export function podSpecPath(kind: string): string {
  return (POD_SPEC_PATHS[kind] ?? POD_SPEC_PATHS.Deployment).join('.');
}

export function containersOf(workload: KubeObject): Container[] {
  let node: any = workload;
  for (const key of POD_SPEC_PATHS[workload.kind] ?? []) node = node?.[key];
  return Array.isArray(node?.containers) ? node.containers : [];
}

/**
 * The workload a change targets among an application's rendered objects: the one named, or the only
 * one there is. Errors name what exists, so a form can offer it.
 */
export function selectWorkload(
  objects: readonly KubeObject[],
  application: string,
  selector: WorkloadSelector | undefined,
  accept: (object: KubeObject) => boolean = isWorkload,
): KubeObject {
  const candidates = objects.filter(accept);
  const describe = (list: KubeObject[]) =>
    list.map(o => `${o.kind}/${nameOf(o)}`).join(', ') || 'none';
  if (selector) {
    const found = candidates.find(
      o => o.kind === selector.kind && nameOf(o) === selector.name,
    );
    if (!found) {
      throw new InputError(
        `application ${application} has no ${selector.kind}/${selector.name} that this change applies to (it has: ${describe(candidates)})`,
      );
    }
    return found;
  }
  if (candidates.length !== 1) {
    throw new InputError(
      candidates.length === 0
        ? `application ${application} has no workload this change applies to`
        : `application ${application} has several workloads (${describe(candidates)}): name one in "workload"`,
    );
  }
  return candidates[0];
}

export function selectContainer(
  workload: KubeObject,
  name: string | undefined,
): Container {
  const containers = containersOf(workload);
  const label = `${workload.kind}/${nameOf(workload)}`;
  if (name !== undefined) {
    const found = containers.find(c => c.name === name);
    if (!found) {
      throw new InputError(
        `${label} has no container named "${name}" (it has: ${containers.map(c => c.name).join(', ')})`,
      );
    }
    return found;
  }
  if (containers.length !== 1) {
    throw new InputError(
      `${label} has ${containers.length} containers (${containers.map(c => c.name).join(', ')}): name one in "container"`,
    );
  }
  return containers[0];
}

export interface ImageReference {
  /** Registry and repository, e.g. `ghcr.io/acme/shop-api`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `host:5000/org/app:1.2@sha256:…`; a colon before the last `/` belongs to the registry's port. */
export function parseImage(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  }
  return { repository: rest, digest };
}

export function nameOf(object: KubeObject): string {
  return object.metadata.name ?? '';
}
