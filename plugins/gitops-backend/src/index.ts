/**
 * The GitOps backend plugin: reconciles config repos against Kubernetes clusters and serves per-entity
 * sync, health and drift.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
export type { GitOpsStore } from './database/GitOpsStore';
export { eventsModuleGitopsGithubWebhook } from './webhooks/eventsModuleGitopsGithubWebhook';
