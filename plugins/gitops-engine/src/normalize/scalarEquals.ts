import type { SchemaNode } from '../schema/SchemaNode';
import { durationsEqual } from './duration';
import { quantitiesEqual } from './quantity';
import { secretValuesEqual } from './secretData';

/**
 * Equality of two scalars at a schema position: quantities and durations by value (N7, N9), numbers by
 * value across int, float and BigInt (N10), Secret values by bytes (N5), everything else by type and
 * value, so int-or-string fields never coerce (N12).
 */
export function scalarEquals(
  desired: unknown,
  live: unknown,
  node: SchemaNode,
): boolean {
  if (desired === live) return true;
  const format = node.format;
  if (format === 'quantity') return quantitiesEqual(desired, live);
  if (format === 'duration') return durationsEqual(desired, live);
  if (node.sensitive) return secretValuesEqual(desired, live);
  if (typeof desired === 'bigint' || typeof live === 'bigint')
    return bigNumbersEqual(desired, live);
  return false;
}

function bigNumbersEqual(a: unknown, b: unknown): boolean {
  const left = toBigInt(a);
  return left !== undefined && left === toBigInt(b);
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value))
    return BigInt(value);
  return undefined;
}

/** Zero values that Go's `omitempty` drops, so live shows nothing where desired wrote them (N4). */
export function isOmittedZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === 0n;
}
