import type { CST } from 'yaml';
import { EngineError } from '../errors';
import {
  itemEnd,
  itemStart,
  lineStartOf,
  realItems,
  valueEnd,
  type CollectionToken,
} from './cst';
import {
  openDocument,
  type DocumentTarget,
  type OpenedDocument,
} from './openDocument';
import { formatPath, parsePath } from './parsePath';
import type { PatchOptions, PatchPath } from './setValue';
import { applySplices, type Splice } from './splice';
import { verifyPatch } from './verifyPatch';
import { walkPath } from './walkPath';

/**
 * Removes the key or list item at `path` from one document, deleting only its own lines (comments above it
 * stay). Emptying a block collection leaves `{}` or `[]` so the field keeps its meaning. A missing path is
 * `PATCH_TARGET_NOT_FOUND`.
 */
export function removeValue(
  text: string,
  target: DocumentTarget,
  path: PatchPath,
  options: PatchOptions = {},
): string {
  const segments =
    typeof path === 'string' ? parsePath(path, options.file) : path;
  const pathText = formatPath(segments);
  const opened = openDocument(text, target, options.file);
  const walk = walkPath(opened.cst, segments, opened.where);
  if (!walk.found) {
    throw new EngineError(
      'PATCH_TARGET_NOT_FOUND',
      `${formatPath(segments.slice(0, walk.depth + 1))} does not exist`,
      opened.where(opened.cst.offset, pathText),
    );
  }
  const { item, parent } = walk.slot;
  if (!item || !parent) {
    throw new EngineError(
      'PATCH_INVALID',
      'cannot remove a whole document',
      opened.where(opened.cst.offset, pathText),
    );
  }
  const splices =
    parent.type === 'flow-collection'
      ? removeFromFlow(parent, item)
      : removeFromBlock(opened, parent, item);
  return verifyPatch(opened, applySplices(text, splices), segments, {
    op: 'remove',
  });
}

function removeFromBlock(
  opened: OpenedDocument,
  parent: CollectionToken,
  item: CST.CollectionItem,
): Splice[] {
  const { text, eol } = opened;
  const items = realItems(parent);
  const start = itemStart(item);
  const end = itemEnd(item);
  const lineStart = lineStartOf(text, start);
  const ownLine = text.slice(lineStart, start).trim() === '';
  const position = items.indexOf(item);
  const empty = parent.type === 'block-seq' ? '[]' : '{}';

  if (!ownLine) {
    // The first key of a mapping inside a list item shares the `- ` line; pull the next key up to it.
    const next = items[position + 1];
    if (next) {
      return [{ start, end: itemStart(next), insert: '' }];
    }
    return [
      { start, end, insert: empty + (text[end - 1] === '\n' ? eol : '') },
    ];
  }
  if (items.length > 1) {
    return [{ start: lineStart, end, insert: '' }];
  }
  // Removing the only entry: keep the field, now empty, where it was.
  const owner = findOwnerIndicator(opened, parent);
  if (owner === undefined) {
    return [{ start: lineStart, end, insert: empty + eol }];
  }
  return [
    { start: lineStart, end, insert: '' },
    { start: owner, end: owner, insert: ` ${empty}` },
  ];
}

/** Offset just after the `:` or `-` that introduces `collection`, if it is not the document root. */
function findOwnerIndicator(
  opened: OpenedDocument,
  collection: CollectionToken,
): number | undefined {
  const stack: Array<CST.Token | null | undefined> = [opened.cst.value];
  while (stack.length > 0) {
    const token = stack.pop();
    if (
      !token ||
      (token.type !== 'block-map' &&
        token.type !== 'block-seq' &&
        token.type !== 'flow-collection')
    ) {
      continue;
    }
    for (const candidate of token.items) {
      if (candidate.value === collection) {
        const indicator = [...(candidate.sep ?? []), ...candidate.start].find(
          part => part.type === 'map-value-ind' || part.type === 'seq-item-ind',
        );
        return indicator ? indicator.offset + 1 : undefined;
      }
      stack.push(candidate.value);
    }
  }
  return undefined;
}

function removeFromFlow(
  parent: CST.FlowCollection,
  item: CST.CollectionItem,
): Splice[] {
  const items = realItems(parent);
  const position = items.indexOf(item);
  const ownEnd = valueEnd((item.value ?? item.key) as CST.Token);
  const ownStart = flowItemStart(item);
  if (items.length === 1) {
    return [{ start: ownStart, end: ownEnd, insert: '' }];
  }
  if (position > 0) {
    const previous = items[position - 1];
    return [
      {
        start: valueEnd((previous.value ?? previous.key) as CST.Token),
        end: ownEnd,
        insert: '',
      },
    ];
  }
  return [{ start: ownStart, end: flowItemStart(items[1]), insert: '' }];
}

function flowItemStart(item: CST.CollectionItem): number {
  const own = item.key ?? item.value;
  return own && 'offset' in own ? own.offset : itemStart(item);
}
