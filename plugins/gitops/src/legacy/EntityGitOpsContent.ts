import { createComponentExtension } from '@backstage/core-plugin-api';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/** The GitOps tab for legacy entity pages: `<EntityLayout.Route path="/gitops" title="GitOps">`. */
export const EntityGitOpsContent = legacyGitOpsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsContent',
    component: {
      lazy: () =>
        import('../components/GitOpsContent').then(m => m.GitOpsContent),
    },
  }),
);
