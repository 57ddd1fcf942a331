/** How server-side apply merges a list (`x-kubernetes-list-type`); lists without a marker are atomic. */
export type ListType = 'atomic' | 'set' | 'map';

/** Scalar encodings whose text may differ while the value is the same, or whose type must not be coerced. */
export type ScalarFormat = 'quantity' | 'duration' | 'int-or-string';

/**
 * What the engine knows about one position in an object. Every property is optional: a position it knows
 * nothing about compares generically (maps by key, lists whole and in order, scalars by value).
 */
export interface SchemaNode {
  /** Known fields of a struct. Unknown fields fall back to `values`, then to the generic node. */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /** Every value of a free-form map (labels, data, resources.limits). */
  readonly values?: SchemaNode;
  /** Every item of a list. */
  readonly items?: SchemaNode;
  readonly listType?: ListType;
  /** Fields that identify an item of a `map` list, in `x-kubernetes-list-map-keys` order. */
  readonly keys?: readonly string[];
  /** Values the API server fills into key fields before keying (N6: `protocol: TCP`). */
  readonly keyDefaults?: Readonly<Record<string, string | number>>;
  /** `atomic` maps are owned and replaced whole, so extra keys in live are drift. */
  readonly mapType?: 'atomic' | 'granular';
  readonly format?: ScalarFormat;
  /** Never compared: server-populated or engine-owned (N1, N2, N16, N23). */
  readonly ignored?: boolean;
  /** Values are secret: drifts say only that they differ (N5). */
  readonly sensitive?: boolean;
  /** Atomic list whose order carries no meaning (N22: Endpoints subsets). */
  readonly unordered?: boolean;
  /** Atomic list where the server may repeat or add empty items (N21: HPA metrics). */
  readonly dedupe?: boolean;
  /** Controllers and tools are expected to write here (N19: `restartedAt`): never reported as added in live. */
  readonly foreignWritesExpected?: boolean;
  /** Free-form content (`x-kubernetes-preserve-unknown-fields`): compared generically. */
  readonly preserveUnknown?: boolean;
}

/** The node for positions nothing is known about: lists atomic, no quantities. */
export const GENERIC_NODE: SchemaNode = Object.freeze({});

/** Schema of the field `name` under `node`. */
export function childNode(node: SchemaNode, name: string): SchemaNode {
  const fields = node.fields;
  if (fields !== undefined) {
    const field = fields[name];
    if (field !== undefined) return field;
  }
  return node.values ?? GENERIC_NODE;
}

/** Schema of the items of the list at `node`. */
export function itemNode(node: SchemaNode): SchemaNode {
  return node.items ?? GENERIC_NODE;
}

/** The key fields of a map-list item, with the server's key defaults filled in (N6). */
export function listKeyOf(
  item: unknown,
  list: SchemaNode,
): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  const record = (item ?? {}) as Record<string, unknown>;
  for (const name of list.keys ?? []) {
    key[name] = record[name] ?? list.keyDefaults?.[name];
  }
  return key;
}
