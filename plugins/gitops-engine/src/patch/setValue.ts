import { CST } from 'yaml';
import { EngineError } from '../errors';
import {
  columnOf,
  contentEnd,
  isNullValue,
  isSeqToken,
  itemEnd,
  itemStart,
  realItems,
  valueEnd,
  type CollectionToken,
} from './cst';
import { formatScalar, type ScalarStyle } from './formatScalar';
import {
  openDocument,
  type DocumentTarget,
  type OpenedDocument,
} from './openDocument';
import { formatPath, parsePath, type PathSegment } from './parsePath';
import {
  assertFragment,
  blockMapLines,
  blockSeqLines,
  flowText,
  formatKey,
  isScalarValue,
  type FragmentValue,
} from './renderFragment';
import { applySplices, type Splice } from './splice';
import { matchValue, verifyPatch } from './verifyPatch';
import { walkPath, type Slot } from './walkPath';

const QUOTE_STYLES: Partial<Record<CST.Token['type'], ScalarStyle>> = {
  'single-quoted-scalar': 'single',
  'double-quoted-scalar': 'double',
};

/** A readable path (`spec.template.spec.containers[name=web].image`) or its parsed segments. */
export type PatchPath = string | ReadonlyArray<PathSegment>;

export interface PatchOptions {
  /** Named in errors. */
  file?: string;
}

export interface SetValueOptions extends PatchOptions {
  /** Insert missing keys and list items (default). When false, a missing path is `PATCH_TARGET_NOT_FOUND`. */
  create?: boolean;
}

/**
 * Sets the value at `path` in one document of a YAML (or JSON) file, editing only the bytes of that value:
 * comments, blank lines, quoting, flow collections, anchors, line endings and other documents stay as they
 * were. A missing key is inserted with the surrounding indentation; a missing list item selected by
 * `[key=value]` is appended. The result is re-read and must differ from the input by exactly this change.
 */
export function setValue(
  text: string,
  target: DocumentTarget,
  path: PatchPath,
  value: FragmentValue,
  options: SetValueOptions = {},
): string {
  const segments =
    typeof path === 'string' ? parsePath(path, options.file) : path;
  const pathText = formatPath(segments);
  assertFragment(value, pathText);
  const opened = openDocument(text, target, options.file);
  const walk = walkPath(opened.cst, segments, opened.where);

  let splices: Splice[];
  if (walk.found && !isNullValue(walk.slot.value)) {
    splices = replaceValue(opened, walk.slot, value, pathText);
  } else if (walk.found) {
    splices = fillSlot(opened, walk.slot, value, pathText);
  } else {
    if (options.create === false) {
      throw new EngineError(
        'PATCH_TARGET_NOT_FOUND',
        `${formatPath(segments.slice(0, walk.depth + 1))} does not exist`,
        opened.where(slotOffset(walk.slot), pathText),
      );
    }
    const rest = segments.slice(walk.depth);
    splices = isNullValue(walk.slot.value)
      ? fillSlot(opened, walk.slot, build(rest, value, pathText), pathText)
      : insertInto(
          opened,
          walk.slot.value as CollectionToken,
          rest,
          value,
          pathText,
        );
  }
  const edited = applySplices(text, splices);
  return verifyPatch(opened, edited, segments, { op: 'set', value });
}

/** Replaces an existing scalar's source, keeping its quoting style where it can hold the new value. */
function replaceValue(
  opened: OpenedDocument,
  slot: Slot,
  value: FragmentValue,
  pathText: string,
): Splice[] {
  const token = slot.value as CST.Token;
  const offset = 'offset' in token ? token.offset : 0;
  if (token.type === 'alias') {
    throw new EngineError(
      'PATCH_INVALID',
      `${pathText} is an alias (${token.source}); edit the anchored value instead`,
      opened.where(offset, pathText),
    );
  }
  if (!CST.isScalar(token)) {
    throw new EngineError(
      'PATCH_INVALID',
      `${pathText} is a ${
        isSeqToken(token) ? 'list' : 'mapping'
      }; set the fields inside it instead`,
      opened.where(offset, pathText),
    );
  }
  if (!isScalarValue(value)) {
    throw new EngineError(
      'PATCH_INVALID',
      `${pathText} is a scalar and cannot be replaced by a ${
        Array.isArray(value) ? 'list' : 'mapping'
      }`,
      opened.where(offset, pathText),
    );
  }
  const end = valueEnd(token);
  if (token.type === 'block-scalar') {
    if (typeof value === 'string') {
      // The library re-indents block scalars correctly; only this token is re-serialized.
      const copy = structuredClone(token);
      CST.setScalarValue(copy, value, {
        afterKey: slot.item?.key !== undefined,
      });
      return [
        {
          start: token.offset,
          end,
          insert: CST.stringify(copy).replace(/\r?\n/g, opened.eol),
        },
      ];
    }
    const keepsNewline = opened.text[end - 1] === '\n';
    return [
      {
        start: token.offset,
        end,
        insert: formatScalar(value) + (keepsNewline ? opened.eol : ''),
      },
    ];
  }
  const style: ScalarStyle | undefined = opened.style.json
    ? 'json'
    : QUOTE_STYLES[token.type];
  const inFlow = slot.parent?.type === 'flow-collection';
  return [
    {
      start: token.offset,
      end,
      insert: formatScalar(value, { style, inFlow }),
    },
  ];
}

