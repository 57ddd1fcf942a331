/**
 * GitOps for Backstage: the entity overview card and entity tab showing sync, health, drift and history.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
export { gitopsApiRef, type GitOpsApi } from './api/GitOpsApi';
export { GitOpsClient } from './api/GitOpsClient';
export { isGitOpsAvailable } from './isGitOpsAvailable';
export { legacyGitOpsPlugin } from './legacy/legacyGitOpsPlugin';
export { EntityGitOpsCard } from './legacy/EntityGitOpsCard';
export { EntityGitOpsContent } from './legacy/EntityGitOpsContent';
