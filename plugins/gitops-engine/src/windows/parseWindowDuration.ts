import { EngineError } from '../errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)/y;

/**
 * Milliseconds of a Go-style duration (`1h30m`, `45m`, `1.5h`, `90s`), as Argo CD's sync windows write
 * them; the result must be positive. `EngineError` (`INPUT_INVALID`) otherwise.
 */
export function parseWindowDuration(text: string): number {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) {
    throw new EngineError(
      'INPUT_INVALID',
      `duration ${JSON.stringify(text)} is not a duration like "1h30m"`,
    );
  }
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) {
      throw new EngineError(
        'INPUT_INVALID',
        `duration ${JSON.stringify(
          text,
        )} is not a duration like "1h30m" (units h, m, s, ms)`,
      );
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  const ms = Math.round(total);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) {
    throw new EngineError(
      'INPUT_INVALID',
      `duration ${JSON.stringify(text)} must be longer than zero`,
    );
  }
  return ms;
}
