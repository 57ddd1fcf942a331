/** Where in the input an error was found. Every field is optional: fill in what is known. */
export interface SourceLocation {
  /** File path as the caller named it (relative to the config repo where possible). */
  file?: string;
  /** Zero-based index of the YAML document within a multi-document file. */
  document?: number;
  /** One-based line and column. */
  line?: number;
  column?: number;
  /** Readable path inside the object, e.g. `spec.template.spec.containers[name=web].image`. */
  path?: string;
}

/** Machine-readable error codes; the UI and API map them to messages and HTTP statuses. */
export type EngineErrorCode =
  | 'YAML_SYNTAX'
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_TOO_LARGE'
  | 'YAML_TOO_DEEP'
  | 'YAML_ALIAS_LIMIT'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_DUPLICATE'
  | 'SCHEMA_INVALID'
  | 'POLICY_INVALID'
  | 'POLICY_COMPILE'
  | 'POLICY_EVALUATION'
  | 'POLICY_LIMIT'
  | 'PATCH_TARGET_NOT_FOUND'
  | 'PATCH_INVALID'
  | 'RENDER_TOOL_MISSING'
  | 'RENDER_FAILED'
  | 'RENDER_PATH_INVALID'
  | 'INPUT_INVALID';

/** The one error type the engine throws for bad input; never a bare Error or a crash. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly location: SourceLocation;

  constructor(code: EngineErrorCode, message: string, location: SourceLocation = {}, options?: { cause?: unknown }) {
    super(EngineError.format(message, location), options);
    this.name = 'EngineError';
    this.code = code;
    this.location = location;
  }

  private static format(message: string, loc: SourceLocation): string {
    const where = [
      loc.file,
      loc.document !== undefined ? `document ${loc.document}` : undefined,
      loc.line !== undefined ? `line ${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}` : undefined,
      loc.path,
    ].filter(Boolean);
    return where.length ? `${where.join(', ')}: ${message}` : message;
  }
}
