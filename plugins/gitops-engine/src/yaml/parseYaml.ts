import {
  Composer,
  Document,
  Lexer,
  LineCounter,
  Parser,
  isCollection,
  visit,
  type CST,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
  type YAMLError,
} from 'yaml';
import {
  EngineError,
  type EngineErrorCode,
  type SourceLocation,
} from '../errors';

/** Limits applied to every YAML input; each has a default sized for real config repos. */
export interface YamlLimits {
  /** Largest input in bytes (UTF-8). Default 8 MiB. */
  maxBytes?: number;
  /** Deepest nesting of collections. Default 64. */
  maxDepth?: number;
  /** Most alias expansions per document, the defence against "billion laughs". Default 100. */
  maxAliasCount?: number;
  /** Most documents in one file. Default 10,000. */
  maxDocuments?: number;
}

export interface ParseYamlOptions extends YamlLimits {
  /** Named in every error and location. */
  file?: string;
  /** Called for each recoverable oddity, such as an integer kept as a string. */
  onWarning?: (message: string, location: SourceLocation) => void;
}

/** One document of a YAML stream, with its plain value and where it came from. */
export interface YamlDocument {
  /** Zero-based position among the file's documents, empty ones included. */
  index: number;
  /** The plain JSON-like value; `null` for an empty document. */
  value: unknown;
  /** File, document index and the line where the document's content starts. */
  location: SourceLocation;
  /** The composed document, for callers that need node positions. */
  document: Document.Parsed;
  /** Maps an offset in the input text to its one-based line and column. */
  positionOf(offset: number): { line: number; column: number };
}

export const DEFAULT_YAML_LIMITS: Required<YamlLimits> = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxAliasCount: 100,
  maxDocuments: 10_000,
};

// Kubernetes reads YAML 1.1 through go-yaml v2, which keeps timestamps as strings and knows no
// sexagesimal numbers, binary, sets or ordered maps; drop those tags so `2024-01-01` and `1:20` stay strings.
const DROPPED_TAGS = new Set([
  'tag:yaml.org,2002:timestamp',
  'tag:yaml.org,2002:binary',
  'tag:yaml.org,2002:set',
  'tag:yaml.org,2002:omap',
  'tag:yaml.org,2002:pairs',
]);

/** The `yaml` options that give Kubernetes semantics; shared with the patcher so both read alike. */
export const KUBERNETES_YAML_OPTIONS: ParseOptions &
  DocumentOptions &
  SchemaOptions = {
  version: '1.1',
  intAsBigInt: true,
  uniqueKeys: true,
  prettyErrors: false,
  customTags: tags =>
    tags.filter(tag => {
      const name = typeof tag === 'string' ? tag : tag.tag;
      const format = typeof tag === 'string' ? undefined : tag.format;
      return !DROPPED_TAGS.has(name) && format !== 'TIME';
    }),
};

const FLOW_OPEN = new Set(['[', '{']);
const FLOW_CLOSE = new Set([']', '}']);
const SCALAR_MARKER = '\u001f';

/**
 * Parses a multi-document YAML (or JSON) text with Kubernetes' YAML 1.1 semantics: `0644` is 420,
 * `yes`/`on` are true, duplicate keys are errors. Integers beyond ±2^53 are returned as decimal
 * strings (never rounded) and reported through `onWarning`.
 *
 * Bounded: input size, nesting depth (checked on the token stream before anything recurses),
 * alias expansion and document count. Every failure is an `EngineError` naming file, document and line:column.
 */
export function parseYaml(
  text: string,
  options: ParseYamlOptions = {},
): YamlDocument[] {
  const limits: Required<YamlLimits> = {
    maxBytes: options.maxBytes ?? DEFAULT_YAML_LIMITS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULT_YAML_LIMITS.maxDepth,
    maxAliasCount: options.maxAliasCount ?? DEFAULT_YAML_LIMITS.maxAliasCount,
    maxDocuments: options.maxDocuments ?? DEFAULT_YAML_LIMITS.maxDocuments,
  };
  const file = options.file;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > limits.maxBytes) {
    throw new EngineError(
      'YAML_TOO_LARGE',
      `input is ${size} bytes, more than the limit of ${limits.maxBytes}`,
      { file },
    );
  }

  const lineCounter = new LineCounter();
  const positionOf = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const tokens = tokenize(text, lineCounter, limits, file, positionOf);

  const composer = new Composer(KUBERNETES_YAML_OPTIONS);
  const documents = Array.from(
    composer.compose(tokens, false, text.length),
  ) as Document.Parsed[];

  return documents.map((document, index) => {
    const where = (offset: number): SourceLocation => ({
      file,
      document: index,
      ...positionOf(offset),
    });
    const firstError = document.errors[0];
    if (firstError) {
      throw yamlErrorToEngineError(firstError, where(firstError.pos[0]));
    }
    for (const warning of document.warnings) {
      options.onWarning?.(warning.message, where(warning.pos[0]));
    }
    prepareForJson(
      document,
      (message, offset) => options.onWarning?.(message, where(offset)),
      offset => {
        throw new EngineError(
          'YAML_SYNTAX',
          'a mapping key must be a string, number or boolean, not a collection',
          where(offset),
        );
      },
    );
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (error) {
      throw new EngineError(
        'YAML_ALIAS_LIMIT',
        `aliases expand beyond the limit of ${limits.maxAliasCount}; refusing a possible alias bomb`,
        where(document.contents?.range[0] ?? 0),
        { cause: error },
      );
    }
    return {
      index,
      value: value ?? null,
      location: where(document.contents?.range[0] ?? document.range[0]),
      document,
      positionOf,
    };
  });
}

