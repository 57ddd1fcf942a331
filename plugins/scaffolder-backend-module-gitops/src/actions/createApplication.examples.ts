import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Add a service in dev, staging and prod of the local cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'create',
          action: 'gitops:application:create',
          name: 'Add payments to the config repo',
          input: {
            entityRef: 'component:default/payments',
            name: 'payments',
            image: 'ghcr.io/acme/payments',
            tag: '1.0.0',
            port: 8080,
            environments: [
              { name: 'dev', namespace: 'payments-dev' },
              { name: 'staging', namespace: 'payments-staging', replicas: 2 },
              {
                name: 'prod',
                namespace: 'payments-prod',
                cluster: 'local',
                replicas: 3,
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'Add a service to a named config repo, then wait until a reviewer merges the pull request',
    example: yaml.stringify({
      steps: [
        {
          id: 'create',
          action: 'gitops:application:create',
          name: 'Add invoices to the config repo',
          input: {
            entityRef: 'component:default/invoices',
            name: 'invoices',
            image: 'registry.acme.example:5000/finance/invoices',
            tag: '0.3.1',
            port: 3000,
            environments: [
              { name: 'dev', namespace: 'invoices-dev', replicas: 1 },
            ],
            repo: 'platform-config',
            title: 'Add invoices (dev only)',
            description: 'First deployment of the invoices service.',
          },
        },
        {
          id: 'wait',
          action: 'gitops:change:wait',
          name: 'Wait for the merge',
          input: {
            // eslint-disable-next-line no-template-curly-in-string
            changeRequestId: '${{ steps.create.output.changeRequestId }}',
            until: 'merged',
            timeoutMinutes: 240,
          },
        },
      ],
    }),
  },
];
