import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [{ id: 'wait', action: 'gitops:change:wait', name, input }],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'Propose a change, then wait until it is applied and healthy (defaults: 30 minutes, every 15 seconds)',
    example: yaml.stringify({
      steps: [
        {
          id: 'propose',
          action: 'gitops:change:propose',
          name: 'Bump shop-api in dev',
          input: {
            entityRef: 'component:default/shop-api',
            changes: [
              { type: 'image', application: 'shop-api-dev', tag: '1.5.0' },
            ],
          },
        },
        {
          id: 'wait',
          action: 'gitops:change:wait',
          name: 'Wait for shop-api to be healthy in dev',
          // eslint-disable-next-line no-template-curly-in-string
          input: {
            changeRequestId: '${{ steps.propose.output.changeRequestId }}',
          },
        },
      ],
    }),
  },
  {
    description: 'Wait up to a day for a reviewer to merge the pull request',
    example: step('Wait for the merge', {
      changeRequestId: 'cr-0f3a9c2b7d41e6a85c10',
      until: 'merged',
      timeoutMinutes: 1440,
      pollIntervalSeconds: 60,
    }),
  },
  {
    description: 'Wait until the merged change is applied to the clusters',
    example: step('Wait for the sync', {
      changeRequestId: 'cr-0f3a9c2b7d41e6a85c10',
      until: 'synced',
      timeoutMinutes: 10,
      pollIntervalSeconds: 5,
    }),
  },
];
