import { EngineError } from '../errors';

/** One step of a patch path: a mapping key, a list index, or the list item whose `key` field equals `value`. */
export type PathSegment =
  | { type: 'key'; key: string }
  | { type: 'index'; index: number }
  | { type: 'match'; key: string; value: string };

const BARE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Reads a readable path such as `spec.template.spec.containers[name=web].image`,
 * `metadata.labels["app.kubernetes.io/version"]`, `images[name=ghcr.io/acme/shop].newTag` or `args[0]`.
 * Keys with dots or brackets are quoted inside brackets; a match value may be quoted to hold `]`.
 */
export function parsePath(path: string, file?: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw new EngineError(
      'PATCH_INVALID',
      `invalid path ${JSON.stringify(path)}: ${message} at character ${i + 1}`,
      { file, path },
    );
  };
  while (i < path.length) {
    if (path[i] === '[') {
      i++;
      segments.push(readBracket());
      continue;
    }
    if (path[i] === '.') {
      if (segments.length === 0) {
        fail('a path cannot start with "."');
      }
      i++;
    }
    const start = i;
    while (i < path.length && path[i] !== '.' && path[i] !== '[') {
      i++;
    }
    if (i === start) {
      fail('empty key');
    }
    segments.push({ type: 'key', key: path.slice(start, i) });
  }
  if (segments.length === 0) {
    fail('empty path');
  }
  return segments;

  function readBracket(): PathSegment {
    if (path[i] === '"' || path[i] === "'") {
      const key = readQuoted();
      expect(']');
      return { type: 'key', key };
    }
    const start = i;
    while (i < path.length && path[i] !== '=' && path[i] !== ']') {
      i++;
    }
    const head = path.slice(start, i);
    if (path[i] === ']') {
      i++;
      if (!/^\d+$/.test(head)) {
        fail(`"[${head}]" is neither an index nor key=value`);
      }
      return { type: 'index', index: Number(head) };
    }
    if (path[i] !== '=' || head === '') {
      fail('unterminated "["');
    }
    i++;
    let value: string;
    if (path[i] === '"' || path[i] === "'") {
      value = readQuoted();
    } else {
      const valueStart = i;
      while (i < path.length && path[i] !== ']') {
        i++;
      }
      value = path.slice(valueStart, i);
    }
    expect(']');
    return { type: 'match', key: head, value };
  }

  function readQuoted(): string {
    const quote = path[i];
    let text = '';
    i++;
    while (i < path.length && path[i] !== quote) {
      if (path[i] === '\\' && i + 1 < path.length) {
        i++;
      }
      text += path[i];
      i++;
    }
    if (i >= path.length) {
      fail('unterminated quote');
    }
    i++;
    return text;
  }

  function expect(char: string): void {
    if (path[i] !== char) {
      fail(`expected "${char}"`);
    }
    i++;
  }
}

/** The inverse of `parsePath`, quoting keys only where needed. */
export function formatPath(segments: ReadonlyArray<PathSegment>): string {
  return segments
    .map((segment, position) => {
      switch (segment.type) {
        case 'index':
          return `[${segment.index}]`;
        case 'match':
          return /[\]"']/.test(segment.value)
            ? `[${segment.key}=${JSON.stringify(segment.value)}]`
            : `[${segment.key}=${segment.value}]`;
        default:
          if (BARE_KEY.test(segment.key)) {
            return position === 0 ? segment.key : `.${segment.key}`;
          }
          return `[${JSON.stringify(segment.key)}]`;
      }
    })
    .join('');
}
