import {
  CHANGE_TYPES,
  type ChangeType,
  type ResourceRef,
} from '@backstage-gitops/plugin-gitops-common';
import { resourceKey } from '../ResourcesTable/resourceKey';

/**
 * What a link to the new change request page fills in, e.g.
 * `?entity=component:default/shop-api&application=shop-api-prod&type=image`.
 */
export interface ChangePrefill {
  entity?: string;
  application?: string;
  type?: ChangeType;
  /** promote */
  from?: string;
  to?: string;
  /** rollback: the merged change request to revert. */
  changeRequest?: string;
  /** codify: the drifted resource and field. */
  resource?: ResourceRef;
  path?: string;
}

const TEXT_KEYS = [
  'entity',
  'application',
  'from',
  'to',
  'changeRequest',
  'path',
] as const;

export function prefillToSearch(prefill: ChangePrefill): string {
  const search = new URLSearchParams();
  if (prefill.entity) search.set('entity', prefill.entity);
  if (prefill.application) search.set('application', prefill.application);
  if (prefill.type) search.set('type', prefill.type);
  for (const key of TEXT_KEYS.slice(2)) {
    const value = prefill[key];
    if (value) search.set(key, value);
  }
  // One parameter in the resource key form, `group/Kind/namespace/name`; none of the parts can hold a slash.
  if (prefill.resource) search.set('resource', resourceKey(prefill.resource));
  return search.toString();
}

/** The prefill a query string asks for; unknown types and malformed resources are left out. */
export function prefillFromSearch(search: URLSearchParams): ChangePrefill {
  const prefill: ChangePrefill = {};
  for (const key of TEXT_KEYS) {
    const value = search.get(key)?.trim();
    if (value) prefill[key] = value;
  }
  const type = search.get('type');
  if (type && (CHANGE_TYPES as readonly string[]).includes(type)) {
    prefill.type = type as ChangeType;
  }
  const resource = parseResourceKey(search.get('resource'));
  if (resource) prefill.resource = resource;
  return prefill;
}

export function parseResourceKey(
  key: string | null | undefined,
): ResourceRef | undefined {
  const parts = key?.split('/');
  if (parts?.length !== 4) return undefined;
  const [group, kind, namespace, name] = parts;
  if (!kind || !name) return undefined;
  return { group, kind, namespace, name };
}
