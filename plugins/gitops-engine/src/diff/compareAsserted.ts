/* eslint-disable guard-for-in -- hot path over parsed JSON, which has no inherited keys; for-in allocates no key array */
import { dedupeMetrics } from '../normalize/hpaMetrics';
import { isAbsent } from '../normalize/isAbsent';
import { isOmittedZero, scalarEquals } from '../normalize/scalarEquals';
import type { SchemaNode } from '../schema/SchemaNode';
import { childNode, itemNode, listKeyOf } from '../schema/SchemaNode';
import type { DiffRun } from './DiffRun';
import { formatPath } from './FieldPath';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tier 1 (reference §8.3): compares only what desired asserts, so API-server defaults never drift.
 * Returns whether live satisfies desired. With a run, reports every drift; without one, it is a pure
 * test that stops at the first difference (used inside atomic lists).
 */
export function compareAsserted(
  desired: unknown,
  live: unknown,
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  if (desired === null || desired === undefined || node.ignored) return true;
  if (typeof desired !== 'object') {
    if (scalarEquals(desired, live, node)) return true;
    if ((live === undefined || live === null) && isOmittedZero(desired))
      return true;
    run?.report(
      isAbsent(live) ? 'missing-in-live' : 'changed',
      node,
      desired,
      live,
    );
    return false;
  }
  if (Array.isArray(desired)) return compareList(desired, live, node, run);
  return compareMap(desired as Record<string, unknown>, live, node, run);
}

/** N3/N4: `{}`, `[]`, `null` and omitted zero values assert nothing against an absent live field. */
function assertsNothing(
  desired: Record<string, unknown>,
  node: SchemaNode,
): boolean {
  for (const key in desired) {
    if (
      !compareAsserted(desired[key], undefined, childNode(node, key), undefined)
    )
      return false;
  }
  return true;
}

function compareMap(
  desired: Record<string, unknown>,
  live: unknown,
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  if (!isRecord(live)) {
    if (isAbsent(live) && assertsNothing(desired, node)) return true;
    run?.report(
      isAbsent(live) ? 'missing-in-live' : 'changed',
      node,
      desired,
      live,
    );
    return false;
  }
  if (node.mapType === 'atomic' && node.values !== undefined) {
    if (atomicMapEqual(desired, live, node)) return true;
    run?.report('changed', node, desired, live);
    return false;
  }
  let equal = true;
  for (const key in desired) {
    const value = desired[key];
    if (value === null || value === undefined) continue;
    const child = childNode(node, key);
    if (child.ignored) continue;
    if (run === undefined) {
      if (!compareAsserted(value, live[key], child, undefined)) return false;
      continue;
    }
    run.path.pushField(key);
    if (!compareAsserted(value, live[key], child, run)) equal = false;
    run.path.pop();
  }
  return equal;
}

/** A map owned whole (`nodeSelector`, Service `selector`): a key added in live is drift too. */
function atomicMapEqual(
  desired: Record<string, unknown>,
  live: Record<string, unknown>,
  node: SchemaNode,
): boolean {
  for (const key in desired) {
    if (
      !compareAsserted(desired[key], live[key], childNode(node, key), undefined)
    )
      return false;
  }
  for (const key in live) {
    const value = live[key];
    if (isAbsent(desired[key]) && !isAbsent(value) && !isOmittedZero(value))
      return false;
  }
  return true;
}

function compareList(
  desired: unknown[],
  live: unknown,
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  if (!Array.isArray(live)) {
    if (isAbsent(live) && desired.every(item => isAbsent(item))) return true;
    run?.report(
      isAbsent(live) ? 'missing-in-live' : 'changed',
      node,
      desired,
      live,
    );
    return false;
  }
  if (node.listType === 'map' && node.keys && node.keys.length > 0) {
    return compareMapList(desired, live, node, run);
  }
  if (node.listType === 'set') return compareSet(desired, live, node, run);
  if (atomicListEqual(desired, live, node)) return true;
  run?.report('changed', node, desired, live);
  return false;
}

