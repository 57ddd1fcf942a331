import type {
  ChangeSpec,
  ResourceQuantities,
  WorkloadSelector,
} from '@backstage-gitops/plugin-gitops-common';

/** One sentence a reviewer can read: what a change does and where. */
export function describeChange(change: ChangeSpec): string {
  switch (change.type) {
    case 'image':
      return `Set the image tag${target(
        change.workload,
        change.container,
      )} to ${change.tag} in ${change.application}`;
    case 'replicas':
      return `Scale${target(change.workload)} to ${change.replicas} ${
        change.replicas === 1 ? 'replica' : 'replicas'
      } in ${change.application}`;
    case 'env':
      return change.value === null
        ? `Remove ${change.name}${target(
            change.workload,
            change.container,
          )} in ${change.application}`
        : `Set ${change.name}=${change.value}${target(
            change.workload,
            change.container,
          )} in ${change.application}`;
    case 'resources':
      return `Set ${[
        quantities('requests', change.requests),
        quantities('limits', change.limits),
      ]
        .filter(Boolean)
        .join('; ')}${target(change.workload, change.container)} in ${
        change.application
      }`;
    case 'promote':
      return `Promote ${change.from} to ${change.to}`;
    case 'rollback':
      return `Roll back ${change.changeRequest}`;
    case 'codify': {
      const { kind, namespace, name } = change.resource;
      return `Write the live ${change.path} of ${kind} ${
        namespace ? `${namespace}/${name}` : name
      } into Git for ${change.application}`;
    }
    case 'application':
      return `Add the new application ${change.name} (${change.image}:${
        change.tag
      }) in ${change.environments.map(env => env.name).join(', ')}`;
    default:
      return 'Unknown change';
  }
}

function target(workload?: WorkloadSelector, container?: string): string {
  const parts = [
    workload ? `${workload.kind} ${workload.name}` : undefined,
    container ? `container ${container}` : undefined,
  ].filter(Boolean);
  return parts.length ? ` of ${parts.join(', ')}` : '';
}

function quantities(label: string, values?: ResourceQuantities): string {
  const set = Object.entries(values ?? {}).filter(([, value]) => value);
  if (set.length === 0) return '';
  return `${label} ${set.map(([key, value]) => `${key} ${value}`).join(', ')}`;
}
