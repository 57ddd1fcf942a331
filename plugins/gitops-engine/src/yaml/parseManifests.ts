import { isCollection, type Document } from 'yaml';
import type { SourceLocation } from '../errors';
import type { KubeObject } from '../types';
import {
  parseYaml,
  type ParseYamlOptions,
  type YamlDocument,
} from './parseYaml';
import { recordSource } from './sourceOf';
import {
  isPlainObject,
  validateManifest,
  type LocateField,
} from './validateManifest';

export interface ParseManifestsOptions extends ParseYamlOptions {
  /** Check each object with `validateManifest`. Default true. */
  validate?: boolean;
}

/**
 * Reads Kubernetes manifests from a multi-document YAML or JSON text: empty documents are skipped,
 * `kind: List` (and `*List`) items are expanded, and each object is validated. Each returned object's
 * origin (file, document index, line:column) is available through `sourceOf(object)`.
 */
export function parseManifests(
  text: string,
  options: ParseManifestsOptions = {},
): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseYaml(text, options)) {
    if (doc.value === null) {
      continue;
    }
    if (isList(doc.value)) {
      doc.value.items.forEach((item, i) => {
        const prefix = ['items', i];
        objects.push(
          accept(item, doc, locatorFor(doc, prefix), options.validate),
        );
      });
    } else {
      objects.push(
        accept(doc.value, doc, locatorFor(doc, []), options.validate),
      );
    }
  }
  return objects;
}

function accept(
  value: unknown,
  doc: YamlDocument,
  locate: LocateField,
  validate = true,
): KubeObject {
  const location: SourceLocation = {
    ...doc.location,
    ...(locate([]) ?? {}),
  };
  // Even unvalidated, a document that is not a mapping cannot be an object.
  if (validate || !isPlainObject(value)) {
    validateManifest(value, location, locate);
  }
  return recordSource(value as KubeObject, location);
}

function isList(value: unknown): value is { kind: string; items: unknown[] } {
  return (
    isPlainObject(value) &&
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  );
}

/** Finds the line of a field through the composed document, so errors point at the field itself. */
function locatorFor(
  doc: YamlDocument,
  prefix: ReadonlyArray<string | number>,
): LocateField {
  const document: Document.Parsed = doc.document;
  return path => {
    const full = [...prefix, ...path];
    for (let length = full.length; length >= 0; length--) {
      const node = document.getIn(full.slice(0, length), true);
      const range = (node as { range?: [number, number, number] } | undefined)
        ?.range;
      if (range && (length > 0 || isCollection(node))) {
        return doc.positionOf(range[0]);
      }
    }
    return undefined;
  };
}
