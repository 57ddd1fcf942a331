export { computeInventory } from './computeInventory';
export type {
  InventoryEntry,
  InventoryOptions,
  InventoryStatus,
} from './computeInventory';
export { resourceSyncOf, summarizeSync } from './summarizeSync';
export type {
  ResourceSync,
  ResourceSyncStatus,
  SyncStatus,
} from './summarizeSync';
