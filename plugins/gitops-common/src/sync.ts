import type { ResourceRef } from './api';

/** What started a sync: the automated policy after a commit, self-heal after drift, or a person. */
export type SyncTrigger = 'automated' | 'self-heal' | 'manual';

export type SyncResult = 'running' | 'succeeded' | 'failed' | 'skipped';

/** What a sync did to one object. */
export interface SyncResourceResult {
  ref: ResourceRef;
  action: 'applied' | 'pruned' | 'unchanged' | 'failed';
  message?: string;
}

/** One sync of one application to its cluster, kept as history. */
export interface SyncRun {
  id: string;
  application: string;
  trigger: SyncTrigger;
  /** Who asked, for a manual sync (`user:default/alice`). */
  requestedBy?: string;
  /** The config repo commit applied. */
  revision?: string;
  startedAt: string;
  finishedAt?: string;
  result: SyncResult;
  /** Why it failed or was skipped (e.g. a deny change window). */
  message?: string;
  resources: SyncResourceResult[];
}

export interface SyncRunListResponse {
  items: SyncRun[];
  nextCursor?: string;
}
