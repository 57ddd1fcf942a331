import { groupOf } from '../types';
import type { KubeObject } from '../types';
import type {
  OpenApiImportOptions,
  OpenApiV3Document,
} from './kindsFromOpenApi';
import {
  kindsFromCustomResourceDefinition,
  kindsFromOpenApiV3,
} from './kindsFromOpenApi';
import { BUILTIN_KINDS, OBJECT_METADATA, OBJECT_STATUS } from './builtinKinds';
import type { SchemaNode } from './SchemaNode';
import { IGNORED, struct } from './schemaBuilders';

/** What a caller may declare about a kind (a CRD the engine should understand, like Argo CD's knownTypeFields). */
export interface KindDefinition {
  group: string;
  kind: string;
  /** Unknown scope: the namespace is compared as written, never filled in or dropped. */
  namespaced?: boolean;
  /** Top-level fields other than metadata (`spec`, `data`, ...). */
  fields?: Readonly<Record<string, SchemaNode>>;
  /** Schema of `status`, used only when a diff opts in to comparing status. */
  status?: SchemaNode;
}

/** The compiled schema of one kind, ready for the diff's hot path. */
export interface KindSchema {
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean | undefined;
  /** False for kinds the registry has never heard of: they compare generically. */
  readonly known: boolean;
  /** Root node with `status` ignored (N2). */
  readonly root: SchemaNode;
  /** Root node that compares `status` too, for custom resources that opt in. */
  readonly rootWithStatus: SchemaNode;
}

function compile(definition: KindDefinition, known: boolean): KindSchema {
  const fields = definition.fields ?? {};
  const common = {
    ...fields,
    apiVersion: IGNORED,
    kind: IGNORED,
    metadata: OBJECT_METADATA,
  };
  return Object.freeze({
    group: definition.group,
    kind: definition.kind,
    namespaced: definition.namespaced,
    known,
    root: struct({ ...common, status: IGNORED }),
    rootWithStatus: struct({
      ...common,
      status: definition.status ?? OBJECT_STATUS,
    }),
  });
}

type KindTable = ReadonlyMap<string, ReadonlyMap<string, KindSchema>>;

function withDefinitions(
  table: KindTable,
  definitions: Iterable<KindDefinition>,
): KindTable {
  const next = new Map<string, Map<string, KindSchema>>();
  for (const [group, kinds] of table) next.set(group, new Map(kinds));
  for (const definition of definitions) {
    let kinds = next.get(definition.group);
    if (!kinds) {
      kinds = new Map();
      next.set(definition.group, kinds);
    }
    kinds.set(definition.kind, compile(definition, true));
  }
  return next;
}

const GENERIC_ROOTS = compile({ group: '', kind: '' }, false);

/**
 * Schema knowledge per group and kind: the built-in table for core kinds, extended from a cluster's
 * OpenAPI v3 or CRDs. Immutable: every `with...` returns a new registry, so one can be shared freely.
 */
export class SchemaRegistry {
  private static readonly BUILTIN = new SchemaRegistry(
    withDefinitions(new Map(), BUILTIN_KINDS),
  );

  /** The built-in table of core kinds, shared: it is immutable. */
  static builtin(): SchemaRegistry {
    return SchemaRegistry.BUILTIN;
  }

  private constructor(private readonly table: KindTable) {}

  /** The compiled schema of a kind; a generic one (lists atomic, no quantities) for unknown kinds. */
  kindSchema(apiVersion: string, kind: string): KindSchema {
    const found = this.table.get(groupOf(apiVersion))?.get(kind);
    return found ?? GENERIC_ROOTS;
  }

  /** `true` namespaced, `false` cluster-scoped, `undefined` unknown. */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.table.get(groupOf(apiVersion))?.get(kind)?.namespaced;
  }

  /** Scope by group and kind, for callers holding resource keys rather than objects. */
  isNamespacedKind(group: string, kind: string): boolean | undefined {
    return this.table.get(group)?.get(kind)?.namespaced;
  }

  /** Whether the registry knows the kind (built in, declared, or read from OpenAPI). */
  knows(apiVersion: string, kind: string): boolean {
    return this.table.get(groupOf(apiVersion))?.has(kind) ?? false;
  }

  /** Adds or replaces kinds. */
  withKinds(definitions: Iterable<KindDefinition>): SchemaRegistry {
    return new SchemaRegistry(withDefinitions(this.table, definitions));
  }

  /**
   * Adds the kinds of one group/version from the API server's OpenAPI v3 document. Kinds the registry
   * already knows keep their entry (the built-in table carries rules OpenAPI cannot express) unless
   * `replace` is set.
   */
  withOpenApiV3(
    document: OpenApiV3Document,
    options: OpenApiImportOptions & { replace?: boolean } = {},
  ): SchemaRegistry {
    const kinds = kindsFromOpenApiV3(document, options).filter(
      definition =>
        options.replace ||
        !this.table.get(definition.group)?.has(definition.kind),
    );
    return this.withKinds(kinds);
  }

  /** Adds the kinds that CustomResourceDefinition objects declare, with their scope and schema. */
  withCustomResourceDefinitions(crds: Iterable<KubeObject>): SchemaRegistry {
    const kinds: KindDefinition[] = [];
    for (const crd of crds)
      kinds.push(...kindsFromCustomResourceDefinition(crd));
    return this.withKinds(kinds);
  }

  /** Records the scope discovery reports for a kind, keeping what else is known about it. */
  withScope(group: string, kind: string, namespaced: boolean): SchemaRegistry {
    const existing = this.table.get(group)?.get(kind);
    return this.withKinds([
      { ...(existing ? definitionOf(existing) : { group, kind }), namespaced },
    ]);
  }
}

function definitionOf(schema: KindSchema): KindDefinition {
  const { apiVersion, kind, metadata, status, ...fields } =
    schema.root.fields ?? {};
  return {
    group: schema.group,
    kind: schema.kind,
    namespaced: schema.namespaced,
    fields,
    status: schema.rootWithStatus.fields?.status,
  };
}
