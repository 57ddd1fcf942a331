import { EngineError } from '../errors';
import type { PathSegment } from './FieldPath';

type PatternSegment =
  | { kind: 'field'; name: string | undefined }
  | { kind: 'item'; key: Record<string, string> | undefined }
  | { kind: 'index'; index: number }
  | { kind: 'value'; value: unknown };

/**
 * A path pattern in drift-path syntax (`webhooks[*].clientConfig.caBundle`, `metadata.annotations["a/b"]`,
 * `spec.template.spec.containers[name=web].image`); `*` matches any field, `[*]` any item. A pattern
 * ignores the path it names and everything below it.
 */
export class IgnorePath {
  private constructor(
    readonly pattern: string,
    private readonly segments: readonly PatternSegment[],
  ) {}

  static parse(pattern: string): IgnorePath {
    return new IgnorePath(pattern, parsePattern(pattern));
  }

  matches(path: readonly PathSegment[]): boolean {
    if (this.segments.length > path.length) return false;
    for (let i = 0; i < this.segments.length; i++) {
      if (!segmentMatches(this.segments[i], path[i])) return false;
    }
    return true;
  }
}

function segmentMatches(
  pattern: PatternSegment,
  segment: PathSegment,
): boolean {
  switch (pattern.kind) {
    case 'field':
      return (
        'field' in segment &&
        (pattern.name === undefined || pattern.name === segment.field)
      );
    case 'item':
      if (pattern.key === undefined) return !('field' in segment);
      if (!('key' in segment)) return false;
      return Object.entries(pattern.key).every(
        ([name, value]) => String(segment.key[name]) === value,
      );
    case 'index':
      return 'index' in segment && segment.index === pattern.index;
    default:
      return (
        'value' in segment &&
        JSON.stringify(segment.value) === JSON.stringify(pattern.value)
      );
  }
}

function invalid(pattern: string, why: string): EngineError {
  return new EngineError(
    'INPUT_INVALID',
    `invalid ignore path ${JSON.stringify(pattern)}: ${why}`,
  );
}

/** Reads a JSON string starting at `start`; returns the value and the index after it. */
function readQuoted(pattern: string, start: number): [string, number] {
  let end = start + 1;
  while (end < pattern.length && pattern[end] !== '"')
    end += pattern[end] === '\\' ? 2 : 1;
  if (end >= pattern.length) throw invalid(pattern, 'unterminated string');
  return [JSON.parse(pattern.slice(start, end + 1)) as string, end + 1];
}

function parseBracket(pattern: string, body: string): PatternSegment {
  if (body === '*') return { kind: 'item', key: undefined };
  if (/^\d+$/.test(body)) return { kind: 'index', index: Number(body) };
  if (body.startsWith('=')) {
    try {
      return { kind: 'value', value: JSON.parse(body.slice(1)) };
    } catch {
      return { kind: 'value', value: body.slice(1) };
    }
  }
  const key: Record<string, string> = {};
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(pattern, `expected name=value in [${body}]`);
    const raw = part.slice(eq + 1).trim();
    key[part.slice(0, eq).trim()] = raw.startsWith('"')
      ? String(JSON.parse(raw))
      : raw;
  }
  return { kind: 'item', key };
}

function parsePattern(pattern: string): PatternSegment[] {
  const segments: PatternSegment[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    if (char === '.') {
      i += 1;
      continue;
    }
    if (char === '[') {
      if (pattern[i + 1] === '"') {
        const [name, next] = readQuoted(pattern, i + 1);
        if (pattern[next] !== ']')
          throw invalid(pattern, 'expected ] after quoted field');
        segments.push({ kind: 'field', name });
        i = next + 1;
        continue;
      }
      let end = i + 1;
      while (end < pattern.length && pattern[end] !== ']') {
        end = pattern[end] === '"' ? readQuoted(pattern, end)[1] : end + 1;
      }
      if (end >= pattern.length) throw invalid(pattern, 'unterminated [');
      segments.push(parseBracket(pattern, pattern.slice(i + 1, end)));
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < pattern.length && pattern[end] !== '.' && pattern[end] !== '[')
      end += 1;
    const name = pattern.slice(i, end);
    segments.push({ kind: 'field', name: name === '*' ? undefined : name });
    i = end;
  }
  if (segments.length === 0) throw invalid(pattern, 'empty');
  return segments;
}
