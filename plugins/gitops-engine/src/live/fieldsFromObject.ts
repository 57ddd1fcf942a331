import type { SchemaNode } from '../schema/SchemaNode';
import { childNode, itemNode, listKeyOf } from '../schema/SchemaNode';
import type { FieldsV1 } from '../diff/fieldOwnership';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The field set an object asserts, in `fieldsV1` form. Used for objects that were applied client-side,
 * where the last-applied annotation is the only record of what the applier owns.
 */
export function fieldsFromObject(value: unknown, node: SchemaNode): FieldsV1 {
  const fields: Record<string, FieldsV1> = {};
  if (isRecord(value)) {
    for (const [name, child] of Object.entries(value)) {
      if (child === null || child === undefined) continue;
      fields[`f:${name}`] = fieldsFromObject(child, childNode(node, name));
    }
  } else if (Array.isArray(value)) {
    const items = itemNode(node);
    if (node.listType === 'map' && node.keys && node.keys.length > 0) {
      for (const item of value) {
        if (!isRecord(item)) continue;
        fields[`k:${JSON.stringify(listKeyOf(item, node))}`] = {
          '.': {},
          ...fieldsFromObject(item, items),
        };
      }
    } else if (node.listType === 'set') {
      for (const item of value) fields[`v:${JSON.stringify(item)}`] = {};
    }
  }
  return fields;
}
