import type {
  ChangeRequest,
  HealthStatus,
  SyncStatus,
} from '@backstage-gitops/plugin-gitops-common';

/** A time range in milliseconds since the epoch: `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

/** One change of an application's verdict, as the history keeps it. */
export interface HistoryPoint {
  application: string;
  at: string;
  sync: SyncStatus;
  health: HealthStatus;
  revision?: string;
  driftCount: number;
}

/** What was known of an application when the range starts. */
export interface ApplicationStart {
  /** Its last verdict before the range. */
  last?: HistoryPoint;
  /** The revision it was last Synced at before the range. */
  syncedRevision?: string;
  /** When it turned Degraded, if it has not been Healthy since. */
  degradedSince?: string;
}

/** The verdict history of a range: where each application stood at its start, and what changed in it. */
export interface MetricsHistory {
  /** Per application, by key. */
  start: Map<string, ApplicationStart>;
  /** Verdict changes from the start of the range (and past its end, up to the failure window), oldest first. */
  points: HistoryPoint[];
}

/** An application reaching a new revision Synced, or a change request reaching `healthy` in its place. */
export interface Deployment {
  application: string;
  revision?: string;
  at: string;
  source: 'history' | 'change-request';
  /** The change request that made it, when known. */
  changeRequest?: string;
}

/** Everything the DORA figures of one range are computed from. */
export interface DoraInput {
  range: TimeRange;
  history: MetricsHistory;
  /** Change requests with an event in the range or in the failure window after it. */
  changeRequests: ChangeRequest[];
  /** Commit time by revision sha, where known. */
  commitTimes: Map<string, string>;
  failureWindowHours: number;
}
