import { EngineError } from '../errors';
import { parseYaml } from '../yaml/parseYaml';
import { isPlainObject } from '../yaml/validateManifest';
import type { OpenedDocument } from './openDocument';
import { formatPath, type PathSegment } from './parsePath';
import type { FragmentValue } from './renderFragment';

export type PatchOperation =
  | { op: 'set'; value: FragmentValue }
  | { op: 'remove' };

/**
 * Re-reads the edited text and checks it means exactly the original plus the one change: every other
 * document equal, the target document equal to the original with the operation applied. A text edit that
 * does anything else is refused instead of returned.
 */
export function verifyPatch(
  opened: OpenedDocument,
  edited: string,
  segments: ReadonlyArray<PathSegment>,
  operation: PatchOperation,
): string {
  const path = formatPath(segments);
  let after;
  try {
    after = parseYaml(edited, { file: opened.file });
  } catch (error) {
    throw new EngineError(
      'PATCH_INVALID',
      `editing ${path} would break the file (${(error as Error).message})`,
      { file: opened.file, document: opened.index, path },
      { cause: error },
    );
  }
  const expected = opened.documents.map((doc, index) =>
    index === opened.index
      ? applyOperation(doc.value, segments, operation)
      : doc.value,
  );
  const same =
    after.length === expected.length &&
    after.every((doc, index) => sameData(doc.value, expected[index]));
  if (!same) {
    throw new EngineError(
      'PATCH_INVALID',
      `editing ${path} in place would change more than ${path}; edit this file by hand`,
      { file: opened.file, document: opened.index, path },
    );
  }
  return edited;
}

/** The document's value as it should read after the operation, computed on plain data. */
function applyOperation(
  value: unknown,
  segments: ReadonlyArray<PathSegment>,
  operation: PatchOperation,
): unknown {
  const root = { value: cloneData(value, new Map()) };
  let holder: Record<string, unknown> | unknown[] = root;
  let key: string | number = 'value';
  for (const segment of segments) {
    let current = (holder as Record<string | number, unknown>)[key];
    if (segment.type === 'key') {
      if (!isPlainObject(current)) {
        current = {};
        (holder as Record<string | number, unknown>)[key] = current;
      }
      holder = current as Record<string, unknown>;
      key = segment.key;
      continue;
    }
    if (!Array.isArray(current)) {
      current = [];
      (holder as Record<string | number, unknown>)[key] = current;
    }
    const list = current as unknown[];
    if (segment.type === 'index') {
      holder = list;
      key = segment.index;
      continue;
    }
    let position = list.findIndex(
      item =>
        isPlainObject(item) && String(item[segment.key]) === segment.value,
    );
    if (position < 0) {
      list.push({ [segment.key]: matchValue(segment.value) });
      position = list.length - 1;
    }
    holder = list;
    key = position;
  }
  const target = holder as Record<string | number, unknown>;
  if (operation.op === 'remove') {
    if (Array.isArray(holder)) {
      holder.splice(key as number, 1);
    } else {
      delete target[key];
    }
  } else if (isPlainObject(operation.value) && isPlainObject(target[key])) {
    // A new list item found by its key field keeps that field next to the given ones.
    target[key] = { ...(target[key] as object), ...operation.value };
  } else {
    target[key] = operation.value;
  }
  return root.value;
}

/** A created list item's key field is written as a number when it looks like one (`containerPort=8080`). */
export function matchValue(text: string): string | number {
  return /^-?(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : text;
}

/** Copies plain data, keeping values shared by YAML aliases shared, so an edit reaches every alias as YAML would. */
function cloneData(value: unknown, copies: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const known = copies.get(value);
  if (known !== undefined) {
    return known;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    value.forEach(item => copy.push(cloneData(item, copies)));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const [key, item] of Object.entries(value)) {
    copy[key] = cloneData(item, copies);
  }
  return copy;
}

/** Structural equality of plain data; key order carries no meaning in a mapping. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  ) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameData(item, b[i]))
    );
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(b).length &&
    aKeys.every(
      key =>
        Object.prototype.hasOwnProperty.call(b, key) &&
        sameData((a as Record<string, unknown>)[key], bRecord[key]),
    )
  );
}
