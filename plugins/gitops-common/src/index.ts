/**
 * The contract between the GitOps backend and frontend.
 *
 * @packageDocumentation
 */
export * from './vocabulary';
export * from './annotations';
export * from './application';
export * from './api';
export * from './permissions';
export * from './changes';
export * from './sync';
export * from './metrics';
