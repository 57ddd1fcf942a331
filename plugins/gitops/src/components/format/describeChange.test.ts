import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import { describeChange } from './describeChange';

describe('describeChange', () => {
  it.each<[ChangeSpec, string]>([
    [
      { type: 'image', application: 'shop-api-dev', tag: '1.5.0' },
      'Set the image tag to 1.5.0 in shop-api-dev',
    ],
    [
      {
        type: 'image',
        application: 'shop-api-dev',
        workload: { kind: 'Deployment', name: 'shop-api' },
        container: 'web',
        tag: '1.5.0',
      },
      'Set the image tag of Deployment shop-api, container web to 1.5.0 in shop-api-dev',
    ],
    [
      { type: 'replicas', application: 'shop-api-prod', replicas: 1 },
      'Scale to 1 replica in shop-api-prod',
    ],
    [
      { type: 'replicas', application: 'shop-api-prod', replicas: 4 },
      'Scale to 4 replicas in shop-api-prod',
    ],
    [
      {
        type: 'env',
        application: 'shop-api-dev',
        name: 'LOG_LEVEL',
        value: 'debug',
      },
      'Set LOG_LEVEL=debug in shop-api-dev',
    ],
    [
      {
        type: 'env',
        application: 'shop-api-dev',
        name: 'LOG_LEVEL',
        value: null,
      },
      'Remove LOG_LEVEL in shop-api-dev',
    ],
    [
      {
        type: 'resources',
        application: 'shop-api-dev',
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { memory: '512Mi' },
      },
      'Set requests cpu 250m, memory 256Mi; limits memory 512Mi in shop-api-dev',
    ],
    [
      { type: 'promote', from: 'shop-api-dev', to: 'shop-api-staging' },
      'Promote shop-api-dev to shop-api-staging',
    ],
    [{ type: 'rollback', changeRequest: 'cr-7' }, 'Roll back cr-7'],
    [
      {
        type: 'codify',
        application: 'shop-api-dev',
        resource: {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'shop-dev',
          name: 'shop-api',
        },
        path: 'spec.replicas',
      },
      'Write the live spec.replicas of Deployment shop-dev/shop-api into Git for shop-api-dev',
    ],
    [
      {
        type: 'application',
        name: 'payments',
        entityRef: 'component:default/payments',
        image: 'ghcr.io/acme/payments',
        tag: '0.1.0',
        port: 8080,
        environments: [
          { name: 'dev', namespace: 'payments-dev' },
          { name: 'prod', namespace: 'payments-prod' },
        ],
      },
      'Add the new application payments (ghcr.io/acme/payments:0.1.0) in dev, prod',
    ],
  ])('%o reads "%s"', (change, expected) => {
    expect(describeChange(change)).toBe(expected);
  });
});
