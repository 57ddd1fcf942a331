import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import type { KindDefinition } from './SchemaRegistry';
import type { SchemaNode } from './SchemaNode';
import { GENERIC_NODE } from './SchemaNode';
import {
  DURATION,
  INT_OR_STRING,
  QUANTITY,
  schemaNode,
} from './schemaBuilders';

/** The parts of an OpenAPI v3 / JSON schema the engine reads. */
interface JsonSchema {
  $ref?: string;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  type?: string | string[];
  format?: string;
  pattern?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: {
    group?: string;
    version?: string;
    kind?: string;
  }[];
}

/** Shape of `/openapi/v3/apis/<group>/<version>` (and `/openapi/v3/api/v1`). */
export interface OpenApiV3Document {
  components?: { schemas?: Record<string, unknown> };
  [field: string]: unknown;
}

const REF_PREFIX = '#/components/schemas/';

/** Quantity-typed int-or-string fields in CRDs carry the Quantity pattern (with its binary suffixes). */
function looksLikeQuantityPattern(pattern: string | undefined): boolean {
  return pattern !== undefined && /\[KMGTPE\]i|Ki\|Mi/.test(pattern);
}

/** Go duration patterns as controller-gen writes them, e.g. `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`. */
function looksLikeDurationPattern(pattern: string | undefined): boolean {
  return pattern !== undefined && /\(ms\|s\|m\|h\)|\(ns\|us\|/.test(pattern);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class SchemaConverter {
  private readonly byRef = new Map<string, SchemaNode>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly schemas: Record<string, unknown>) {}

  fromRef(ref: string): SchemaNode {
    const name = ref.startsWith(REF_PREFIX)
      ? ref.slice(REF_PREFIX.length)
      : ref;
    if (name.endsWith('.api.resource.Quantity')) return QUANTITY;
    if (name.endsWith('.util.intstr.IntOrString')) return INT_OR_STRING;
    if (name.endsWith('.apis.meta.v1.Duration')) return DURATION;
    const done = this.byRef.get(name);
    if (done) return done;
    // Recursive schemas (JSONSchemaProps) stop at the cycle and compare generically below it.
    if (this.inProgress.has(name)) return GENERIC_NODE;
    const target = this.schemas[name];
    if (!isObject(target)) return GENERIC_NODE;
    this.inProgress.add(name);
    const node = this.convert(target as JsonSchema);
    this.inProgress.delete(name);
    this.byRef.set(name, node);
    return node;
  }

  convert(schema: JsonSchema): SchemaNode {
    let base: SchemaNode = GENERIC_NODE;
    if (schema.$ref) base = this.fromRef(schema.$ref);
    for (const part of schema.allOf ?? [])
      base = merge(base, this.convert(part));
    if (base.format) return base;

    const spec: { -readonly [K in keyof SchemaNode]: SchemaNode[K] } = {
      ...base,
    };
    const intOrString =
      schema['x-kubernetes-int-or-string'] === true ||
      schema.format === 'int-or-string';
    if (
      schema.format === 'quantity' ||
      (intOrString && looksLikeQuantityPattern(schema.pattern))
    ) {
      return QUANTITY;
    }
    if (intOrString) return INT_OR_STRING;
    if (
      schema.format === 'duration' ||
      looksLikeDurationPattern(schema.pattern)
    )
      return DURATION;
    if (schema['x-kubernetes-preserve-unknown-fields'])
      spec.preserveUnknown = true;

    if (schema.properties) {
      const fields: Record<string, SchemaNode> = { ...(base.fields ?? {}) };
      for (const [name, property] of Object.entries(schema.properties)) {
        if (isObject(property))
          fields[name] = this.convert(property as JsonSchema);
      }
      spec.fields = fields;
    }
    if (isObject(schema.additionalProperties)) {
      spec.values = this.convert(schema.additionalProperties as JsonSchema);
    }
    if (schema['x-kubernetes-map-type'] === 'atomic') spec.mapType = 'atomic';
    if (schema.items && isObject(schema.items)) {
      spec.items = this.convert(schema.items);
      const listType = schema['x-kubernetes-list-type'];
      spec.listType =
        listType === 'map' || listType === 'set' ? listType : 'atomic';
      if (listType === 'map') {
        const keys = schema['x-kubernetes-list-map-keys'] ?? [];
        spec.keys = keys;
        const keyDefaults = this.keyDefaults(schema.items, keys);
        if (keyDefaults) spec.keyDefaults = keyDefaults;
      }
    }
    return schemaNode(spec);
  }

  /** Defaults of key fields (ContainerPort `protocol: TCP`): the server fills them in before keying. */
  private keyDefaults(items: JsonSchema, keys: readonly string[]) {
    const properties = this.propertiesOf(items);
    const defaults: Record<string, string | number> = {};
    let any = false;
    for (const key of keys) {
      const value = properties?.[key]?.default;
      if (typeof value === 'string' || typeof value === 'number') {
        defaults[key] = value;
        any = true;
      }
    }
    return any ? defaults : undefined;
  }

  private propertiesOf(
    schema: JsonSchema,
  ): Record<string, JsonSchema> | undefined {
    if (schema.properties) return schema.properties;
    const ref = schema.$ref ?? schema.allOf?.find(part => part.$ref)?.$ref;
    if (!ref) return undefined;
    const target = this.schemas[ref.slice(REF_PREFIX.length)];
    return isObject(target) ? (target as JsonSchema).properties : undefined;
  }
}

function merge(a: SchemaNode, b: SchemaNode): SchemaNode {
  if (a === GENERIC_NODE) return b;
  if (b === GENERIC_NODE) return a;
  return schemaNode({
    ...a,
    ...b,
    fields: a.fields || b.fields ? { ...a.fields, ...b.fields } : undefined,
  });
}

function definitionFromRoot(
  group: string,
  kind: string,
  root: SchemaNode,
  namespaced: boolean | undefined,
): KindDefinition {
  const {
    apiVersion,
    kind: kindField,
    metadata,
    status,
    ...fields
  } = root.fields ?? {};
  return { group, kind, namespaced, fields, status };
}

export interface OpenApiImportOptions {
  /** Scope per kind, from discovery (OpenAPI does not carry it). */
  namespaced?: Readonly<Record<string, boolean>>;
}

/**
 * Reads every kind of a group/version from the OpenAPI v3 document the API server serves at
 * `/openapi/v3/apis/<group>/<version>`: list types and keys, map types, quantities, durations,
 * int-or-string and preserve-unknown-fields.
 */
export function kindsFromOpenApiV3(
  document: OpenApiV3Document,
  options: OpenApiImportOptions = {},
): KindDefinition[] {
  const schemas = document?.components?.schemas;
  if (!isObject(schemas)) {
    throw new EngineError(
      'SCHEMA_INVALID',
      'OpenAPI v3 document has no components.schemas',
    );
  }
  const converter = new SchemaConverter(schemas);
  const definitions: KindDefinition[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema)) continue;
    const gvks = (schema as JsonSchema)['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks)) continue;
    for (const gvk of gvks) {
      if (!gvk?.kind || gvk.kind.endsWith('List')) continue;
      const root = converter.fromRef(name);
      definitions.push(
        definitionFromRoot(
          gvk.group ?? '',
          gvk.kind,
          root,
          options.namespaced?.[gvk.kind],
        ),
      );
    }
  }
  return definitions;
}

