import type { KubeResource } from './KubeDiscovery';

/**
 * The REST path of a resource collection or object, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`.
 * Without a namespace it is the all-namespaces collection, which is what LIST and WATCH of a kind use.
 */
export function resourcePath(
  resource: KubeResource,
  namespace?: string,
  name?: string,
): string {
  const base = resource.group
    ? `/apis/${resource.group}/${resource.version}`
    : `/api/${resource.version}`;
  const scope =
    resource.namespaced && namespace
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : '';
  const object = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${scope}/${resource.plural}${object}`;
}
