import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FieldsV1 } from '../diff/fieldOwnership';
import {
  CLIENT_SIDE_APPLY_MANAGER,
  clientSideApplyFields,
} from '../diff/LiveOwnership';
import { EngineError } from '../errors';
import { healthFields } from '../health/healthFields';
import { hashSecretValue } from '../normalize/secretData';
import {
  DEFAULT_FIELD_MANAGER,
  DEPLOYMENT_REVISION_ANNOTATION,
  LAST_APPLIED_ANNOTATION,
} from '../normalize/trackingMetadata';
import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeMetadata, KubeObject, ManagedFieldsEntry } from '../types';
import { groupOf } from '../types';
import { COMPACT_DICTIONARY } from './compactDictionary';
import { lastAppliedFields } from './lastAppliedFields';

/**
 * A live object as a cache should keep it: metadata the engine reads, the fields health reads, and the
 * rest (content and ownership) deflated into `packed`. `status` keeps only what health reads, so a
 * diff with `compareStatus` needs the raw object. `assessHealth` reads it directly; `diffObjects`
 * expands it. Secret values are kept only as hashes.
 */
export interface CompactLiveObject extends KubeObject {
  /** Latin-1 string of the deflated `{c: content, m: managedFields}` JSON. */
  packed: string;
}

export interface CompactOptions {
  /** Our field manager; default `backstage-gitops`. */
  fieldManager?: string;
  schema?: SchemaRegistry;
}

/** Metadata kept unpacked: identity, change detection, and what inventory and health read. */
const KEPT_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'deletionTimestamp',
  'finalizers',
];

interface PackedPayload {
  c: Record<string, unknown>;
  m: ManagedFieldsEntry[];
}

function keptMetadata(metadata: KubeMetadata): KubeMetadata {
  const kept: KubeMetadata = {};
  for (const field of KEPT_METADATA) {
    if (metadata[field] !== undefined) kept[field] = metadata[field];
  }
  if (metadata.labels) kept.labels = metadata.labels;
  if (metadata.annotations) {
    const {
      [LAST_APPLIED_ANNOTATION]: lastApplied,
      [DEPLOYMENT_REVISION_ANNOTATION]: revision,
      ...rest
    } = metadata.annotations;
    if (Object.keys(rest).length > 0) kept.annotations = rest;
  }
  return kept;
}

/** Ownership the diff needs: no timestamps, no status subresource (status is never compared by default). */
function keptManagedFields(
  obj: KubeObject,
  options: CompactOptions,
): ManagedFieldsEntry[] {
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const registry = options.schema ?? SchemaRegistry.builtin();
  // The annotation itself is not kept, so its field set is applied here, the way the diff applies it.
  const applied = lastAppliedFields(
    obj,
    registry.kindSchema(obj.apiVersion, obj.kind).root,
  );
  const entries: ManagedFieldsEntry[] = [];
  let ours = false;
  for (const entry of obj.metadata.managedFields ?? []) {
    if (entry.subresource === 'status' || !entry.fieldsV1) continue;
    const kept: ManagedFieldsEntry = {
      manager: entry.manager,
      operation: entry.operation,
      fieldsV1:
        entry.manager === CLIENT_SIDE_APPLY_MANAGER
          ? clientSideApplyFields(entry.fieldsV1 as FieldsV1, applied)
          : entry.fieldsV1,
    };
    if (entry.subresource) kept.subresource = entry.subresource;
    if (
      entry.manager === fieldManager &&
      entry.operation === 'Apply' &&
      !entry.subresource
    )
      ours = true;
    entries.push(kept);
  }
  if (!ours && applied) {
    // Client-side applied: the annotation is the record of what was applied; keep its field set, not its values.
    entries.unshift({
      manager: fieldManager,
      operation: 'Apply',
      fieldsV1: applied,
    });
  }
  return entries;
}

function hashedSecretData(data: unknown): Record<string, string> | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const hashed: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    hashed[key] = hashSecretValue(typeof value === 'string' ? value : '');
  }
  return hashed;
}

export function compactLiveObject(
  obj: KubeObject,
  options: CompactOptions = {},
): CompactLiveObject {
  if (
    !obj ||
    typeof obj !== 'object' ||
    !obj.metadata ||
    typeof obj.kind !== 'string'
  ) {
    throw new EngineError(
      'INPUT_INVALID',
      'compactLiveObject needs a Kubernetes object with kind and metadata',
    );
  }
  const { apiVersion, kind, metadata, status, ...content } = obj;
  if (
    groupOf(apiVersion) === '' &&
    kind === 'Secret' &&
    content.data !== undefined
  ) {
    content.data = hashedSecretData(content.data);
  }
  const payload: PackedPayload = {
    c: content,
    m: keptManagedFields(obj, options),
  };
  const packed = deflateRawSync(JSON.stringify(payload), {
    dictionary: COMPACT_DICTIONARY,
  }).toString('latin1');
  const health = healthFields(obj);
  return {
    apiVersion,
    kind,
    metadata: keptMetadata(metadata),
    ...(health.spec ? { spec: health.spec } : {}),
    ...(health.status !== undefined ? { status: health.status } : {}),
    packed,
  };
}

export function isCompactLiveObject(obj: unknown): obj is CompactLiveObject {
  return typeof (obj as CompactLiveObject | undefined)?.packed === 'string';
}

/** The object `diffObjects` compares: full content and managedFields, health's status, no last-applied. */
export function expandLiveObject(compact: CompactLiveObject): KubeObject {
  let payload: PackedPayload;
  try {
    const json = inflateRawSync(Buffer.from(compact.packed, 'latin1'), {
      dictionary: COMPACT_DICTIONARY,
    });
    payload = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new EngineError(
      'INPUT_INVALID',
      'compact live object is corrupt',
      {},
      { cause: error },
    );
  }
  const { packed, spec, status, ...rest } = compact;
  return {
    ...rest,
    ...payload.c,
    metadata: { ...compact.metadata, managedFields: payload.m },
    ...(status !== undefined ? { status } : {}),
  } as KubeObject;
}
