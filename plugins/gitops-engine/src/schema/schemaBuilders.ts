import type { SchemaNode } from './SchemaNode';
import { GENERIC_NODE } from './SchemaNode';

/** Freezes a node; field tables get no prototype, so `constructor` or `__proto__` are ordinary names. */
export function schemaNode(spec: SchemaNode): SchemaNode {
  if (spec.fields) {
    const fields = Object.assign(Object.create(null), spec.fields);
    return Object.freeze({ ...spec, fields: Object.freeze(fields) });
  }
  return Object.freeze({ ...spec });
}

export function struct(
  fields: Record<string, SchemaNode>,
  extra: SchemaNode = {},
): SchemaNode {
  return schemaNode({ ...extra, fields });
}

/** A list merged by key, e.g. containers by `name` or ports by `containerPort` + `protocol`. */
export function mapList(
  keys: readonly string[],
  items: SchemaNode = GENERIC_NODE,
  keyDefaults?: Record<string, string | number>,
): SchemaNode {
  return schemaNode({
    listType: 'map',
    keys,
    items,
    ...(keyDefaults ? { keyDefaults } : {}),
  });
}

export function atomicList(
  items: SchemaNode = GENERIC_NODE,
  extra: SchemaNode = {},
): SchemaNode {
  return schemaNode({ ...extra, listType: 'atomic', items });
}

export function setList(items: SchemaNode = GENERIC_NODE): SchemaNode {
  return schemaNode({ listType: 'set', items });
}

/** A free-form map whose values all share one schema. */
export function mapOf(values: SchemaNode, extra: SchemaNode = {}): SchemaNode {
  return schemaNode({ ...extra, values });
}

export const QUANTITY = schemaNode({ format: 'quantity' });
export const DURATION = schemaNode({ format: 'duration' });
export const INT_OR_STRING = schemaNode({ format: 'int-or-string' });
export const IGNORED = schemaNode({ ignored: true });
export const QUANTITY_MAP = mapOf(QUANTITY);
