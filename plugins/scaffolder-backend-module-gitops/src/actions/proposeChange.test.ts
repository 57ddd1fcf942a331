import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { ChangeRequest } from '@backstage-gitops/plugin-gitops-common';
import { validate } from 'jsonschema';
import { createTestActionContext } from '../__testUtils__/createTestActionContext';
import { exampleStepInputs } from '../__testUtils__/exampleStepInputs';
import {
  FakeGitOpsBackend,
  startFakeGitOpsBackend,
} from '../__testUtils__/startFakeGitOpsBackend';
import { parseActionInput } from './parseActionInput';
import {
  createProposeChangeAction,
  proposeChangeInputSchema,
} from './proposeChange';
import { examples } from './proposeChange.examples';

const ALICE_TOKEN = mockCredentials.service.header({
  onBehalfOf: mockCredentials.user('user:default/alice'),
  targetPluginId: 'gitops',
});

const bumpStaging = {
  entityRef: 'component:default/shop-api',
  title: 'shop-api 1.5.0 to staging',
  changes: [{ type: 'image', application: 'shop-api-staging', tag: '1.5.0' }],
};

describe('gitops:change:propose', () => {
  let backend: FakeGitOpsBackend;
  const auth = mockServices.auth();

  const start = async (
    options?: Parameters<typeof startFakeGitOpsBackend>[0],
  ) => {
    backend = await startFakeGitOpsBackend({
      entities: {
        'component:default/shop-api': [
          'shop-api-dev',
          'shop-api-staging',
          'shop-api-prod',
        ],
        'component:default/ledger': [
          'ledger-dev',
          'ledger-staging',
          'ledger-prod',
        ],
      },
      ...options,
    });
    return createProposeChangeAction({ discovery: backend.discovery, auth });
  };

  afterEach(async () => {
    await backend?.stop();
  });

  describe('examples', () => {
    const action = createProposeChangeAction({
      discovery: mockServices.discovery(),
      auth,
    });
    const inputs = exampleStepInputs(examples, 'gitops:change:propose');

    it('has an example for every kind of change it is usually given', () => {
      const types = new Set(
        inputs.flatMap(([, input]) =>
          (input.changes as Array<{ type: string }>).map(c => c.type),
        ),
      );
      expect([...types].sort()).toEqual(
        [
          'codify',
          'env',
          'image',
          'promote',
          'replicas',
          'resources',
          'rollback',
        ].sort(),
      );
    });

    it.each(inputs)(
      '%s: passes the scaffolder schema and the action input',
      (_, input) => {
        expect(validate(input, action.schema!.input!).errors).toEqual([]);
        expect(() =>
          parseActionInput(
            'gitops:change:propose',
            proposeChangeInputSchema,
            input,
          ),
        ).not.toThrow();
      },
    );
  });

  it("proposes the change on the user's behalf and outputs the change request", async () => {
    const action = await start();
    const { ctx, outputs } = createTestActionContext({ input: bumpStaging });

    await action.handler(ctx);

    expect(backend.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /entities/component/default/shop-api/status',
      'POST /changes',
    ]);
    expect(backend.requests.every(r => r.authorization === ALICE_TOKEN)).toBe(
      true,
    );
    const post = backend.requests[1].body;
    expect(post).toEqual({
      title: 'shop-api 1.5.0 to staging',
      changes: [
        { type: 'image', application: 'shop-api-staging', tag: '1.5.0' },
      ],
      idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    });
    expect(backend.changes.get('cr-1')?.requestedBy).toBe('user:default/alice');
    expect(outputs).toEqual({
      changeRequestId: 'cr-1',
      state: 'pr-open',
      pullRequestUrl: 'https://forge.example/acme/config/pull/1',
      policyVerdict: 'allow',
    });
  });

  it('does not propose again when a resumed task already has its change request', async () => {
    const action = await start();
    const first = createTestActionContext({ input: bumpStaging });
    await action.handler(first.ctx);
    const second = createTestActionContext({
      input: bumpStaging,
      checkpoints: first.checkpoints,
    });

    await action.handler(second.ctx);

    expect(backend.requests.filter(r => r.path === '/changes')).toHaveLength(1);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.logger.info).toHaveBeenCalledWith(
      expect.stringContaining('opened by an earlier run of this step'),
    );
  });

  it('gets the first change request back when a retry lost the checkpoint', async () => {
    const action = await start();
    const first = createTestActionContext({ input: bumpStaging });
    await action.handler(first.ctx);
    const retry = createTestActionContext({ input: bumpStaging });

    await action.handler(retry.ctx);

    const posts = backend.requests.filter(r => r.path === '/changes');
    expect(posts).toHaveLength(2);
    expect(posts[1].body.idempotencyKey).toBe(posts[0].body.idempotencyKey);
    expect(backend.changes.size).toBe(1);
    expect(retry.outputs.changeRequestId).toBe('cr-1');
    expect(retry.logger.info).toHaveBeenCalledWith(
      expect.stringContaining('Found the earlier change request cr-1'),
    );
  });

  it('opens separate change requests for other tasks, other steps and other changes', async () => {
    const action = await start();
    const prod = {
      ...bumpStaging,
      changes: [{ type: 'image', application: 'shop-api-prod', tag: '1.5.0' }],
    };
    for (const run of [
      { input: bumpStaging },
      { input: bumpStaging, taskId: 'another-task' },
      { input: bumpStaging, stepId: 'propose-again' },
      { input: prod },
    ]) {
      await action.handler(createTestActionContext(run).ctx);
    }

    const keys = backend.requests
      .filter(r => r.path === '/changes')
      .map(r => r.body.idempotencyKey);
    expect(new Set(keys).size).toBe(4);
    expect(backend.changes.size).toBe(4);
  });

  it('only previews in a dry run, and outputs the files and the verdict', async () => {
    const action = await start({
      policy: {
        verdict: 'warn',
        findings: [
          {
            policy: 'resources',
            object: 'apps/Deployment/shop-staging/shop-api',
            application: 'shop-api-staging',
            action: 'Warn',
            message: 'no memory limit',
          },
        ],
      },
    });
    const { ctx, outputs, logger } = createTestActionContext({
      input: bumpStaging,
      isDryRun: true,
    });

    await action.handler(ctx);

    expect(backend.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /entities/component/default/shop-api/status',
      'POST /changes/preview',
    ]);
    expect(backend.requests[1].body.idempotencyKey).toBeUndefined();
    expect(backend.changes.size).toBe(0);
    expect(outputs).toEqual({
      state: 'checked',
      policyVerdict: 'warn',
      files: ['apps/changed-0/image.yaml'],
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('no memory limit'),
    );
  });

  it('reports a policy deny in a dry run as the state rejected', async () => {
    const action = await start({ policy: { verdict: 'deny', findings: [] } });
    const { ctx, outputs } = createTestActionContext({
      input: bumpStaging,
      isDryRun: true,
    });

    await action.handler(ctx);

    expect(outputs).toMatchObject({ state: 'rejected', policyVerdict: 'deny' });
  });

  it('fails, once per change request, when the backend rejects it', async () => {
    const action = await start({ createdState: 'rejected' });
    const first = createTestActionContext({ input: bumpStaging });

    await expect(action.handler(first.ctx)).rejects.toMatchObject({
      name: 'ChangeRequestFailedError',
      message:
        'Change request cr-1 was rejected: policy prod-replicas denies the change',
    });
    const resumed = createTestActionContext({
      input: bumpStaging,
      checkpoints: first.checkpoints,
    });
    await expect(action.handler(resumed.ctx)).rejects.toThrow(
      'cr-1 was rejected',
    );
    expect(backend.requests.filter(r => r.path === '/changes')).toHaveLength(1);
  });

  it('refuses applications of another entity before anything is proposed', async () => {
    const action = await start();
    const { ctx } = createTestActionContext({
      input: {
        entityRef: 'component:default/shop-api',
        changes: [
          { type: 'replicas', application: 'ledger-prod', replicas: 0 },
        ],
      },
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message:
        'ledger-prod is not an application of component:default/shop-api; its applications are: shop-api-dev, shop-api-staging, shop-api-prod',
    });
    expect(backend.requests.map(r => r.path)).not.toContain('/changes');
  });

  it('refuses to roll back a change request of another entity', async () => {
    const ledgerChange = {
      id: 'cr-9',
      entityRef: 'component:default/ledger',
    } as ChangeRequest;
    const action = await start({ existing: [ledgerChange] });
    const { ctx } = createTestActionContext({
      input: {
        entityRef: 'component:default/shop-api',
        changes: [{ type: 'rollback', changeRequest: 'cr-9' }],
      },
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      'Change request cr-9 belongs to component:default/ledger, not component:default/shop-api',
    );
    expect(backend.requests.map(r => r.path)).toEqual(['/changes/cr-9']);
  });

  it.each([
    [
      403,
      'NotAllowedError',
      'user:default/alice may not change component:default/shop-api',
    ],
    [
      409,
      'ConflictError',
      'apps/shop-api/overlays/staging changed since the preview',
    ],
    [400, 'InputError', 'shop-api-staging has two containers; name one'],
  ])(
    "surfaces the backend's %i answer as %s with its message",
    async (status, name, message) => {
      const action = await start();
      backend.failNext('POST', '/changes', { status, name, message });
      const { ctx } = createTestActionContext({ input: bumpStaging });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name,
        message: `Proposing the change failed with ${status}: ${message}`,
      });
    },
  );

  it('says so when the backend answers a gateway error page', async () => {
    const action = await start();
    backend.failNext('POST', '/changes', {
      status: 502,
      name: 'Error',
      message: 'Bad Gateway',
      plain: true,
    });
    const { ctx } = createTestActionContext({ input: bumpStaging });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(
        /^Proposing the change failed with 502: .*Bad Gateway/,
      ),
    });
  });

  it('says so when the backend is unreachable', async () => {
    const action = await start();
    await backend.stop();
    const { ctx } = createTestActionContext({ input: bumpStaging });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining(
        'the GitOps backend is unreachable (ECONNREFUSED)',
      ),
    });
  });

  describe('input', () => {
    const parse = (input: object) =>
      parseActionInput(
        'gitops:change:propose',
        proposeChangeInputSchema,
        input,
      );
    const withChange = (change: object) => ({
      entityRef: 'component:default/shop-api',
      changes: [change],
    });

    it.each([
      [
        'a path as application',
        withChange({ type: 'image', application: '../../etc', tag: '1.0' }),
        'changes.0.application: application must not contain ".." (path traversal; got "../../etc")',
      ],
      [
        'an absolute path as application',
        withChange({
          type: 'replicas',
          application: '/etc/passwd',
          replicas: 1,
        }),
        'changes.0.application: application must not be an absolute path (got "/etc/passwd")',
      ],
      [
        'shell metacharacters in a container name',
        withChange({
          type: 'image',
          application: 'shop-api-dev',
          container: 'web;rm',
          tag: '1',
        }),
        'changes.0.container: container must not contain shell metacharacters or whitespace (found ";" in "web;rm")',
      ],
      [
        'a command substitution as tag',
        withChange({
          type: 'image',
          application: 'shop-api-dev',
          tag: '$(id)',
        }),
        'changes.0.tag: tag must not contain shell metacharacters or whitespace (found "$" in "$(id)")',
      ],
      [
        'upper case in an application name',
        withChange({ type: 'image', application: 'Shop-API', tag: '1' }),
        'changes.0.application: application must be a DNS-1123 label',
      ],
      [
        'promoting an application to itself',
        withChange({
          type: 'promote',
          from: 'shop-api-dev',
          to: 'shop-api-dev',
        }),
        'changes.0.to: promote needs two different applications',
      ],
      [
        'a resources change without quantities',
        withChange({
          type: 'resources',
          application: 'shop-api-dev',
          requests: {},
        }),
        'changes.0: a resources change must set at least one request or limit',
      ],
      [
        'a quantity that is not one',
        withChange({
          type: 'resources',
          application: 'shop-api-dev',
          limits: { cpu: 'lots' },
        }),
        'changes.0.limits.cpu: limits.cpu must be a Kubernetes quantity',
      ],
      [
        'no changes',
        { entityRef: 'component:default/shop-api', changes: [] },
        'changes: changes must hold at least one change',
      ],
      [
        'an entity ref without kind',
        {
          ...withChange({
            type: 'image',
            application: 'shop-api-dev',
            tag: '1',
          }),
          entityRef: 'shop-api',
        },
        'entityRef: entityRef must be a catalog entity reference like component:default/shop-api',
      ],
      [
        'a new application for another entity',
        withChange({
          type: 'application',
          name: 'payments',
          entityRef: 'component:default/payments',
          image: 'ghcr.io/acme/payments',
          tag: '1.0.0',
          port: 8080,
          environments: [{ name: 'dev', namespace: 'payments-dev' }],
        }),
        "changes.0.entityRef: a new application must deploy the step's entity component:default/shop-api",
      ],
    ])('rejects %s', (_, input, message) => {
      expect(() => parse(input)).toThrow(message);
    });

    it('rejects bad input before calling the backend', async () => {
      const action = await start();
      const { ctx } = createTestActionContext({
        input: withChange({
          type: 'image',
          application: '../shop-api-prod',
          tag: '1',
        }),
      });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name: 'InputError',
      });
      expect(backend.requests).toEqual([]);
    });

    it('normalizes the entity ref', () => {
      expect(
        parse({
          entityRef: 'Component:shop-api',
          changes: [
            {
              type: 'env',
              application: 'shop-api-dev',
              name: 'LOG_LEVEL',
              value: null,
            },
          ],
        }).entityRef,
      ).toBe('component:default/shop-api');
    });
  });
});
