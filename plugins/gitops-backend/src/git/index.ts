export {
  ConfigRepository,
  type ConfigRepositoryOptions,
  type RepoHead,
} from './ConfigRepository';
export { GitCommandError } from './GitCommandError';
export { GitCredentials, type GitAuth } from './GitCredentials';
export { normalizeRepoPath } from './normalizeRepoPath';
export { parseRemoteUrl, type RemoteUrl } from './parseRemoteUrl';
export { RepoUnreachableError } from './RepoUnreachableError';
export { runGit, type GitResult, type RunGitOptions } from './runGit';
export { validateBranchName } from './validateBranchName';