/** Writes `value` where a key holds nothing (`key:` or `key: ~`), creating a block collection if needed. */
function fillSlot(
  opened: OpenedDocument,
  slot: Slot,
  value: FragmentValue,
  pathText: string,
): Splice[] {
  const { text, eol, style } = opened;
  const token = slot.value;
  const item = slot.item;
  const inFlow = slot.parent?.type === 'flow-collection';
  const inline = isScalarValue(value) || isEmptyCollection(value) || inFlow;
  const inlineText = isScalarValue(value)
    ? formatScalar(value, { inFlow, style: style.json ? 'json' : undefined })
    : flowText(value, style);

  if (token && inline) {
    return [
      {
        start: (token as CST.FlowScalar).offset,
        end: valueEnd(token),
        insert: inlineText,
      },
    ];
  }
  if (!item) {
    return fillEmptyDocument(opened, value, pathText);
  }
  const indicator = [...(item.sep ?? []), ...item.start].find(
    part => part.type === 'map-value-ind' || part.type === 'seq-item-ind',
  );
  if (!indicator) {
    throw new EngineError(
      'PATCH_INVALID',
      `cannot write a value at ${pathText}`,
      opened.where(itemStart(item), pathText),
    );
  }
  if (inline) {
    return [
      {
        start: indicator.offset + 1,
        end: indicator.offset + 1,
        insert: ` ${inlineText}`,
      },
    ];
  }
  if (!item.key || indicator.type !== 'map-value-ind') {
    throw new EngineError(
      'PATCH_INVALID',
      `cannot create a block collection in the empty list item at ${pathText}`,
      opened.where(itemStart(item), pathText),
    );
  }
  const keyColumn = columnOf(text, itemStart(item));
  const lines = Array.isArray(value)
    ? blockSeqLines(value, keyColumn + style.seqIndent, 2, style)
    : blockMapLines(
        value as Record<string, FragmentValue>,
        keyColumn + style.unit,
        style,
      );
  const splices: Splice[] = [];
  let position = itemEnd(item);
  if (token) {
    // `key: ~` becomes `key:` followed by the new block.
    const sep = item.sep ?? [];
    const before = sep[sep.length - 1];
    const start =
      before?.type === 'space'
        ? before.offset
        : (token as CST.FlowScalar).offset;
    splices.push({ start, end: valueEnd(token), insert: '' });
    position = contentEnd(token);
  }
  splices.push({
    start: position,
    end: position,
    insert: linesAt(text, position, lines, eol),
  });
  return splices;
}

function fillEmptyDocument(
  opened: OpenedDocument,
  value: FragmentValue,
  pathText: string,
): Splice[] {
  const isLast = opened.index === opened.documents.length - 1;
  if (!isLast || isScalarValue(value) || Array.isArray(value)) {
    throw new EngineError(
      'PATCH_INVALID',
      `document ${opened.index} is empty; only the last document of a file can be filled with keys`,
      opened.where(opened.cst.offset, pathText),
    );
  }
  const position = opened.text.length;
  const lines = blockMapLines(
    value as Record<string, FragmentValue>,
    0,
    opened.style,
  );
  return [
    {
      start: position,
      end: position,
      insert: linesAt(opened.text, position, lines, opened.eol),
    },
  ];
}

