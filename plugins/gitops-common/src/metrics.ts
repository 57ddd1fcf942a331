import type { SyncResult } from './sync';

/** The time span a metric covers: `from` inclusive, `to` exclusive (ISO 8601). */
export interface MetricsRange {
  from: string;
  to: string;
}

/** A distribution of durations, in seconds; `median` and `p90` are absent when `count` is 0. */
export interface DurationSummary {
  count: number;
  medianSeconds?: number;
  p90Seconds?: number;
}

/** The bucket size of a trend: days up to 62 days of range, ISO weeks (from Monday, UTC) beyond. */
export type TrendInterval = 'day' | 'week';

/** One bucket of the DORA trend, starting at `start` (UTC midnight of a day, or of a week's Monday). */
export interface DoraTrendPoint {
  start: string;
  deployments: number;
  /** Deployments of this bucket that failed (see {@link ChangeFailureRate}). */
  failures: number;
  /** Merge → synced of change requests synced in this bucket. */
  leadTimeMedianSeconds?: number;
  /** Degraded → Healthy of applications restored in this bucket. */
  restoreMedianSeconds?: number;
}

export interface DeploymentFrequency {
  /** Deployments in the range: an application reaching a new revision Synced, once per application and revision. */
  total: number;
  /** Of `total`, found in the verdict history. */
  fromHistory: number;
  /** Of `total`, change requests that reached `healthy` without a matching deployment in the history. */
  fromChangeRequests: number;
  perDay: number;
  perWeek: number;
}

export interface LeadTime {
  /** From a change request's `merged` event to its `synced` event, for change requests synced in the range. */
  mergeToSynced: DurationSummary;
  /** From a revision's commit time to its deployment, where the commit time is known. */
  commitToSynced: DurationSummary;
}

export interface ChangeFailureRate {
  deployments: number;
  failures: number;
  /** `failures / deployments`, between 0 and 1; absent without deployments. */
  rate?: number;
  /** Failed deployments by cause; one deployment can have several causes. */
  causes: {
    /** The application turned Degraded within `failureWindowHours` of the deployment. */
    degraded: number;
    /** The change request ended `failed` after its merge. */
    failedChangeRequests: number;
    /** A later `rollback` change request reverting it was merged. */
    rolledBack: number;
  };
  failureWindowHours: number;
}

export interface TimeToRestore extends DurationSummary {
  /** Applications Degraded and not Healthy again by the end of the range. */
  open: number;
}

/** `GET /metrics/dora`: the four DORA figures of the GitOps history, with their trend. */
export interface DoraMetricsResponse extends MetricsRange {
  entityRef?: string;
  environment?: string;
  deploymentFrequency: DeploymentFrequency;
  leadTime: LeadTime;
  changeFailureRate: ChangeFailureRate;
  timeToRestore: TimeToRestore;
  interval: TrendInterval;
  trend: DoraTrendPoint[];
}

/** One UTC day of drift: applications that had drift, or were OutOfSync, at some moment of that day. */
export interface DriftDay {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Applications with a known verdict that day. */
  applications: number;
  /** Applications with at least one drifted field (driftCount > 0). */
  drifted: number;
  outOfSync: number;
}

/** `GET /metrics/drift`: drift per day over the range. */
export interface DriftMetricsResponse extends MetricsRange {
  environment?: string;
  days: DriftDay[];
}

/** What a person did: the steps of a change request someone took, and syncs someone asked for. */
export type AuditAction =
  | 'requested'
  | 'approved'
  | 'merged'
  | 'cancelled'
  | 'synced';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'requested',
  'approved',
  'merged',
  'cancelled',
  'synced',
];

export interface AuditEntry {
  /** Stable and unique; with `at`, the order of the log. */
  id: string;
  at: string;
  /** Who acted (`user:default/alice`). */
  actor: string;
  action: AuditAction;
  entityRef?: string;
  /** The change request acted on. */
  changeRequest?: { id: string; title: string };
  /** The application synced. */
  application?: string;
  /** For a sync: the revision applied. */
  revision?: string;
  /** For a sync: how it ended (`running` while it still runs). */
  result?: SyncResult;
  message?: string;
}

/** `GET /audit`: newest first; pass `nextCursor` back to read older entries. */
export interface AuditLogResponse {
  items: AuditEntry[];
  nextCursor?: string;
}
