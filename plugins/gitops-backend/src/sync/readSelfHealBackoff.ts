import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DEFAULT_SELF_HEAL_BACKOFF,
  type SelfHealBackoff,
} from './selfHealDelay';

/** `gitops.sync.selfHealBackoff`, with Argo CD's defaults (2 s, ×3, at most 5 min). */
export function readSelfHealBackoff(config: Config): SelfHealBackoff {
  const key = 'gitops.sync.selfHealBackoff';
  const backoff = config.getOptionalConfig(key);
  const seconds = (name: string, fallbackMs: number, min: number) => {
    const value = backoff?.getOptionalNumber(name);
    if (value === undefined) return fallbackMs;
    if (!Number.isFinite(value) || value < min) {
      throw new InputError(
        `Invalid ${key}.${name}: must be a number of at least ${min}`,
      );
    }
    return value * 1000;
  };
  const initialMs = seconds(
    'initialSeconds',
    DEFAULT_SELF_HEAL_BACKOFF.initialMs,
    0,
  );
  const maxMs = seconds('maxSeconds', DEFAULT_SELF_HEAL_BACKOFF.maxMs, 1);
  const factor =
    backoff?.getOptionalNumber('factor') ?? DEFAULT_SELF_HEAL_BACKOFF.factor;
  if (!Number.isFinite(factor) || factor < 1) {
    throw new InputError(`Invalid ${key}.factor: must be at least 1`);
  }
  if (initialMs > maxMs) {
    throw new InputError(
      `Invalid ${key}: initialSeconds is larger than maxSeconds`,
    );
  }
  return { initialMs, factor, maxMs };
}
