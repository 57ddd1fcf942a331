import { EngineError } from '../errors';
import {
  PRUNE_ANNOTATION,
  TRACKING_LABEL,
} from '../normalize/trackingMetadata';
import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeObject, ResourceKey } from '../types';
import { formatResourceKey, resourceKeyOf } from '../types';

/**
 * - `Present`: desired and live: a diff decides whether it is Synced;
 * - `Missing`: desired, not live;
 * - `Extraneous`: live with our tracking label, no longer desired (prune candidate).
 */
export type InventoryStatus = 'Present' | 'Missing' | 'Extraneous';

export interface InventoryEntry {
  key: ResourceKey;
  status: InventoryStatus;
  live?: KubeObject;
  /** Extraneous entries only: `false` when `gitops.backstage.io/prune: disabled` keeps the object. */
  prune?: boolean;
}

export interface InventoryOptions {
  /** Only live objects whose tracking label names this application belong to it. */
  application?: string;
  /** Namespace for desired keys of namespaced kinds that carry none (N15). */
  defaultNamespace?: string;
  schema?: SchemaRegistry;
}

/**
 * Pairs the keys an application declares with the live objects that carry its tracking label. Returns
 * desired keys in their order, then extraneous objects in live order.
 */
export function computeInventory(
  desiredKeys: Iterable<ResourceKey>,
  liveObjects: Iterable<KubeObject>,
  options: InventoryOptions = {},
): InventoryEntry[] {
  const registry = options.schema ?? SchemaRegistry.builtin();
  const liveByKey = new Map<string, KubeObject>();
  for (const live of liveObjects) {
    if (!live || typeof live !== 'object' || typeof live.kind !== 'string') {
      throw new EngineError(
        'INPUT_INVALID',
        'inventory: a live object has no kind',
      );
    }
    const owner = live.metadata?.labels?.[TRACKING_LABEL];
    if (
      owner === undefined ||
      (options.application !== undefined && owner !== options.application)
    )
      continue;
    liveByKey.set(formatResourceKey(resourceKeyOf(live)), live);
  }

  const entries: InventoryEntry[] = [];
  const claimed = new Set<string>();
  for (const desiredKey of desiredKeys) {
    if (!desiredKey?.kind || !desiredKey.name) {
      throw new EngineError(
        'INPUT_INVALID',
        'inventory: a desired key has no kind or name',
      );
    }
    const candidates = candidateKeys(
      desiredKey,
      registry,
      options.defaultNamespace,
    );
    let key = candidates[0];
    for (const candidate of candidates) {
      if (liveByKey.has(formatResourceKey(candidate))) {
        key = candidate;
        break;
      }
    }
    const text = formatResourceKey(key);
    if (claimed.has(text)) continue;
    claimed.add(text);
    const live = liveByKey.get(text);
    entries.push(
      live ? { key, status: 'Present', live } : { key, status: 'Missing' },
    );
  }
  for (const [text, live] of liveByKey) {
    if (claimed.has(text)) continue;
    const prune = live.metadata?.annotations?.[PRUNE_ANNOTATION] !== 'disabled';
    entries.push({
      key: resourceKeyOf(live),
      status: 'Extraneous',
      live,
      prune,
    });
  }
  return entries;
}

/** The keys a desired key may stand for: scope decides the namespace; unknown scope tries both. */
function candidateKeys(
  key: ResourceKey,
  registry: SchemaRegistry,
  defaultNamespace?: string,
): ResourceKey[] {
  const namespaced = registry.isNamespacedKind(key.group, key.kind);
  if (namespaced === false) return [{ ...key, namespace: '' }];
  if (key.namespace || !defaultNamespace) return [key];
  const filled = { ...key, namespace: defaultNamespace };
  return namespaced ? [filled] : [filled, key];
}
