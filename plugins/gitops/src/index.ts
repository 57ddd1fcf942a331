/**
 * GitOps for Backstage: the entity overview card and tab (sync, health, drift, history, environments, change
 * requests), the change request pages and the governance page.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
export {
  gitopsApiRef,
  type ChangeRequestQuery,
  type FleetQuery,
  type GitOpsApi,
  type PageRequest,
  type SubmittedChangeRequest,
} from './api/GitOpsApi';
export { GitOpsClient } from './api/GitOpsClient';
export { isGitOpsAvailable } from './isGitOpsAvailable';
export { legacyGitOpsPlugin } from './legacy/legacyGitOpsPlugin';
export { EntityGitOpsCard } from './legacy/EntityGitOpsCard';
export { EntityGitOpsContent } from './legacy/EntityGitOpsContent';
export { GitOpsChangeRequestPage } from './legacy/GitOpsChangeRequestPage';
export { GitOpsGovernancePage } from './legacy/GitOpsGovernancePage';
export { GitOpsApplicationPickerFieldExtension } from './legacy/GitOpsApplicationPickerFieldExtension';
export { GitOpsEnvironmentPickerFieldExtension } from './legacy/GitOpsEnvironmentPickerFieldExtension';
export { createGitOpsCatalogColumns } from './components/CatalogColumns';
export type { ChangePrefill } from './components/ChangeRequestPage/changePrefill';
