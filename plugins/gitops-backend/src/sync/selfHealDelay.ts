/** How self-heal backs off while something keeps reverting what it applies. */
export interface SelfHealBackoff {
  /** Wait before the first self-heal after a sync. */
  initialMs: number;
  /** Each further self-heal in a row waits this many times longer. */
  factor: number;
  /** The longest wait; also how long an application must stay synced for the count to start over. */
  maxMs: number;
}

/** Argo CD's defaults: 2 s, tripled each time, at most 5 min. */
export const DEFAULT_SELF_HEAL_BACKOFF: SelfHealBackoff = {
  initialMs: 2_000,
  factor: 3,
  maxMs: 300_000,
};

/** How long to wait after the previous sync before self-heal number `attempts + 1` in a row. */
export function selfHealDelay(
  attempts: number,
  backoff: SelfHealBackoff,
): number {
  const delay =
    backoff.initialMs * Math.pow(backoff.factor, Math.max(0, attempts));
  return Math.min(
    backoff.maxMs,
    Number.isFinite(delay) ? delay : backoff.maxMs,
  );
}
