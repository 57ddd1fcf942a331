import type { FieldsV1 } from '../diff/fieldOwnership';
import { mergeStringData } from '../normalize/secretData';
import { LAST_APPLIED_ANNOTATION } from '../normalize/trackingMetadata';
import type { SchemaNode } from '../schema/SchemaNode';
import type { KubeObject } from '../types';
import { groupOf } from '../types';
import { fieldsFromObject } from './fieldsFromObject';

/** The field set recorded by client-side `kubectl apply`, or `undefined` when there is none or it is unreadable. */
export function lastAppliedFields(
  obj: KubeObject,
  root: SchemaNode,
): FieldsV1 | undefined {
  const text = obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  let applied: unknown;
  try {
    applied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!applied || typeof applied !== 'object' || Array.isArray(applied))
    return undefined;
  const record = applied as Record<string, unknown>;
  if (
    obj.kind === 'Secret' &&
    groupOf(obj.apiVersion ?? '') === '' &&
    record.stringData
  ) {
    // The server stores `stringData` keys under `data`, and managedFields name them there (N5).
    const { stringData, ...rest } = record;
    return fieldsFromObject(
      { ...rest, data: mergeStringData(rest.data, stringData) },
      root,
    );
  }
  return fieldsFromObject(record, root);
}
