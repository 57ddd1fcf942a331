/**
 * Extension points of the GitOps backend.
 *
 * @packageDocumentation
 */
export * from './ScmProvider';
export * from './extensions';
