import { EngineError } from '../errors';
import { formatScalar, type ScalarValue } from './formatScalar';

/** How the surrounding file indents: nested mappings, and lists under a key (`0` for kubectl's style). */
export interface IndentStyle {
  unit: number;
  seqIndent: number;
  /** A JSON file: every key and string is double-quoted. */
  json: boolean;
}

/** A value to write into a file: plain JSON data. */
export type FragmentValue =
  | ScalarValue
  | FragmentValue[]
  | { [key: string]: FragmentValue };

export function isScalarValue(value: unknown): value is ScalarValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

const pad = (columns: number) => ' '.repeat(columns);

/** Block-style lines (without line endings) for the entries of a mapping whose keys start at `column`. */
export function blockMapLines(
  map: { [key: string]: FragmentValue },
  column: number,
  style: IndentStyle,
): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    const head = `${pad(column)}${formatKey(key, style)}:`;
    if (isScalarValue(value)) {
      lines.push(`${head} ${scalar(value, style)}`);
    } else if (isEmpty(value)) {
      lines.push(`${head} ${Array.isArray(value) ? '[]' : '{}'}`);
    } else if (Array.isArray(value)) {
      lines.push(
        head,
        ...blockSeqLines(value, column + style.seqIndent, 2, style),
      );
    } else {
      lines.push(head, ...blockMapLines(value, column + style.unit, style));
    }
  }
  return lines;
}

/** Block-style lines for list items whose `-` is at `column` and whose content starts `contentOffset` later. */
export function blockSeqLines(
  items: FragmentValue[],
  column: number,
  contentOffset: number,
  style: IndentStyle,
): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (isScalarValue(item)) {
      lines.push(`${pad(column)}- ${scalar(item, style)}`);
      continue;
    }
    if (isEmpty(item)) {
      lines.push(`${pad(column)}- ${Array.isArray(item) ? '[]' : '{}'}`);
      continue;
    }
    const inner = Array.isArray(item)
      ? blockSeqLines(item, column + contentOffset, contentOffset, style)
      : blockMapLines(item, column + contentOffset, style);
    const dash = `${pad(column)}-${pad(contentOffset - 1)}`;
    lines.push(
      dash + inner[0].slice(column + contentOffset),
      ...inner.slice(1),
    );
  }
  return lines;
}

/** A value in flow style (`{a: 1, b: [x]}`), or JSON for JSON files. */
export function flowText(value: FragmentValue, style: IndentStyle): string {
  if (isScalarValue(value)) {
    return style.json
      ? JSON.stringify(value)
      : formatScalar(value, { inFlow: true });
  }
  if (Array.isArray(value)) {
    return `[${value.map(item => flowText(item, style)).join(', ')}]`;
  }
  const entries = Object.entries(value).map(
    ([key, item]) => `${formatKey(key, style, true)}: ${flowText(item, style)}`,
  );
  return `{${entries.join(', ')}}`;
}

export function formatKey(
  key: string,
  style: IndentStyle,
  inFlow = false,
): string {
  return style.json ? JSON.stringify(key) : formatScalar(key, { inFlow });
}

function scalar(value: ScalarValue, style: IndentStyle): string {
  return formatScalar(value, { style: style.json ? 'json' : undefined });
}

function isEmpty(value: FragmentValue): boolean {
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).length === 0;
  }
  return false;
}

/** Rejects values that are not plain JSON data before anything is written. */
export function assertFragment(
  value: unknown,
  path: string,
): asserts value is FragmentValue {
  if (isScalarValue(value)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new EngineError(
        'PATCH_INVALID',
        `cannot write ${value} at ${path}`,
        { path },
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach(item => assertFragment(item, path));
    return;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    Object.values(value).forEach(item => assertFragment(item, path));
    return;
  }
  throw new EngineError(
    'PATCH_INVALID',
    `cannot write a ${typeof value} at ${path}; values must be strings, numbers, booleans, null, lists or mappings`,
    { path },
  );
}
