import type { FieldsV1 } from '../diff/fieldOwnership';
import { LAST_APPLIED_ANNOTATION } from '../normalize/trackingMetadata';
import type { SchemaNode } from '../schema/SchemaNode';
import type { KubeObject } from '../types';
import { fieldsFromObject } from './fieldsFromObject';

/** The field set recorded by client-side `kubectl apply`, or `undefined` when there is none or it is unreadable. */
export function lastAppliedFields(
  obj: KubeObject,
  root: SchemaNode,
): FieldsV1 | undefined {
  const text = obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  try {
    const applied = JSON.parse(text);
    return applied && typeof applied === 'object'
      ? fieldsFromObject(applied, root)
      : undefined;
  } catch {
    return undefined;
  }
}