/** Reads kind, scope and structural schema from a CustomResourceDefinition (its storage version). */
export function kindsFromCustomResourceDefinition(
  crd: KubeObject,
): KindDefinition[] {
  const spec = crd.spec as
    | {
        group?: string;
        scope?: string;
        names?: { kind?: string };
        versions?: {
          name?: string;
          storage?: boolean;
          served?: boolean;
          schema?: { openAPIV3Schema?: unknown };
        }[];
      }
    | undefined;
  const group = spec?.group;
  const kind = spec?.names?.kind;
  if (crd.kind !== 'CustomResourceDefinition' || !group || !kind) {
    throw new EngineError(
      'SCHEMA_INVALID',
      'not a CustomResourceDefinition with spec.group and spec.names.kind',
      {
        path: 'spec',
      },
    );
  }
  const versions = spec?.versions ?? [];
  const version =
    versions.find(v => v.storage) ??
    versions.find(v => v.served) ??
    versions[0];
  const openApi = version?.schema?.openAPIV3Schema;
  const root = isObject(openApi)
    ? new SchemaConverter({}).convert(openApi as JsonSchema)
    : GENERIC_NODE;
  return [
    definitionFromRoot(
      group,
      kind,
      root,
      spec?.scope ? spec.scope !== 'Cluster' : undefined,
    ),
  ];
}
