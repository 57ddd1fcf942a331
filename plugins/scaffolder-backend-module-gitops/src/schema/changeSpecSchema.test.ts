import {
  CHANGE_TYPES,
  ChangeSpec,
  ChangeType,
} from '@backstage-gitops/plugin-gitops-common';
import { mockServices } from '@backstage/backend-test-utils';
import { validate } from 'jsonschema';
import { z } from 'zod/v3';
import { createProposeChangeAction } from '../actions/proposeChange';
import { changeSpecListSchema, changeSpecSchema } from './changeSpecSchema';

/** The JSON schema the scaffolder validates a propose step's input with. */
const scaffolderSchema = createProposeChangeAction({
  discovery: mockServices.discovery(),
  auth: mockServices.auth(),
}).schema!.input!;
const stepInput = (changes: unknown[]) => ({
  entityRef: 'component:default/shop-api',
  changes,
});

// Keyed by ChangeType, so a kind added to the contract without an entry here fails to compile.
const oneOfEach: Record<ChangeType, ChangeSpec> = {
  image: { type: 'image', application: 'shop-api-dev', tag: '1.5.0' },
  replicas: {
    type: 'replicas',
    application: 'shop-api-prod',
    workload: { kind: 'Deployment', name: 'shop-api' },
    replicas: 3,
  },
  env: {
    type: 'env',
    application: 'shop-api-dev',
    container: 'web',
    name: 'LOG_LEVEL',
    value: null,
  },
  resources: {
    type: 'resources',
    application: 'shop-api-dev',
    requests: { cpu: '250m' },
    limits: { memory: '1Gi' },
  },
  promote: { type: 'promote', from: 'shop-api-staging', to: 'shop-api-prod' },
  rollback: { type: 'rollback', changeRequest: 'cr-0f3a9c2b7d41e6a85c10' },
  codify: {
    type: 'codify',
    application: 'shop-api-dev',
    resource: {
      group: '',
      kind: 'ConfigMap',
      namespace: 'shop-dev',
      name: 'shop-api-config',
    },
    path: 'data.CART_TTL',
  },
  application: {
    type: 'application',
    name: 'payments',
    entityRef: 'component:default/payments',
    image: 'ghcr.io/acme/payments',
    tag: '1.0.0',
    port: 8080,
    environments: [{ name: 'dev', namespace: 'payments-dev', replicas: 1 }],
  },
};

type AssertSame<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : never
  : never;

describe('changeSpecSchema', () => {
  it('parses to exactly the contract type', () => {
    // Fails to compile when the zod union and the contract's ChangeSpec drift apart.
    const mirrors: AssertSame<
      z.output<ReturnType<typeof changeSpecSchema>>,
      ChangeSpec
    > = true;
    expect(mirrors).toBe(true);
  });

  it.each(CHANGE_TYPES.map(type => [type]))(
    'accepts a %s change as the contract writes it',
    type => {
      const change = oneOfEach[type];
      expect(changeSpecSchema(z).parse(change)).toEqual(change);
      expect(validate(stepInput([change]), scaffolderSchema).errors).toEqual(
        [],
      );
    },
  );

  it('lets the scaffolder refuse a kind the contract does not have', () => {
    const result = validate(
      stepInput([{ type: 'delete-everything', application: 'shop-api-prod' }]),
      scaffolderSchema,
    );
    expect(result.valid).toBe(false);
  });

  it('names the change and the field of each problem', () => {
    const result = changeSpecListSchema(z).safeParse([
      oneOfEach.image,
      { type: 'env', application: 'shop-api-dev', name: 'A B', value: 'x' },
    ]);
    expect(result.success).toBe(false);
    expect(
      !result.success && result.error.issues.map(i => i.path.join('.')),
    ).toEqual(['1.name']);
  });
});
