import { createHash } from 'node:crypto';
import { isAbsent } from './isAbsent';

/** Prefix of a Secret value the compact live form replaced by its hash; never valid base64 (it has a colon). */
export const SECRET_HASH_PREFIX = 'sha256:';

/** Hash of a Secret `data` value (base64 text), so live caches can detect change without keeping the value. */
export function hashSecretValue(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  return (
    SECRET_HASH_PREFIX + createHash('sha256').update(bytes).digest('base64url')
  );
}

/**
 * N5: `stringData` is write-only sugar for `data`; the API server merges it in (stringData wins) as base64
 * of UTF-8. `null` values become empty strings.
 */
export function mergeStringData(
  data: unknown,
  stringData: unknown,
): Record<string, string> {
  const merged: Record<string, string> = {};
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(
      data as Record<string, unknown>,
    )) {
      merged[key] = typeof value === 'string' ? value : '';
    }
  }
  if (stringData && typeof stringData === 'object') {
    for (const [key, value] of Object.entries(
      stringData as Record<string, unknown>,
    )) {
      const text = value === null || value === undefined ? '' : String(value);
      merged[key] = Buffer.from(text, 'utf8').toString('base64');
    }
  }
  return merged;
}

/** Secret values are base64 strings; absent stands for the empty value, anything else is no value. */
function secretText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isAbsent(value) ? '' : undefined;
}

/** Compares two Secret values by their bytes (base64 may differ in padding or line breaks) or hashes. */
export function secretValuesEqual(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  const left = secretText(desired);
  const right = secretText(live);
  if (left === undefined || right === undefined) return false;
  if (right.startsWith(SECRET_HASH_PREFIX)) {
    return left.startsWith(SECRET_HASH_PREFIX)
      ? left === right
      : hashSecretValue(left) === right;
  }
  if (left.startsWith(SECRET_HASH_PREFIX))
    return hashSecretValue(right) === left;
  return Buffer.from(left, 'base64').equals(Buffer.from(right, 'base64'));
}
