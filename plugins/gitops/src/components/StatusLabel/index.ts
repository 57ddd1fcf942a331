export { HealthStatusLabel } from './HealthStatusLabel';
export { SyncStatusLabel } from './SyncStatusLabel';
