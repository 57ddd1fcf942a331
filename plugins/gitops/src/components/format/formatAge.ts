const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long ago `since` was, compactly: `45s`, `3m`, `5h`, `2d`. Unparseable input gives `?`. */
export function formatAge(since: string, now: number): string {
  const then = Date.parse(since);
  if (Number.isNaN(then)) return '?';
  // A browser clock slightly behind the backend's must not show negative ages.
  const elapsed = Math.max(0, now - then);
  if (elapsed < MINUTE) return `${Math.floor(elapsed / 1000)}s`;
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)}m`;
  if (elapsed < 2 * DAY) return `${Math.floor(elapsed / HOUR)}h`;
  return `${Math.floor(elapsed / DAY)}d`;
}
