import { EngineError } from '../errors';

/** How a quantity was written; the canonical form keeps the family, as Kubernetes does. */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/** An exact Kubernetes `resource.Quantity`: `mantissa × 10^scale`, never a float. */
export interface Quantity {
  readonly mantissa: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

const DECIMAL_SUFFIX_SCALE: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_SUFFIX_POWER: Record<string, number> = {
  Ki: 1,
  Mi: 2,
  Gi: 3,
  Ti: 4,
  Pi: 5,
  Ei: 6,
};

const SCALE_SUFFIX = new Map<number, string>(
  Object.entries(DECIMAL_SUFFIX_SCALE).map(([suffix, scale]) => [
    scale,
    suffix,
  ]),
);
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const QUANTITY_PATTERN =
  /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Kubernetes keeps nine decimal places and rounds anything finer up (away from zero). */
const MIN_SCALE = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses `500m`, `0.5`, `1Gi`, `1e3`, `12`; numbers (from YAML) are read through their decimal text. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  let text: string;
  if (typeof input === 'string') {
    text = input.trim();
  } else if (typeof input === 'number' && Number.isFinite(input)) {
    // Integers and ordinary decimals print exactly; tiny or huge floats print in e-notation, which parses.
    text = String(input);
  } else if (typeof input === 'bigint') {
    text = input.toString();
  } else {
    return undefined;
  }
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponent, suffix = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  let mantissa = BigInt((whole || '0') + fraction);
  let scale = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  if (exponent) {
    scale += Number(exponent.slice(1));
    format = 'DecimalExponent';
  } else if (suffix in BINARY_SUFFIX_POWER) {
    mantissa *= 1024n ** BigInt(BINARY_SUFFIX_POWER[suffix]);
    format = 'BinarySI';
  } else {
    scale += DECIMAL_SUFFIX_SCALE[suffix];
  }
  if (sign === '-') mantissa = -mantissa;
  return reduce(mantissa, scale, format);
}

export function parseQuantity(input: unknown): Quantity {
  const quantity = tryParseQuantity(input);
  if (!quantity) {
    throw new EngineError(
      'INPUT_INVALID',
      `not a Kubernetes quantity: ${JSON.stringify(input)}`,
    );
  }
  return quantity;
}

function reduce(
  rawMantissa: bigint,
  rawScale: number,
  format: QuantityFormat,
): Quantity {
  let mantissa = rawMantissa;
  let scale = rawScale;
  if (scale < MIN_SCALE) {
    const divisor = pow10(MIN_SCALE - scale);
    const quotient = mantissa / divisor;
    const away = mantissa < 0n ? -1n : 1n;
    mantissa = mantissa % divisor === 0n ? quotient : quotient + away;
    scale = MIN_SCALE;
  }
  if (mantissa === 0n) return { mantissa, scale: 0, format };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale += 1;
  }
  return { mantissa, scale, format };
}

/** Orders two quantities by value. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const scale = Math.min(a.scale, b.scale);
  const left = a.mantissa * pow10(a.scale - scale);
  const right = b.mantissa * pow10(b.scale - scale);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/** True when both parse and denote the same amount (`500m` = `0.5`, `1024Mi` = `1Gi`). */
export function quantitiesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const left = tryParseQuantity(a);
  if (!left) return false;
  const right = tryParseQuantity(b);
  if (!right) return false;
  // Reduced forms are unique, so equality is structural.
  return left.mantissa === right.mantissa && left.scale === right.scale;
}

/** The form the API server would print: `0.5` → `500m`, `1024Mi` → `1Gi`, `1000M` → `1G`. */
export function formatQuantity(quantity: Quantity): string {
  const { mantissa, scale, format } = quantity;
  if (mantissa === 0n) return '0';
  if (format === 'BinarySI' && scale >= 0) {
    const value = mantissa * pow10(scale);
    const magnitude = value < 0n ? -value : value;
    if (magnitude >= 1024n) {
      let power = 0;
      let rest = value;
      while (power < 6 && rest % 1024n === 0n) {
        rest /= 1024n;
        power += 1;
      }
      return `${rest}${BINARY_SUFFIXES[power]}`;
    }
  }
  // Largest multiple-of-three exponent that keeps the number whole, within the suffixes Kubernetes prints.
  let exponent = Math.floor(scale / 3) * 3;
  exponent = Math.max(MIN_SCALE, Math.min(18, exponent));
  const digits = mantissa * pow10(scale - exponent);
  if (format === 'DecimalExponent') {
    return exponent === 0 ? `${digits}` : `${digits}e${exponent}`;
  }
  return `${digits}${SCALE_SUFFIX.get(exponent)}`;
}

/** Canonical text of a quantity, or the input unchanged when it is not one. */
export function canonicalQuantity(input: unknown): unknown {
  const quantity = tryParseQuantity(input);
  return quantity ? formatQuantity(quantity) : input;
}
