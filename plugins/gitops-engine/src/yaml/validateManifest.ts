import { EngineError, type SourceLocation } from '../errors';
import type { KubeObject } from '../types';

/** Maps a path inside the object to its line and column in the source, when known. */
export type LocateField = (
  path: ReadonlyArray<string | number>,
) => { line: number; column: number } | undefined;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
// RBAC objects are named by path segment (`system:controller:x`), not DNS subdomain.
const PATH_SEGMENT_NAMED_KINDS = new Set([
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
]);

/**
 * Checks what every manifest needs before it can be keyed, diffed or applied: string `apiVersion` and
 * `kind`, a `metadata.name` (or `generateName`) the API server would accept, an optional valid namespace,
 * and string label and annotation values. Throws `EngineError('MANIFEST_INVALID')` naming the field,
 * its line when `locate` knows it, and the file and document from `location`.
 */
export function validateManifest(
  value: unknown,
  location: SourceLocation = {},
  locate?: LocateField,
): asserts value is KubeObject {
  const fail: (path: Array<string | number>, message: string) => never = (
    path,
    message,
  ) => {
    throw new EngineError('MANIFEST_INVALID', message, {
      ...location,
      ...(locate?.(path) ?? {}),
      path: path.length > 0 ? formatFieldPath(path) : undefined,
    });
  };

  if (!isPlainObject(value)) {
    fail([], `a manifest must be a mapping, not ${describe(value)}`);
  }
  for (const field of ['apiVersion', 'kind'] as const) {
    if (value[field] === undefined) {
      fail([], `manifest has no ${field}`);
    }
    if (typeof value[field] !== 'string' || value[field] === '') {
      fail([field], `${field} must be a non-empty string`);
    }
  }
  const kind = value.kind as string;
  const metadata = value.metadata;
  if (metadata === undefined) {
    fail([], `${kind} has no metadata`);
  }
  if (!isPlainObject(metadata)) {
    fail(['metadata'], 'metadata must be a mapping');
  }
  const { name, generateName, namespace } = metadata;
  if (name === undefined && generateName === undefined) {
    fail(['metadata'], `${kind} has no metadata.name`);
  }
  if (name !== undefined) {
    checkName(name, kind, ['metadata', 'name'], fail);
  }
  if (generateName !== undefined && typeof generateName !== 'string') {
    fail(
      ['metadata', 'generateName'],
      'metadata.generateName must be a string',
    );
  }
  if (namespace !== undefined) {
    if (typeof namespace !== 'string' || !isDnsLabel(namespace)) {
      fail(
        ['metadata', 'namespace'],
        `namespace ${JSON.stringify(namespace)} is not a valid DNS label`,
      );
    }
  }
  checkStringMap(metadata.labels, 'labels', fail, (key, text) => {
    if (!isLabelKey(key)) {
      fail(
        ['metadata', 'labels', key],
        `label key ${JSON.stringify(key)} is not valid`,
      );
    }
    if (text.length > 63 || !LABEL_VALUE.test(text)) {
      fail(
        ['metadata', 'labels', key],
        `label value ${JSON.stringify(
          text,
        )} is not valid (at most 63 characters: letters, digits, '-', '_', '.')`,
      );
    }
  });
  checkStringMap(metadata.annotations, 'annotations', fail);
}

function checkName(
  name: unknown,
  kind: string,
  path: Array<string | number>,
  fail: (path: Array<string | number>, message: string) => never,
): void {
  if (typeof name !== 'string' || name === '') {
    fail(path, 'metadata.name must be a non-empty string');
    return;
  }
  const valid = PATH_SEGMENT_NAMED_KINDS.has(kind)
    ? !/[/%]/.test(name) && name !== '.' && name !== '..'
    : name.length <= 253 && DNS_SUBDOMAIN.test(name);
  if (!valid) {
    fail(
      path,
      `name ${JSON.stringify(
        name,
      )} is not valid for a ${kind} (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    );
  }
}

function checkStringMap(
  map: unknown,
  field: 'labels' | 'annotations',
  fail: (path: Array<string | number>, message: string) => never,
  checkEntry?: (key: string, value: string) => void,
): void {
  if (map === undefined || map === null) {
    return;
  }
  if (!isPlainObject(map)) {
    fail(['metadata', field], `metadata.${field} must be a mapping`);
    return;
  }
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'string') {
      fail(
        ['metadata', field, key],
        `metadata.${field}[${JSON.stringify(
          key,
        )}] must be a string, not ${describe(value)}; quote it in YAML`,
      );
    }
    checkEntry?.(key, value as string);
  }
}

function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    prefix !== undefined &&
    (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  ) {
    return false;
  }
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  return typeof value === 'object'
    ? 'a mapping'
    : `the ${typeof value} ${JSON.stringify(value)}`;
}

/** `['metadata', 'labels', 'app.kubernetes.io/name']` → `metadata.labels["app.kubernetes.io/name"]`. */
export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') {
        return `[${segment}]`;
      }
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) {
        return i === 0 ? segment : `.${segment}`;
      }
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}
