import { Cron } from 'croner';
import { EngineError } from '../errors';
import type { ChangeWindow, ChangeWindowEvaluation } from './ChangeWindow';
import { parseWindowDuration } from './parseWindowDuration';

/** How far ahead `nextOpenAt` is looked for, and in at most how many jumps. */
const SEARCH_HORIZON_MS = 366 * 24 * 3_600_000;
const SEARCH_MAX_STEPS = 1_000;
/** A schedule that never fires from here on is a mistake (`0 0 31 2 *`), not a window. */
const SCHEDULE_PROBE_FROM = new Date(Date.UTC(2000, 0, 1));

interface CompiledWindow {
  window: ChangeWindow;
  label: string;
  cron: Cron;
  durationMs: number;
}

/** `deny: Fridays from 16:00 (Europe/Berlin)`: how reasons and errors name a window. */
export function describeChangeWindow(window: ChangeWindow): string {
  const what =
    window.description?.trim() || `${window.schedule} for ${window.duration}`;
  return `${window.kind}: ${what} (${window.timeZone ?? 'UTC'})`;
}

function isTimeZone(name: string): boolean {
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function compileWindow(window: ChangeWindow, index: number): CompiledWindow {
  const name = `changeWindows[${index}]`;
  const fail = (problem: string): never => {
    const what =
      window && typeof window === 'object'
        ? ` (${window.kind} ${JSON.stringify(
            (typeof window.description === 'string' && window.description) ||
              window.schedule,
          )})`
        : '';
    throw new EngineError('INPUT_INVALID', `${name}${what}: ${problem}`);
  };
  if (!window || typeof window !== 'object') fail('must be an object');
  if (window.kind !== 'allow' && window.kind !== 'deny') {
    fail(`kind must be "allow" or "deny", got ${JSON.stringify(window.kind)}`);
  }
  if (
    window.manualSync !== undefined &&
    typeof window.manualSync !== 'boolean'
  ) {
    fail('manualSync must be true or false');
  }
  if (
    window.description !== undefined &&
    typeof window.description !== 'string'
  ) {
    fail('description must be a string');
  }
  const timeZone = window.timeZone ?? 'UTC';
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) {
    fail(
      `time zone ${JSON.stringify(
        timeZone,
      )} is not an IANA time zone such as "Europe/Berlin"`,
    );
  }
  const schedule =
    typeof window.schedule === 'string' ? window.schedule.trim() : '';
  const fields = schedule.split(/\s+/).filter(Boolean);
  if (fields.length !== 5 || schedule.startsWith('@')) {
    fail(
      `schedule ${JSON.stringify(
        window.schedule,
      )} is not a five-field cron expression (minute hour day-of-month month day-of-week)`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), {
      timezone: timeZone,
      mode: '5-part',
      paused: true,
      // As Vixie cron: a fixed time inside a spring-forward gap opens at the end of the gap that day.
      fixedTimeRule: 'no-wildcard',
    });
  } catch (error) {
    return fail(
      `schedule ${JSON.stringify(window.schedule)} is not valid cron: ${
        (error as Error).message
      }`,
    );
  }
  if (!cron.nextRun(SCHEDULE_PROBE_FROM)) {
    fail(`schedule ${JSON.stringify(window.schedule)} never fires`);
  }
  let durationMs = 0;
  try {
    durationMs = parseWindowDuration(window.duration);
  } catch (error) {
    fail((error as Error).message);
  }
  return { window, label: describeChangeWindow(window), cron, durationMs };
}

function compileWindows(windows: readonly ChangeWindow[]): CompiledWindow[] {
  if (!Array.isArray(windows)) {
    throw new EngineError('INPUT_INVALID', 'change windows must be a list');
  }
  return windows.map(compileWindow);
}

/**
 * Checks every window (cron, duration, time zone, kind); `EngineError` (`INPUT_INVALID`) naming the first
 * bad one as `changeWindows[i] (kind "description or schedule")`.
 */
export function validateChangeWindows(windows: readonly ChangeWindow[]): void {
  compileWindows(windows);
}

