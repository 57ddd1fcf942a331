import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [{ id: 'propose', action: 'gitops:change:propose', name, input }],
  });

export const examples: TemplateExample[] = [
  {
    description: 'Deploy a new image tag of shop-api to staging',
    example: step('Bump shop-api in staging', {
      entityRef: 'component:default/shop-api',
      title: 'shop-api 1.5.0 to staging',
      changes: [
        {
          type: 'image',
          application: 'shop-api-staging',
          container: 'web',
          tag: '1.5.0',
        },
      ],
    }),
  },
  {
    description: 'Scale prod and raise its log level in one change request',
    example: step('Scale shop-api in prod', {
      entityRef: 'component:default/shop-api',
      title: 'shop-api prod: 4 replicas, debug logs',
      description: 'Load test on Thursday; revert afterwards.',
      changes: [
        {
          type: 'replicas',
          application: 'shop-api-prod',
          workload: { kind: 'Deployment', name: 'shop-api' },
          replicas: 4,
        },
        {
          type: 'env',
          application: 'shop-api-prod',
          container: 'web',
          name: 'LOG_LEVEL',
          value: 'debug',
        },
      ],
    }),
  },
  {
    description:
      'Remove an environment variable and set memory requests and limits',
    example: step('Tune ledger in dev', {
      entityRef: 'component:default/ledger',
      changes: [
        {
          type: 'env',
          application: 'ledger-dev',
          name: 'FEATURE_AUDIT',
          value: null,
        },
        {
          type: 'resources',
          application: 'ledger-dev',
          requests: { memory: '256Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
      ],
    }),
  },
  {
    description: 'Promote what runs in staging to prod',
    example: step('Promote shop-api to prod', {
      entityRef: 'component:default/shop-api',
      title: 'Promote shop-api staging → prod',
      changes: [
        { type: 'promote', from: 'shop-api-staging', to: 'shop-api-prod' },
      ],
    }),
  },
  {
    description: 'Revert the commit of an earlier, merged change request',
    example: step('Roll back shop-api', {
      entityRef: 'component:default/shop-api',
      changes: [{ type: 'rollback', changeRequest: 'cr-0f3a9c2b7d41e6a85c10' }],
    }),
  },
  {
    description: 'Write a drifted live value back into Git',
    example: step('Codify the live image of shop-api in dev', {
      entityRef: 'component:default/shop-api',
      changes: [
        {
          type: 'codify',
          application: 'shop-api-dev',
          resource: {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'shop-dev',
            name: 'shop-api',
          },
          path: 'spec.template.spec.containers[name=web].image',
        },
      ],
    }),
  },
];
