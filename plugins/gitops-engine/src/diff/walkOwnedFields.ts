/* eslint-disable guard-for-in -- hot path over parsed JSON, which has no inherited keys; for-in allocates no key array */
import { scalarEquals } from '../normalize/scalarEquals';
import type { SchemaNode } from '../schema/SchemaNode';
import { childNode, itemNode } from '../schema/SchemaNode';
import type { DiffRun } from './DiffRun';
import type { FieldsV1 } from './fieldOwnership';
import { isLeafFields, itemHasKey } from './fieldOwnership';

const FIELD = 'f'.charCodeAt(0);
const KEY = 'k'.charCodeAt(0);
const VALUE = 'v'.charCodeAt(0);

/** What a walk over one manager's fields is looking for. */
type OwnedWalk =
  | { readonly kind: 'removed' }
  | { readonly kind: 'added'; readonly manager: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fields our manager owns that desired no longer sets and no other manager shares: the next apply
 * removes them (or resets them to their defaults), so they are drift (reference §3.2, §8.3).
 */
export function reportRemovedFromGit(
  run: DiffRun,
  desired: unknown,
  live: unknown,
  root: SchemaNode,
): void {
  const ours = run.ownership.ours;
  if (ours !== undefined)
    walkOwned(ours, desired, live, root, run, { kind: 'removed' });
}

/** Strict mode: fields `kubectl*` Update managers added that desired does not set. */
export function reportAddedInLive(
  run: DiffRun,
  desired: unknown,
  live: unknown,
  root: SchemaNode,
): void {
  for (const entry of run.ownership.kubectlUpdates()) {
    walkOwned(entry.fields, desired, live, root, run, {
      kind: 'added',
      manager: entry.manager,
    });
  }
}

function walkOwned(
  fields: FieldsV1,
  desired: unknown,
  live: unknown,
  node: SchemaNode,
  run: DiffRun,
  walk: OwnedWalk,
): void {
  for (const entry in fields) {
    const first = entry.charCodeAt(0);
    if (first === FIELD) {
      if (!isRecord(live)) continue;
      const name = entry.slice(2);
      const liveValue = live[name];
      if (liveValue === undefined) continue;
      const child = childNode(node, name);
      if (
        child.ignored ||
        (walk.kind === 'added' && child.foreignWritesExpected)
      )
        continue;
      run.path.pushField(name);
      visit(
        fields[entry],
        isRecord(desired) ? desired[name] : undefined,
        liveValue,
        child,
        run,
        walk,
      );
      run.path.pop();
    } else if (first === KEY) {
      if (!Array.isArray(live)) continue;
      const key = run.ownership.keys.parse(entry);
      if (key === undefined) continue;
      const liveItem = live.find(item => itemHasKey(item, key));
      if (liveItem === undefined) continue;
      const desiredItem = Array.isArray(desired)
        ? desired.find(item => itemHasKey(item, key, node.keyDefaults))
        : undefined;
      run.path.pushItem(liveItem, node);
      visit(
        fields[entry],
        desiredItem,
        liveItem,
        itemNode(node),
        run,
        walk,
        true,
      );
      run.path.pop();
    } else if (first === VALUE) {
      if (!Array.isArray(live)) continue;
      let value: unknown;
      try {
        value = JSON.parse(entry.slice(2));
      } catch {
        continue;
      }
      const items = itemNode(node);
      if (!live.some(member => scalarEquals(value, member, items))) continue;
      if (
        Array.isArray(desired) &&
        desired.some(member => scalarEquals(member, value, items))
      )
        continue;
      run.path.pushValue(value);
      candidate(fields[entry], value, items, run, walk, true);
      run.path.pop();
    }
  }
}

/** `item`: the position is a list item or set member, which server-side apply keeps or removes whole. */
function visit(
  fields: FieldsV1,
  desired: unknown,
  live: unknown,
  node: SchemaNode,
  run: DiffRun,
  walk: OwnedWalk,
  item = false,
): void {
  if (desired === null || desired === undefined)
    candidate(fields, live, node, run, walk, item);
  else if (!isLeafFields(fields))
    walkOwned(fields, desired, live, node, run, walk);
}

function isEmptyRecord(value: Record<string, unknown>): boolean {
  for (const _ in value) return false;
  return true;
}

/** A live value as a drift may show it: never the fields the engine ignores, such as last-applied (N1). */
function withoutIgnored(value: unknown, node: SchemaNode): unknown {
  if (!isRecord(value)) return value;
  const shown: Record<string, unknown> = {};
  for (const key in value) {
    const child = childNode(node, key);
    if (!child.ignored) shown[key] = withoutIgnored(value[key], child);
  }
  return shown;
}

/** The manager owns the node itself, not only fields below it. */
function ownsNode(fields: FieldsV1): boolean {
  return isLeafFields(fields) || fields['.'] !== undefined;
}

function candidate(
  fields: FieldsV1,
  live: unknown,
  node: SchemaNode,
  run: DiffRun,
  walk: OwnedWalk,
  item = false,
): void {
  if (walk.kind === 'added') {
    // Keys of a free-form map, or fields added to a struct the manager did not create, count one by one.
    if (
      !item &&
      isRecord(live) &&
      !isLeafFields(fields) &&
      (node.values !== undefined || !ownsNode(fields))
    ) {
      walkOwned(fields, undefined, live, node, run, walk);
      return;
    }
    const shown = withoutIgnored(live, node);
    if (isRecord(shown) && isEmptyRecord(shown)) return;
    run.report('added-in-live', node, undefined, shown, walk.manager);
    return;
  }
  const shared = run.ownership.othersOwnership(run.path.segments());
  if (shared === 'exact' || shared === 'ancestor') return;
  // An item we own whole is removed whole: fields others own inside it do not keep it (structured-merge-diff prune).
  if (shared === 'descendant' && !(item && ownsNode(fields))) {
    // Another manager owns part of it: only our parts below would go.
    if (!isLeafFields(fields))
      walkOwned(fields, undefined, live, node, run, walk);
    return;
  }
  run.report(
    'removed-from-git',
    node,
    undefined,
    live,
    run.ownership.fieldManager,
  );
}