/** When the latest occurrence of `w` that started at or before `at` ends, if it is still running at `at`. */
function activeUntil(w: CompiledWindow, at: number): number | undefined {
  // Occurrences are half-open, [start, start + duration); overlapping ones keep the window active to the last end.
  const [start] = w.cron.previousRuns(1, new Date(at + 1));
  const end = start ? start.getTime() + w.durationMs : undefined;
  return end !== undefined && end > at ? end : undefined;
}

interface Decision {
  open: boolean;
  manualSyncAllowed: boolean;
  reason?: string;
}

function decide(windows: CompiledWindow[], at: number): Decision {
  const active = windows.filter(w => activeUntil(w, at) !== undefined);
  const activeDeny = active.filter(w => w.window.kind === 'deny');
  // Deny wins over allow.
  if (activeDeny.length > 0) {
    return {
      open: false,
      manualSyncAllowed: activeDeny.every(w => w.window.manualSync === true),
      reason: activeDeny.map(w => w.label).join('; '),
    };
  }
  const activeAllow = active.filter(w => w.window.kind === 'allow');
  if (activeAllow.length > 0) {
    return {
      open: true,
      manualSyncAllowed: true,
      reason: activeAllow.map(w => w.label).join('; '),
    };
  }
  // Once any allow window exists, changes happen only inside one.
  const allows = windows.filter(w => w.window.kind === 'allow');
  if (allows.length > 0) {
    return {
      open: false,
      manualSyncAllowed: allows.every(w => w.window.manualSync === true),
      reason: `outside every allow window: ${allows
        .map(w => w.label)
        .join('; ')}`,
    };
  }
  return { open: true, manualSyncAllowed: true };
}

/**
 * The first instant after `now` at which automated changes may happen. From a closed instant it jumps to the
 * earliest instant the decision could change: past the end of every active deny window (until then the one
 * lasting longest blocks), or else to the next start of an allow window (until then none is active).
 */
function nextOpenAt(
  windows: CompiledWindow[],
  now: number,
): number | undefined {
  const horizon = now + SEARCH_HORIZON_MS;
  const allows = windows.filter(w => w.window.kind === 'allow');
  const denies = windows.filter(w => w.window.kind === 'deny');
  let cursor = now;
  for (let step = 0; step < SEARCH_MAX_STEPS; step++) {
    const denyEnds: number[] = [];
    for (const w of denies) {
      const end = activeUntil(w, cursor);
      if (end !== undefined) denyEnds.push(end);
    }
    let next: number | undefined;
    if (denyEnds.length > 0) {
      next = Math.max(...denyEnds);
    } else {
      for (const w of allows) {
        const start = w.cron.nextRun(new Date(cursor))?.getTime();
        if (start !== undefined && (next === undefined || start < next))
          next = start;
      }
    }
    if (next === undefined || next > horizon) return undefined;
    if (decide(windows, next).open) return next;
    cursor = next;
  }
  return undefined;
}

/**
 * Whether changes may happen at `now` under these windows, with Argo CD's sync-window semantics: an active
 * deny window blocks; once any allow window exists, changes happen only while one is active; deny wins
 * over allow; a manual sync goes through when every blocking window sets `manualSync`. While closed,
 * `nextOpenAt` is the first instant within a year at which automated changes may happen again.
 * Pure: the clock is the caller's. Invalid windows throw `EngineError` (see {@link validateChangeWindows}).
 */
export function evaluateChangeWindows(
  windows: readonly ChangeWindow[],
  now: Date,
): ChangeWindowEvaluation {
  const at = now.getTime();
  if (!Number.isFinite(at)) {
    throw new EngineError('INPUT_INVALID', 'now must be a valid date');
  }
  const compiled = compileWindows(windows);
  const decision = decide(compiled, at);
  if (decision.open) return decision;
  const opensAt = nextOpenAt(compiled, at);
  return {
    ...decision,
    ...(opensAt !== undefined && {
      nextOpenAt: new Date(opensAt).toISOString(),
    }),
  };
}
