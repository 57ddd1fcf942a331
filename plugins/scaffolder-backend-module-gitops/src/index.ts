/**
 * Scaffolder actions for GitOps: propose change requests, wait for them, add new services to the config repo.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { createProposeChangeAction } from './actions/proposeChange';
export { createWaitForChangeAction } from './actions/waitForChange';
export type { WaitTimers } from './actions/waitForChange';
export { createCreateApplicationAction } from './actions/createApplication';
export { ChangeRequestFailedError } from './actions/ChangeRequestFailedError';
export { GitOpsChangesClient } from './client/GitOpsChangesClient';
export type { GitOpsRequestOptions } from './client/GitOpsChangesClient';
