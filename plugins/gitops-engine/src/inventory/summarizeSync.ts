import type { DiffResult } from '../diff/Drift';
import type { InventoryEntry } from './computeInventory';

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

export type ResourceSyncStatus =
  | 'Synced'
  | 'OutOfSync'
  | 'Missing'
  | 'Extraneous'
  | 'Unknown';

export interface ResourceSync {
  status: ResourceSyncStatus;
  /** Extraneous resources kept by `prune: disabled` do not make the application OutOfSync. */
  prune?: boolean;
}

/** One resource's sync status from its inventory entry and, for present ones, its diff (none yet: Unknown). */
export function resourceSyncOf(
  entry: InventoryEntry,
  diff?: DiffResult,
): ResourceSync {
  switch (entry.status) {
    case 'Missing':
      return { status: 'Missing' };
    case 'Extraneous':
      return { status: 'Extraneous', prune: entry.prune };
    default:
      if (!diff) return { status: 'Unknown' };
      return { status: diff.modified ? 'OutOfSync' : 'Synced' };
  }
}

/**
 * An application's sync status: OutOfSync as soon as one resource is known to differ (Missing,
 * prunable Extraneous, OutOfSync); otherwise Unknown if any resource is; otherwise Synced.
 */
export function summarizeSync(
  resources: Iterable<ResourceSync | ResourceSyncStatus>,
): SyncStatus {
  let unknown = false;
  for (const resource of resources) {
    const { status, prune } =
      typeof resource === 'string'
        ? { status: resource, prune: true }
        : resource;
    if (status === 'OutOfSync' || status === 'Missing') return 'OutOfSync';
    if (status === 'Extraneous' && prune !== false) return 'OutOfSync';
    if (status === 'Unknown') unknown = true;
  }
  return unknown ? 'Unknown' : 'Synced';
}
