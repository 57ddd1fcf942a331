/**
 * A recurring window in which changes are allowed or denied, as Argo CD's sync windows: it opens at each
 * time `schedule` fires and stays open for `duration`.
 */
export interface ChangeWindow {
  kind: 'allow' | 'deny';
  /** Five-field cron (`minute hour day-of-month month day-of-week`), read in `timeZone`. */
  schedule: string;
  /** How long each occurrence lasts, Go style: `1h30m`, `45m`, `90s`. */
  duration: string;
  /** IANA time zone the schedule is read in, e.g. `Europe/Berlin`. Default `UTC`. */
  timeZone?: string;
  /** When this window is what blocks a change, a manual sync may still go ahead. Default false. */
  manualSync?: boolean;
  /** Shown in reasons instead of the schedule, e.g. `Fridays from 16:00`. */
  description?: string;
}

/** Whether changes may happen at one instant, and why not. */
export interface ChangeWindowEvaluation {
  /** Automated changes may happen now. */
  open: boolean;
  /**
   * The windows that decided, e.g. `deny: Fridays from 16:00 (Europe/Berlin)`; absent when no window
   * has a say.
   */
  reason?: string;
  /** When automated changes may happen next (ISO 8601), while closed; absent when not found within a year. */
  nextOpenAt?: string;
  /** A manual sync may happen now: open, or every blocking window sets `manualSync`. */
  manualSyncAllowed: boolean;
}
