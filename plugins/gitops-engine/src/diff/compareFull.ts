/* eslint-disable guard-for-in -- hot path over parsed JSON, which has no inherited keys; for-in allocates no key array */
import { dedupeMetrics } from '../normalize/hpaMetrics';
import { isOmittedZero, scalarEquals } from '../normalize/scalarEquals';
import type { SchemaNode } from '../schema/SchemaNode';
import { childNode, itemNode } from '../schema/SchemaNode';
import type { DiffRun } from './DiffRun';
import { findByListKey } from './compareAsserted';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** N3/N4 in both directions: null, `{}`, `[]`, omitted zero values and ignored fields are the same as absent. */
function isEmptyValue(value: unknown, node: SchemaNode): boolean {
  if (
    value === null ||
    value === undefined ||
    isOmittedZero(value) ||
    node.ignored
  )
    return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) {
    for (const key in value)
      if (!isEmptyValue(value[key], childNode(node, key))) return false;
    return true;
  }
  return false;
}

/**
 * Compares every field of two objects (tier 2: the dry-run prediction against live), with the same
 * normalization as tier 1. Fields only in `predicted` are `missing-in-live`; fields only in live are
 * `removed-from-git` (the apply would remove them).
 */
export function compareFull(
  predicted: unknown,
  live: unknown,
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  if (node.ignored) return true;
  const predictedEmpty = isEmptyValue(predicted, node);
  const liveEmpty = isEmptyValue(live, node);
  if (predictedEmpty && liveEmpty) return true;
  if (predicted === undefined || predicted === null) {
    run?.report('removed-from-git', node, undefined, live);
    return false;
  }
  if (live === undefined || live === null) {
    run?.report('missing-in-live', node, predicted, undefined);
    return false;
  }
  if (isRecord(predicted) && isRecord(live))
    return compareRecords(predicted, live, node, run);
  if (Array.isArray(predicted) && Array.isArray(live))
    return compareLists(predicted, live, node, run);
  if (
    typeof predicted !== 'object' &&
    typeof live !== 'object' &&
    scalarEquals(predicted, live, node)
  ) {
    return true;
  }
  run?.report('changed', node, predicted, live);
  return false;
}

function compareRecords(
  predicted: Record<string, unknown>,
  live: Record<string, unknown>,
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  let equal = true;
  const visit = (key: string) => {
    const child = childNode(node, key);
    if (child.ignored) return;
    run?.path.pushField(key);
    const ok = compareFull(predicted[key], live[key], child, run);
    run?.path.pop();
    if (!ok) equal = false;
  };
  for (const key in predicted) {
    visit(key);
    if (!equal && !run) return false;
  }
  for (const key in live) {
    if (key in predicted) continue;
    visit(key);
    if (!equal && !run) return false;
  }
  return equal;
}

function compareLists(
  predicted: unknown[],
  live: unknown[],
  node: SchemaNode,
  run: DiffRun | undefined,
): boolean {
  const items = itemNode(node);
  if (node.listType === 'map' && node.keys && node.keys.length > 0) {
    let equal = true;
    for (const item of predicted) {
      const match = findByListKey(live, item, node);
      run?.path.pushItem(item, node);
      if (!compareFull(item, match, items, run)) equal = false;
      run?.path.pop();
      if (!equal && !run) return false;
    }
    for (const item of live) {
      if (findByListKey(predicted, item, node) !== undefined) continue;
      run?.path.pushItem(item, node);
      if (!compareFull(undefined, item, items, run)) equal = false;
      run?.path.pop();
      if (!equal && !run) return false;
    }
    return equal;
  }
  let left = predicted;
  let right = live;
  if (node.dedupe) {
    left = dedupeMetrics(left);
    right = dedupeMetrics(right);
  }
  let equal = left.length === right.length;
  if (equal && (node.listType === 'set' || node.unordered)) {
    const used = new Array<boolean>(right.length).fill(false);
    for (const item of left) {
      const index = right.findIndex(
        (candidate, i) =>
          !used[i] && compareFull(item, candidate, items, undefined),
      );
      if (index < 0) {
        equal = false;
        break;
      }
      used[index] = true;
    }
  } else if (equal) {
    equal = left.every((item, i) =>
      compareFull(item, right[i], items, undefined),
    );
  }
  if (!equal) run?.report('changed', node, predicted, live);
  return equal;
}
