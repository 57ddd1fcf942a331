import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ScmProvider } from './ScmProvider';

/** Lets a backend module add an SCM provider (GitLab, Bitbucket, ...) to the GitOps backend. */
export interface GitOpsScmProvidersExtensionPoint {
  /** Providers added here are asked before the built-in GitHub and local ones. */
  addScmProvider(provider: ScmProvider): void;
}

export const gitopsScmProvidersExtensionPoint =
  createExtensionPoint<GitOpsScmProvidersExtensionPoint>({
    id: 'gitops.scm-providers',
  });
