import { CST } from 'yaml';
import { EngineError, type SourceLocation } from '../errors';
import {
  isMapToken,
  isNullValue,
  isSeqToken,
  realItems,
  scalarText,
  type CollectionToken,
} from './cst';
import { formatPath, type PathSegment } from './parsePath';

/** A place that holds a value: the document root, or an item of a collection. */
export interface Slot {
  value: CST.Token | undefined;
  /** The item holding the value; undefined for the document root. */
  item?: CST.CollectionItem;
  /** The collection the item belongs to. */
  parent?: CollectionToken;
}

export type WalkResult =
  | { found: true; slot: Slot }
  /** `slot` is the deepest existing place; `segments[depth]` is the first one missing under it. */
  | { found: false; slot: Slot; depth: number };

/**
 * Follows `segments` through one CST document. Stops at the first missing step so the caller may
 * insert there; refuses to go through scalars and aliases, where an edit would change something else.
 */
export function walkPath(
  document: CST.Document,
  segments: ReadonlyArray<PathSegment>,
  where: (offset: number, path: string) => SourceLocation,
): WalkResult {
  let slot: Slot = { value: document.value };
  for (let depth = 0; depth < segments.length; depth++) {
    const token = slot.value;
    const here = formatPath(segments.slice(0, depth)) || '(document root)';
    if (token?.type === 'alias') {
      throw new EngineError(
        'PATCH_INVALID',
        `${here} is an alias (${token.source}); edit the anchored value instead`,
        where(token.offset, here),
      );
    }
    if (isNullValue(token)) {
      return { found: false, slot, depth };
    }
    const segment = segments[depth];
    const collection = token as CST.Token;
    if (CST.isScalar(collection)) {
      throw new EngineError(
        'PATCH_INVALID',
        `${here} is a scalar, so ${formatPath(segments)} cannot go through it`,
        where(collection.offset, here),
      );
    }
    if (segment.type === 'key') {
      if (!isMapToken(collection)) {
        throw notA('mapping', here, collection, where);
      }
      const item = realItems(collection).find(
        candidate => scalarText(candidate.key) === segment.key,
      );
      if (!item) {
        refuseMergedPath(collection, segments, depth, here, where);
        return { found: false, slot, depth };
      }
      slot = { value: item.value, item, parent: collection };
      continue;
    }
    if (!isSeqToken(collection)) {
      throw notA('list', here, collection, where);
    }
    const items = realItems(collection);
    if (segment.type === 'index') {
      const item = items[segment.index];
      if (!item) {
        throw new EngineError(
          'PATCH_TARGET_NOT_FOUND',
          `${here} has ${items.length} items, no index ${segment.index}`,
          where(collection.offset, here),
        );
      }
      slot = { value: item.value, item, parent: collection };
      continue;
    }
    const item = items.find(candidate => {
      const value = candidate.value;
      if (!isMapToken(value)) {
        return false;
      }
      const field = realItems(value).find(
        entry => scalarText(entry.key) === segment.key,
      );
      return scalarText(field?.value) === segment.value;
    });
    if (!item) {
      return { found: false, slot, depth };
    }
    slot = { value: item.value, item, parent: collection };
  }
  return { found: true, slot };
}

function notA(
  expected: 'mapping' | 'list',
  here: string,
  token: CST.Token,
  where: (offset: number, path: string) => SourceLocation,
): EngineError {
  return new EngineError(
    'PATCH_INVALID',
    `${here} is not a ${expected}`,
    where('offset' in token ? token.offset : 0, here),
  );
}

/** A key inherited through `<<: *anchor` cannot be reached by creating an empty mapping in its place. */
function refuseMergedPath(
  collection: CollectionToken,
  segments: ReadonlyArray<PathSegment>,
  depth: number,
  here: string,
  where: (offset: number, path: string) => SourceLocation,
): void {
  const merges = realItems(collection).some(
    item => scalarText(item.key) === '<<',
  );
  if (merges && depth < segments.length - 1) {
    throw new EngineError(
      'PATCH_INVALID',
      `${formatPath(
        segments.slice(0, depth + 1),
      )} may come from a merge key (<<) in ${here}; edit the anchored value instead`,
      where(collection.offset, here),
    );
  }
}
