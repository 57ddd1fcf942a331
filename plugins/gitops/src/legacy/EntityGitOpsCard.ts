import { createComponentExtension } from '@backstage/core-plugin-api';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/** The GitOps overview card for legacy entity pages; wrap it in `EntitySwitch.Case if={isGitOpsAvailable}`. */
export const EntityGitOpsCard = legacyGitOpsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsCard',
    component: {
      lazy: () =>
        import('../components/GitOpsOverviewCard').then(
          m => m.GitOpsOverviewCard,
        ),
    },
  }),
);