function atomicListEqual(
  desired: unknown[],
  live: unknown[],
  node: SchemaNode,
): boolean {
  let left = desired;
  let right = live;
  if (node.dedupe) {
    left = dedupeMetrics(left);
    right = dedupeMetrics(right);
  }
  if (left.length !== right.length) return false;
  const items = itemNode(node);
  if (node.unordered) return unorderedEqual(left, right, items);
  for (let i = 0; i < left.length; i++) {
    if (!compareAsserted(left[i], right[i], items, undefined)) return false;
  }
  return true;
}

/** N22: each desired item matches a distinct live item, in any order. */
function unorderedEqual(
  desired: unknown[],
  live: unknown[],
  items: SchemaNode,
): boolean {
  const used = new Array<boolean>(live.length).fill(false);
  for (const item of desired) {
    let found = false;
    for (let i = 0; i < live.length; i++) {
      if (!used[i] && compareAsserted(item, live[i], items, undefined)) {
        used[i] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

function sameListKey(a: unknown, b: unknown, node: SchemaNode): boolean {
  const left = (a ?? {}) as Record<string, unknown>;
  const right = (b ?? {}) as Record<string, unknown>;
  const defaults = node.keyDefaults;
  for (const name of node.keys!) {
    const l = left[name] ?? defaults?.[name];
    const r = right[name] ?? defaults?.[name];
    if (l !== r) return false;
  }
  return true;
}

/** The live item with the same key as `item`, with key defaults applied on both sides (N6). */
export function findByListKey(
  list: readonly unknown[],
  item: unknown,
  node: SchemaNode,
): unknown {
  for (let i = 0; i < list.length; i++) {
    const candidate = list[i];
    if (!isAbsent(candidate) && sameListKey(item, candidate, node))
      return candidate;
  }
  return undefined;
}

/** N14: an item whose key repeats an earlier one, if any. */
function duplicateKeyItem(list: readonly unknown[], node: SchemaNode): unknown {
  for (let i = 1; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      if (
        !isAbsent(list[i]) &&
        !isAbsent(list[j]) &&
        sameListKey(list[i], list[j], node)
      )
        return list[i];
    }
  }
  return undefined;
}

function compareMapList(
  desired: unknown[],
  live: unknown[],
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  const items = itemNode(node);
  const duplicate =
    duplicateKeyItem(desired, node) ?? duplicateKeyItem(live, node);
  if (duplicate !== undefined) {
    // Server-side apply rejects duplicate keys; the best we can do is compare in order.
    run?.warn(
      `${run.path.toString()}: duplicate entries for key ${formatPath([
        { key: listKeyOf(duplicate, node) },
      ])}; compared by position`,
    );
    if (
      desired.length === live.length &&
      desired.every((item, i) =>
        compareAsserted(item, live[i], items, undefined),
      )
    ) {
      return true;
    }
    run?.report('changed', node, desired, live);
    return false;
  }
  let equal = true;
  for (let i = 0; i < desired.length; i++) {
    const item = desired[i];
    if (item === null || item === undefined) continue;
    const match = findByListKey(live, item, node);
    if (run === undefined) {
      if (
        match === undefined ||
        !compareAsserted(item, match, items, undefined)
      )
        return false;
      continue;
    }
    run.path.pushItem(item, node);
    if (match === undefined) {
      run.report('missing-in-live', items, item, undefined);
      equal = false;
    } else if (!compareAsserted(item, match, items, run)) {
      equal = false;
    }
    run.path.pop();
  }
  return equal;
}

function compareSet(
  desired: unknown[],
  live: unknown[],
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  const items = itemNode(node);
  let equal = true;
  for (const value of desired) {
    if (value === null || value === undefined) continue;
    if (live.some(candidate => scalarEquals(value, candidate, items))) continue;
    if (run === undefined) return false;
    run.path.pushValue(value);
    run.report('missing-in-live', items, value, undefined);
    run.path.pop();
    equal = false;
  }
  return equal;
}
