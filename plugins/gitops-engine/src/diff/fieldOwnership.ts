/* eslint-disable guard-for-in -- hot path over parsed JSON, which has no inherited keys; for-in allocates no key array */
import type { PathSegment } from './FieldPath';

/** A `fieldsV1` trie from `metadata.managedFields`: `f:<field>`, `k:{key}`, `v:<value>`, `i:<index>`, `.`. */
export type FieldsV1 = { readonly [entry: string]: FieldsV1 };

/**
 * How a manager relates to a path: it owns the path itself (`exact`), owns a whole ancestor such as an
 * atomic list (`ancestor`), owns only fields below it (`descendant`), or nothing.
 */
export type Ownership = 'none' | 'exact' | 'ancestor' | 'descendant';

/** An entry with no children: the field is owned as a whole. */
export function isLeafFields(fields: FieldsV1): boolean {
  for (const _ in fields) return false;
  return true;
}

/** Parses `k:` entries once per diff; they are small JSON objects such as `{"name":"web"}`. */
export class ListKeyCache {
  private readonly parsed = new Map<
    string,
    Readonly<Record<string, unknown>> | null
  >();

  /** `entry` is the full trie key, `k:{...}`; `undefined` when it is not a JSON object. */
  parse(entry: string): Readonly<Record<string, unknown>> | undefined {
    const cached = this.parsed.get(entry);
    if (cached !== undefined) return cached ?? undefined;
    let key: Readonly<Record<string, unknown>> | null = null;
    try {
      const value = JSON.parse(entry.slice(2));
      if (value && typeof value === 'object' && !Array.isArray(value))
        key = value;
    } catch {
      // A malformed entry owns nothing we can match.
    }
    this.parsed.set(entry, key);
    return key ?? undefined;
  }
}

/** True when the item carries exactly the key values; `defaults` fill key fields the server defaults. */
export function itemHasKey(
  item: unknown,
  key: Readonly<Record<string, unknown>>,
  defaults?: Readonly<Record<string, unknown>>,
): boolean {
  if (!item || typeof item !== 'object') return false;
  const record = item as Record<string, unknown>;
  for (const name in key) {
    const value = record[name] ?? defaults?.[name];
    if (value !== key[name]) return false;
  }
  return true;
}

function sameKey(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): boolean {
  let count = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    count += 1;
  }
  for (const _ in b) count -= 1;
  return count === 0;
}

function childFields(
  fields: FieldsV1,
  segment: PathSegment,
  keys: ListKeyCache,
): FieldsV1 | undefined {
  if ('field' in segment) return fields[`f:${segment.field}`];
  if ('key' in segment) {
    for (const entry in fields) {
      if (entry.startsWith('k:')) {
        const key = keys.parse(entry);
        if (key && sameKey(key, segment.key)) return fields[entry];
      }
    }
    return undefined;
  }
  if ('value' in segment) return fields[`v:${JSON.stringify(segment.value)}`];
  return fields[`i:${segment.index}`];
}

/** How the manager whose trie is `fields` relates to the path. */
export function ownershipAt(
  fields: FieldsV1 | undefined,
  segments: readonly PathSegment[],
  keys: ListKeyCache,
): Ownership {
  let node = fields;
  for (let i = 0; i < segments.length; i++) {
    if (node === undefined) return 'none';
    if (i > 0 && isLeafFields(node)) return 'ancestor';
    node = childFields(node, segments[i], keys);
  }
  if (node === undefined || segments.length === 0) return 'none';
  if (isLeafFields(node) || node['.'] !== undefined) return 'exact';
  return 'descendant';
}

/** The part of `owned` that `recorded` (built from an object) names; under its empty maps, only the node. */
export function intersectFields(
  owned: FieldsV1,
  recorded: FieldsV1,
  keys: ListKeyCache = new ListKeyCache(),
): FieldsV1 {
  const result: Record<string, FieldsV1> = {};
  for (const entry in owned) {
    const mine = owned[entry];
    if (entry === '.') {
      result[entry] = mine;
      continue;
    }
    const theirs = recorded[entry] ?? sameKeyEntry(recorded, entry, keys);
    if (theirs === undefined) continue;
    if (isLeafFields(mine)) {
      result[entry] = mine;
    } else if (isLeafFields(theirs)) {
      if (mine['.'] !== undefined) result[entry] = { '.': mine['.'] };
    } else {
      result[entry] = intersectFields(mine, theirs, keys);
    }
  }
  return result;
}

/** The `k:` entry of `fields` naming the same list key as `entry`, whatever the order of its key fields. */
function sameKeyEntry(
  fields: FieldsV1,
  entry: string,
  keys: ListKeyCache,
): FieldsV1 | undefined {
  if (!entry.startsWith('k:')) return undefined;
  const key = keys.parse(entry);
  if (key === undefined) return undefined;
  for (const candidate in fields) {
    if (!candidate.startsWith('k:')) continue;
    const other = keys.parse(candidate);
    if (other && sameKey(key, other)) return fields[candidate];
  }
  return undefined;
}
