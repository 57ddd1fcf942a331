import { CST } from 'yaml';

/** A collection token of the `yaml` CST. */
export type CollectionToken =
  | CST.BlockMap
  | CST.BlockSequence
  | CST.FlowCollection;

export function isMapToken(
  token: CST.Token | null | undefined,
): token is CST.BlockMap | CST.FlowCollection {
  return (
    token?.type === 'block-map' ||
    (token?.type === 'flow-collection' && token.start.source === '{')
  );
}

export function isSeqToken(
  token: CST.Token | null | undefined,
): token is CST.BlockSequence | CST.FlowCollection {
  return (
    token?.type === 'block-seq' ||
    (token?.type === 'flow-collection' && token.start.source === '[')
  );
}

/** Items that hold a key or value; the CST also keeps comment-only items at the end of a collection. */
export function realItems(collection: CollectionToken): CST.CollectionItem[] {
  return collection.items.filter(
    item =>
      item.key !== undefined ||
      item.value !== undefined ||
      item.start.some(token => token.type === 'seq-item-ind'),
  );
}

/** The string value of a scalar token, or undefined for anything else. */
export function scalarText(
  token: CST.Token | null | undefined,
): string | undefined {
  if (!token || !CST.isScalar(token)) {
    return undefined;
  }
  return CST.resolveAsScalar(token)?.value;
}

/** True for an absent value or a plain `null` / `~`, where a collection may be created. */
export function isNullValue(token: CST.Token | null | undefined): boolean {
  if (!token) {
    return true;
  }
  return (
    token.type === 'scalar' &&
    ['', '~', 'null', 'Null', 'NULL'].includes(token.source)
  );
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** Offset just past a source token. */
function after(token: CST.SourceToken): number {
  return token.offset + token.source.length;
}

/** Offset just past `tokens` up to and including the first newline (the end of the current line). */
function throughLineEnd(
  tokens: CST.SourceToken[] | undefined,
  from: number,
): number {
  let end = from;
  for (const token of tokens ?? []) {
    end = after(token);
    if (token.type === 'newline') {
      break;
    }
  }
  return end;
}

/** Offset just past a scalar or flow collection itself, without trailing comments or newline. */
export function valueEnd(token: CST.Token): number {
  switch (token.type) {
    case 'alias':
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return token.offset + token.source.length;
    case 'block-scalar': {
      const header = token.props[token.props.length - 1];
      return (
        (header ? after(header as CST.SourceToken) : token.offset) +
        token.source.length
      );
    }
    case 'flow-collection':
      return after(token.end[0] ?? token.start);
    default:
      return contentEnd(token);
  }
}

/**
 * Offset just past the last line of real content of a value: its trailing comment and newline included,
 * comment-only lines after it (which may describe what follows) excluded.
 */
export function contentEnd(token: CST.Token): number {
  switch (token.type) {
    case 'alias':
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return throughLineEnd(token.end, valueEnd(token));
    case 'block-scalar':
      return valueEnd(token);
    case 'flow-collection':
      return throughLineEnd(token.end.slice(1), valueEnd(token));
    case 'block-map':
    case 'block-seq': {
      const items = realItems(token);
      return itemEnd(items[items.length - 1]);
    }
    default:
      return 'offset' in token ? token.offset : 0;
  }
}

/** Offset just past a collection item's last line of content. */
export function itemEnd(item: CST.CollectionItem): number {
  if (item.value) {
    return contentEnd(item.value);
  }
  const sep = item.sep ?? [];
  if (sep.length > 0) {
    return throughLineEnd(sep, sep[0].offset);
  }
  if (item.key) {
    return contentEnd(item.key);
  }
  return throughLineEnd(item.start, item.start[0]?.offset ?? 0);
}

/** Offset of the first character of an item's own content: its key, its `-`, or its value. */
export function itemStart(item: CST.CollectionItem): number {
  const indicator = item.start.find(
    token => token.type === 'seq-item-ind' || token.type === 'explicit-key-ind',
  );
  if (indicator) {
    return indicator.offset;
  }
  if (item.key && 'offset' in item.key) {
    return item.key.offset;
  }
  if (item.value && 'offset' in item.value) {
    return item.value.offset;
  }
  return item.start[0]?.offset ?? 0;
}
