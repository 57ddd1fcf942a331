import { EngineError } from '../errors';

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const COMPONENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go `time.Duration` string (`1m30s`, `1.5h`, `300ms`) into exact nanoseconds. */
export function tryParseDuration(input: unknown): bigint | undefined {
  if (typeof input !== 'string') return undefined;
  let text = input;
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text.startsWith('-');
    text = text.slice(1);
  }
  if (text === '0') return 0n;
  if (text === '') return undefined;
  let total = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < text.length) {
    const match = COMPONENT.exec(text);
    if (!match) return undefined;
    const [, whole, fraction = '', unit] = match;
    if (whole === '' && fraction === '') return undefined;
    const unitNanos = UNIT_NANOS[unit];
    total += BigInt(whole || '0') * unitNanos;
    if (fraction) {
      // Go truncates fractions finer than a nanosecond.
      total += (BigInt(fraction) * unitNanos) / 10n ** BigInt(fraction.length);
    }
  }
  return negative ? -total : total;
}

export function parseDuration(input: unknown): bigint {
  const nanos = tryParseDuration(input);
  if (nanos === undefined) {
    throw new EngineError(
      'INPUT_INVALID',
      `not a Go duration: ${JSON.stringify(input)}`,
    );
  }
  return nanos;
}

/** True when both parse and denote the same span (`60s` = `1m` = `1m0s`). */
export function durationsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const left = tryParseDuration(a);
  return left !== undefined && left === tryParseDuration(b);
}

function fractional(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  const fraction = rest.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${fraction}`;
}

/** Prints nanoseconds the way Go's `Duration.String` does: `1m0s`, `1h30m0s`, `1.5s`, `300ms`. */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const value = nanos < 0n ? -nanos : nanos;
  if (value < UNIT_NANOS.us) return `${sign}${value}ns`;
  if (value < UNIT_NANOS.ms)
    return `${sign}${fractional(value, UNIT_NANOS.us)}µs`;
  if (value < UNIT_NANOS.s)
    return `${sign}${fractional(value, UNIT_NANOS.ms)}ms`;
  const hours = value / UNIT_NANOS.h;
  const minutes = (value % UNIT_NANOS.h) / UNIT_NANOS.m;
  const seconds = fractional(value % UNIT_NANOS.m, UNIT_NANOS.s);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  return `${sign}${minutes > 0n ? `${minutes}m` : ''}${seconds}s`;
}

/** Canonical text of a duration, or the input unchanged when it is not one. */
export function canonicalDuration(input: unknown): unknown {
  const nanos = tryParseDuration(input);
  return nanos === undefined ? input : formatDuration(nanos);
}
