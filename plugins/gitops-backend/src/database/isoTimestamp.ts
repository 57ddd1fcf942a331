import { InputError } from '@backstage/errors';

/**
 * A timestamp in the one fixed-length ISO 8601 form the store keeps (`2026-11-26T13:56:12.000Z`), so that
 * comparing strings compares times on every database.
 */
export function isoTimestamp(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new InputError(`${field} is not a valid timestamp: '${value}'`);
  }
  return time.toISOString();
}
