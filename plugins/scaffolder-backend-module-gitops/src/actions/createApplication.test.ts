import { mockServices } from '@backstage/backend-test-utils';
import { validate } from 'jsonschema';
import { createTestActionContext } from '../__testUtils__/createTestActionContext';
import { exampleStepInputs } from '../__testUtils__/exampleStepInputs';
import {
  FakeGitOpsBackend,
  startFakeGitOpsBackend,
} from '../__testUtils__/startFakeGitOpsBackend';
import {
  createApplicationInputSchema,
  createCreateApplicationAction,
} from './createApplication';
import { examples } from './createApplication.examples';
import { parseActionInput } from './parseActionInput';

const payments = {
  entityRef: 'Component:payments',
  name: 'payments',
  image: 'ghcr.io/acme/payments',
  tag: '1.0.0',
  port: 8080,
  environments: [
    { name: 'dev', namespace: 'payments-dev' },
    { name: 'prod', namespace: 'payments-prod', cluster: 'local', replicas: 3 },
  ],
  repo: 'main',
};

describe('gitops:application:create', () => {
  let backend: FakeGitOpsBackend;
  const auth = mockServices.auth();

  const start = async () => {
    backend = await startFakeGitOpsBackend();
    return createCreateApplicationAction({
      discovery: backend.discovery,
      auth,
    });
  };

  afterEach(async () => {
    await backend?.stop();
  });

  describe('examples', () => {
    const action = createCreateApplicationAction({
      discovery: mockServices.discovery(),
      auth,
    });
    const inputs = exampleStepInputs(examples, 'gitops:application:create');

    it.each(inputs)(
      '%s: passes the scaffolder schema and the action input',
      (_, input) => {
        expect(validate(input, action.schema!.input!).errors).toEqual([]);
        expect(() =>
          parseActionInput(
            'gitops:application:create',
            createApplicationInputSchema,
            input,
          ),
        ).not.toThrow();
      },
    );
  });

  it('proposes one application change with every environment', async () => {
    const action = await start();
    const { ctx, outputs } = createTestActionContext({
      input: payments,
      stepId: 'create',
    });

    await action.handler(ctx);

    expect(backend.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /changes',
    ]);
    expect(backend.requests[0].body).toEqual({
      title: 'Add payments',
      changes: [
        {
          type: 'application',
          name: 'payments',
          entityRef: 'component:default/payments',
          image: 'ghcr.io/acme/payments',
          tag: '1.0.0',
          port: 8080,
          environments: [
            { name: 'dev', namespace: 'payments-dev' },
            {
              name: 'prod',
              namespace: 'payments-prod',
              cluster: 'local',
              replicas: 3,
            },
          ],
          repo: 'main',
        },
      ],
      idempotencyKey: expect.stringContaining('_create_'),
    });
    expect(outputs).toEqual({
      changeRequestId: 'cr-1',
      state: 'pr-open',
      pullRequestUrl: 'https://forge.example/acme/config/pull/1',
      policyVerdict: 'allow',
      applications: ['payments-dev', 'payments-prod'],
    });
  });

  it('opens one pull request however often the step is retried', async () => {
    const action = await start();
    for (let run = 0; run < 3; run++) {
      await action.handler(
        createTestActionContext({ input: payments, stepId: 'create' }).ctx,
      );
    }

    expect(backend.requests.filter(r => r.path === '/changes')).toHaveLength(3);
    expect(backend.changes.size).toBe(1);
  });

  it('only previews in a dry run, listing the files it would create', async () => {
    const action = await start();
    const { ctx, outputs } = createTestActionContext({
      input: payments,
      stepId: 'create',
      isDryRun: true,
    });

    await action.handler(ctx);

    expect(backend.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /changes/preview',
    ]);
    expect(backend.changes.size).toBe(0);
    expect(outputs).toEqual({
      state: 'checked',
      policyVerdict: 'allow',
      files: ['apps/changed-0/application.yaml'],
      applications: ['payments-dev', 'payments-prod'],
    });
  });

  it("surfaces the backend's refusal when the service already exists", async () => {
    const action = await start();
    backend.failNext('POST', '/changes', {
      status: 409,
      name: 'ConflictError',
      message: 'apps/payments already exists in the config repo',
    });
    const { ctx } = createTestActionContext({ input: payments });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'Proposing the change failed with 409: apps/payments already exists in the config repo',
    });
  });

  describe('input', () => {
    const parse = (input: object) =>
      parseActionInput(
        'gitops:application:create',
        createApplicationInputSchema,
        input,
      );

    it.each([
      [
        { name: '../../etc' },
        'name: name must not contain ".." (path traversal; got "../../etc")',
      ],
      [
        { name: '/srv/payments' },
        'name: name must not be an absolute path (got "/srv/payments")',
      ],
      [{ name: 'C:\\payments' }, 'name: name must not be an absolute path'],
      [
        { name: 'apps/payments' },
        'name: name must be a single name, not a path',
      ],
      [
        { name: 'payments;rm -rf' },
        'name: name must not contain shell metacharacters or whitespace (found ";" in "payments;rm -rf")',
      ],
      [
        { name: 'pay`id`' },
        'name: name must not contain shell metacharacters or whitespace (found "`"',
      ],
      [{ name: 'Payments' }, 'name: name must be a DNS-1123 label'],
      [
        { name: 'payments\n' },
        'name: name must not contain control characters',
      ],
      [
        { image: 'ghcr.io/acme/payments:1.0.0' },
        'image: image is the repository only: put the version in "tag"',
      ],
      [
        { image: 'ghcr.io/acme/payments@sha256:abc' },
        'image: image is the repository only: put the version in "tag"',
      ],
      [
        { image: 'ghcr.io/acme/$(whoami)' },
        'image: image must not contain shell metacharacters',
      ],
      [{ image: '../payments' }, 'image: image must not contain ".."'],
      [
        { image: 'GHCR.io/Acme/Payments' },
        'image: image must be an image repository like',
      ],
      [
        { tag: '1.0 && reboot' },
        'tag: tag must not contain shell metacharacters',
      ],
      [{ port: 70000 }, 'port: Number must be less than or equal to 65535'],
      [
        { environments: [] },
        'environments: environments must name at least one environment',
      ],
      [
        { environments: [{ name: 'dev', namespace: '../kube-system' }] },
        'environments.0.namespace: namespace must not contain ".."',
      ],
      [
        {
          environments: [
            { name: 'dev', namespace: 'payments-dev', cluster: 'prod|east' },
          ],
        },
        'environments.0.cluster: cluster must not contain shell metacharacters',
      ],
      [
        {
          environments: [
            { name: 'dev', namespace: 'a' },
            { name: 'dev', namespace: 'b' },
          ],
        },
        'environments.1.name: environment "dev" is listed twice',
      ],
      [{ name: 'p'.repeat(41) }, 'name: name must be at most 40 characters'],
      [
        { environments: [{ name: 'e'.repeat(21), namespace: 'p' }] },
        'environments.0.name: environment name must be at most 20 characters',
      ],
      [{ repo: '../../other' }, 'repo: repo must not contain ".."'],
    ])('rejects %j', (override, message) => {
      expect(() => parse({ ...payments, ...override })).toThrow(message);
    });

    it('rejects unsafe input before calling the backend', async () => {
      const action = await start();
      const { ctx } = createTestActionContext({
        input: { ...payments, name: '../etc' },
      });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name: 'InputError',
      });
      expect(backend.requests).toEqual([]);
    });

    it('accepts a registry with a port', () => {
      expect(
        parse({
          ...payments,
          image: 'registry.acme.example:5000/finance/payments',
        }).image,
      ).toBe('registry.acme.example:5000/finance/payments');
    });
  });
});