/** Lexes and parses into CST tokens, refusing deep flow nesting before the parser sees it. */
function tokenize(
  text: string,
  lineCounter: LineCounter,
  limits: Required<YamlLimits>,
  file: string | undefined,
  positionOf: (offset: number) => { line: number; column: number },
): CST.Token[] {
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  let flowDepth = 0;
  let afterScalarMarker = false;
  lineCounter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    // The lexeme after a scalar marker is scalar content, never a bracket.
    if (!afterScalarMarker) {
      if (FLOW_OPEN.has(lexeme)) {
        flowDepth++;
        if (flowDepth > limits.maxDepth) {
          throw tooDeep(
            limits.maxDepth,
            file,
            tokens.filter(token => token.type === 'document').length,
            positionOf(parser.offset),
          );
        }
      } else if (FLOW_CLOSE.has(lexeme)) {
        flowDepth = Math.max(0, flowDepth - 1);
      }
    }
    afterScalarMarker = lexeme === SCALAR_MARKER;
    for (const token of parser.next(lexeme)) {
      tokens.push(token);
    }
  }
  for (const token of parser.end()) {
    tokens.push(token);
  }
  let documentIndex = 0;
  for (const token of tokens) {
    if (token.type === 'document') {
      if (documentIndex >= limits.maxDocuments) {
        throw new EngineError(
          'YAML_TOO_LARGE',
          `more than ${limits.maxDocuments} documents`,
          { file, document: documentIndex, ...positionOf(token.offset) },
        );
      }
      const deepest = deepestOffset(token, limits.maxDepth);
      if (deepest !== undefined) {
        throw tooDeep(
          limits.maxDepth,
          file,
          documentIndex,
          positionOf(deepest),
        );
      }
      documentIndex++;
    }
  }
  return tokens;
}

function tooDeep(
  maxDepth: number,
  file: string | undefined,
  document: number,
  position: { line: number; column: number },
): EngineError {
  return new EngineError(
    'YAML_TOO_DEEP',
    `collections nest deeper than the limit of ${maxDepth}`,
    { file, document, ...position },
  );
}

/** Offset of the first collection nested deeper than `maxDepth`, walked without recursion. */
function deepestOffset(
  document: CST.Document,
  maxDepth: number,
): number | undefined {
  const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [
    { token: document.value, depth: 0 },
  ];
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (
      !token ||
      (token.type !== 'block-map' &&
        token.type !== 'block-seq' &&
        token.type !== 'flow-collection')
    ) {
      continue;
    }
    if (depth + 1 > maxDepth) {
      return token.offset;
    }
    for (const item of token.items) {
      stack.push({ token: item.key, depth: depth + 1 });
      stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Makes the document's plain value what Kubernetes would read: integers exact (numbers when safe,
 * decimal strings beyond 2^53) and only scalar mapping keys, which JSON can hold.
 */
function prepareForJson(
  document: Document.Parsed,
  warn: (message: string, offset: number) => void,
  refuseKey: (offset: number) => never,
): void {
  visit(document, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        refuseKey(pair.key.range?.[0] ?? 0);
      }
    },
    Scalar(_key, node) {
      if (typeof node.value !== 'bigint') {
        return;
      }
      const exact = node.value;
      if (
        exact <= BigInt(Number.MAX_SAFE_INTEGER) &&
        exact >= BigInt(Number.MIN_SAFE_INTEGER)
      ) {
        node.value = Number(exact);
      } else {
        node.value = exact.toString();
        warn(
          `integer ${node.value} is beyond 2^53 and is kept as a string`,
          node.range?.[0] ?? 0,
        );
      }
    },
  });
}

function yamlErrorToEngineError(
  error: YAMLError,
  location: SourceLocation,
): EngineError {
  const codes: Partial<Record<YAMLError['code'], EngineErrorCode>> = {
    DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
    RESOURCE_EXHAUSTION: 'YAML_ALIAS_LIMIT',
  };
  const code = codes[error.code] ?? 'YAML_SYNTAX';
  const message = error.message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '');
  return new EngineError(code, message, location, { cause: error });
}
