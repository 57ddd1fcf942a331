import { stringify } from 'yaml';
import { EngineError } from '../errors';
import { KUBERNETES_YAML_OPTIONS } from '../yaml/parseYaml';

export type ScalarValue = string | number | boolean | null;

export type ScalarStyle = 'plain' | 'single' | 'double' | 'json';

export interface ScalarContext {
  /** Inside `[...]` or `{...}`, where `,` and brackets end a plain scalar. */
  inFlow?: boolean;
  /** The style the replaced scalar had; kept when it can hold the new value. */
  style?: ScalarStyle;
}

// Readers other than Kubernetes' (YAML 1.2 tools, Python, Ruby) must read the same value too.
const TIMESTAMP_LIKE = /^\d{4}-\d\d?-\d\d?([Tt ]|$)/;

/** Writes a scalar as YAML source that every YAML 1.1 and 1.2 reader reads back as exactly `value`. */
export function formatScalar(
  value: ScalarValue,
  context: ScalarContext = {},
): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new EngineError(
        'PATCH_INVALID',
        `cannot write the number ${value}`,
      );
    }
    return String(value);
  }
  if (context.style === 'json' || context.style === 'double') {
    return JSON.stringify(value);
  }
  if (context.style === 'single' && !/[\n\r\t]/.test(value)) {
    return `'${value.replace(/'/g, "''")}'`;
  }
  return isPlainSafe(value, context.inFlow ?? false)
    ? value
    : JSON.stringify(value);
}

/** True when `text`, written without quotes, is read back as the same string by YAML 1.1 and 1.2 readers. */
export function isPlainSafe(text: string, inFlow: boolean): boolean {
  if (
    text === '' ||
    text.trim() !== text ||
    /[\n\r\t]/.test(text) ||
    TIMESTAMP_LIKE.test(text) ||
    (inFlow && /[,[\]{}]/.test(text))
  ) {
    return false;
  }
  const options = { lineWidth: 0 };
  return (
    stringify(text, { ...KUBERNETES_YAML_OPTIONS, ...options }) ===
      `${text}\n` && stringify(text, options) === `${text}\n`
  );
}