/** Inserts the first missing step of `rest` (a key, or a list item found by key) into an existing collection. */
function insertInto(
  opened: OpenedDocument,
  collection: CollectionToken,
  rest: ReadonlyArray<PathSegment>,
  value: FragmentValue,
  pathText: string,
): Splice[] {
  const { text, eol, style } = opened;
  const [first, ...tail] = rest;
  if (first.type === 'index') {
    throw new EngineError(
      'PATCH_TARGET_NOT_FOUND',
      `${pathText}: no item at index ${first.index}`,
      opened.where(collection.offset, pathText),
    );
  }
  const items = realItems(collection);
  const last = items[items.length - 1];

  if (first.type === 'key') {
    const child = build(tail, value, pathText);
    if (collection.type === 'flow-collection') {
      return insertIntoFlow(
        opened,
        collection,
        `${formatKey(first.key, style, true)}: ${flowText(child, style)}`,
      );
    }
    const column = columnOf(
      text,
      items[0].key && 'offset' in items[0].key
        ? items[0].key.offset
        : itemStart(items[0]),
    );
    const position = itemEnd(last);
    const lines = blockMapLines({ [first.key]: child }, column, style);
    return [
      {
        start: position,
        end: position,
        insert: linesAt(text, position, lines, eol),
      },
    ];
  }

  const entry = matchItem(first, tail, value, pathText);
  if (collection.type === 'flow-collection') {
    return insertIntoFlow(opened, collection, flowText(entry, style));
  }
  const dash = itemStart(items[0]);
  const firstValue = items[0].value;
  const contentOffset =
    firstValue &&
    'offset' in firstValue &&
    firstValue.offset - dash <= 4 &&
    !text.slice(dash, firstValue.offset).includes('\n')
      ? firstValue.offset - dash
      : 2;
  const position = itemEnd(last);
  const lines = blockSeqLines(
    [entry],
    columnOf(text, dash),
    contentOffset,
    style,
  );
  return [
    {
      start: position,
      end: position,
      insert: linesAt(text, position, lines, eol),
    },
  ];
}

/** Adds an entry after the last one of `{...}` or `[...]`, on its own line when the collection spans lines. */
function insertIntoFlow(
  opened: OpenedDocument,
  collection: CST.FlowCollection,
  entry: string,
): Splice[] {
  const { text, eol } = opened;
  const items = realItems(collection);
  if (items.length === 0) {
    const position = collection.start.offset + 1;
    return [{ start: position, end: position, insert: entry }];
  }
  const last = items[items.length - 1];
  const lastToken = (last.value ?? last.key) as CST.Token;
  const position = valueEnd(lastToken);
  const closing = collection.end[0]?.offset ?? position;
  const multiline = text.slice(position, closing).includes('\n');
  const insert = multiline
    ? `,${eol}${' '.repeat(columnOf(text, itemStart(last)))}${entry}`
    : `, ${entry}`;
  return [{ start: position, end: position, insert }];
}

/** The value to write for the missing steps `rest`: nested mappings, or a one-item list found by key. */
function build(
  rest: ReadonlyArray<PathSegment>,
  value: FragmentValue,
  pathText: string,
): FragmentValue {
  if (rest.length === 0) {
    return value;
  }
  const [first, ...tail] = rest;
  if (first.type === 'key') {
    return { [first.key]: build(tail, value, pathText) };
  }
  if (first.type === 'index') {
    throw new EngineError(
      'PATCH_TARGET_NOT_FOUND',
      `${pathText}: cannot create a list item by index ${first.index}; select it by [key=value]`,
      { path: pathText },
    );
  }
  return [matchItem(first, tail, value, pathText)];
}

/** A new list item carrying its key field first, then the rest of the path or the given mapping. */
function matchItem(
  segment: Extract<PathSegment, { type: 'match' }>,
  tail: ReadonlyArray<PathSegment>,
  value: FragmentValue,
  pathText: string,
): { [key: string]: FragmentValue } {
  const inner = build(tail, value, pathText);
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
    throw new EngineError(
      'PATCH_INVALID',
      `${pathText}: a new list item [${segment.key}=${segment.value}] must be a mapping`,
      { path: pathText },
    );
  }
  return { [segment.key]: matchValue(segment.value), ...inner };
}

/** Joins new lines for insertion at `position`, which is either just after a newline or at a file's unterminated end. */
function linesAt(
  text: string,
  position: number,
  lines: string[],
  eol: string,
): string {
  const atLineStart = position === 0 || text[position - 1] === '\n';
  return atLineStart ? lines.join(eol) + eol : eol + lines.join(eol);
}

function isEmptyCollection(value: FragmentValue): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    (Array.isArray(value)
      ? value.length === 0
      : Object.keys(value).length === 0)
  );
}

function slotOffset(slot: Slot): number {
  const token = slot.value;
  if (token && 'offset' in token) {
    return token.offset;
  }
  return slot.item ? itemStart(slot.item) : 0;
}
