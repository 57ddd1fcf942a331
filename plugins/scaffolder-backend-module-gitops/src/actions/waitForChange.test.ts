import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type {
  ChangeRequest,
  ChangeRequestState,
} from '@backstage-gitops/plugin-gitops-common';
import { validate } from 'jsonschema';
import { createTestActionContext } from '../__testUtils__/createTestActionContext';
import { exampleStepInputs } from '../__testUtils__/exampleStepInputs';
import {
  FakeGitOpsBackend,
  startFakeGitOpsBackend,
} from '../__testUtils__/startFakeGitOpsBackend';
import { parseActionInput } from './parseActionInput';
import {
  WaitTimers,
  createWaitForChangeAction,
  waitForChangeInputSchema,
} from './waitForChange';
import { examples } from './waitForChange.examples';

function changeRequest(id: string, state: ChangeRequestState): ChangeRequest {
  return {
    id,
    title: 'shop-api 1.5.0 to staging',
    entityRef: 'component:default/shop-api',
    repo: 'main',
    changes: [],
    applications: [],
    state,
    requestedBy: 'user:default/alice',
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-01T10:00:00Z',
    baseSha: 'a1b2c3d',
    policy: { verdict: 'allow', findings: [] },
    approvals: [],
    approvalsRequired: [],
    events: [{ at: '2026-01-01T10:00:00Z', state }],
  };
}

/** A clock that only moves when the action sleeps, so a 30-minute wait takes no time. */
function fakeTimers(onSleep?: (sleeps: number) => void) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const timers: WaitTimers = {
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms);
      now += ms;
      onSleep?.(sleeps.length);
    },
  };
  return { timers, sleeps };
}

describe('gitops:change:wait', () => {
  let backend: FakeGitOpsBackend;
  const auth = mockServices.auth();

  const start = async (existing: ChangeRequest[], timers?: WaitTimers) => {
    backend = await startFakeGitOpsBackend({ existing });
    return createWaitForChangeAction({
      discovery: backend.discovery,
      auth,
      timers,
    });
  };
  const gets = () => backend.requests.filter(r => r.method === 'GET');

  afterEach(async () => {
    await backend?.stop();
  });

  describe('examples', () => {
    const action = createWaitForChangeAction({
      discovery: mockServices.discovery(),
      auth,
    });
    const inputs = exampleStepInputs(examples, 'gitops:change:wait', {
      'steps.propose.output.changeRequestId': 'cr-1',
    });

    it.each(inputs)(
      '%s: passes the scaffolder schema and the action input',
      (_, input) => {
        expect(validate(input, action.schema!.input!).errors).toEqual([]);
        expect(() =>
          parseActionInput(
            'gitops:change:wait',
            waitForChangeInputSchema,
            input,
          ),
        ).not.toThrow();
      },
    );
  });

  it('polls until the change request is healthy and outputs its timeline', async () => {
    const { timers, sleeps } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    backend.setTimeline('cr-1', ['pr-open', 'merged', 'synced', 'healthy']);
    const { ctx, outputs, logger } = createTestActionContext({
      input: { changeRequestId: 'cr-1', pollIntervalSeconds: 10 },
    });

    await action.handler(ctx);

    expect(gets()).toHaveLength(4);
    expect(sleeps).toEqual([10_000, 10_000, 10_000]);
    expect(outputs.state).toBe('healthy');
    expect(
      (outputs.events as Array<{ state: string }>).map(e => e.state),
    ).toEqual(['pr-open', 'pr-open', 'merged', 'synced', 'healthy']);
    expect(logger.info).toHaveBeenCalledWith('cr-1: merged');
    const alice = mockCredentials.service.header({
      onBehalfOf: mockCredentials.user('user:default/alice'),
      targetPluginId: 'gitops',
    });
    expect(gets().every(r => r.authorization === alice)).toBe(true);
  });

  it.each([
    ['merged', ['pr-open', 'synced'], 'synced', 2],
    ['merged', ['merged'], 'merged', 1],
    ['synced', ['merged', 'merged', 'healthy'], 'healthy', 3],
  ] as const)(
    'until %s, the timeline %j ends the wait at %s',
    async (until, timeline, reached, polls) => {
      const { timers } = fakeTimers();
      const action = await start([changeRequest('cr-1', 'checked')], timers);
      backend.setTimeline('cr-1', [...timeline]);
      const { ctx, outputs } = createTestActionContext({
        input: { changeRequestId: 'cr-1', until },
      });

      await action.handler(ctx);

      expect(outputs.state).toBe(reached);
      expect(gets()).toHaveLength(polls);
    },
  );

  it('returns at once when the change request is already past the state', async () => {
    const { timers, sleeps } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'healthy')], timers);
    const { ctx, outputs } = createTestActionContext({
      input: { changeRequestId: 'cr-1', until: 'merged' },
    });

    await action.handler(ctx);

    expect(outputs.state).toBe('healthy');
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['rejected', 'policy prod-replicas denies replicas: 0 in prod'],
    ['closed', 'closed by user:default/bob'],
    ['failed', 'sync failed: Deployment shop-api: image pull back-off'],
  ] as const)(
    'fails with the reason when the change request is %s',
    async (state, reason) => {
      const { timers } = fakeTimers();
      const action = await start([changeRequest('cr-1', 'pr-open')], timers);
      backend.setTimeline('cr-1', ['pr-open', { state, reason }]);
      const { ctx } = createTestActionContext({
        input: { changeRequestId: 'cr-1' },
      });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name: 'ChangeRequestFailedError',
        message: `Change request cr-1 was ${state}: ${reason}`,
      });
      expect(gets()).toHaveLength(2);
    },
  );

  it('gives up at the timeout, naming the last state', async () => {
    const { timers, sleeps } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    const { ctx } = createTestActionContext({
      input: {
        changeRequestId: 'cr-1',
        until: 'merged',
        timeoutMinutes: 1,
        pollIntervalSeconds: 25,
      },
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      'Change request cr-1 was not merged within 1 minute(s); last state: pr-open',
    );
    // Reads at 0, 25, 50 and 60 seconds: the last sleep is cut to the deadline.
    expect(sleeps).toEqual([25_000, 25_000, 10_000]);
    expect(gets()).toHaveLength(4);
  });

  it('waits at most 24 hours and polls at least every second', () => {
    const parse = (input: object) =>
      parseActionInput('gitops:change:wait', waitForChangeInputSchema, input);

    expect(() =>
      parse({ changeRequestId: 'cr-1', timeoutMinutes: 1441 }),
    ).toThrow('timeoutMinutes: timeoutMinutes must be at most 1440 (24 hours)');
    expect(() =>
      parse({ changeRequestId: 'cr-1', pollIntervalSeconds: 0.1 }),
    ).toThrow('pollIntervalSeconds');
    expect(() => parse({ changeRequestId: '../admin' })).toThrow(
      'changeRequestId must not contain ".."',
    );
    expect(parse({ changeRequestId: 'cr-1' })).toEqual({
      changeRequestId: 'cr-1',
      until: 'healthy',
      timeoutMinutes: 30,
      pollIntervalSeconds: 15,
    });
  });

  it('stops when the task is cancelled', async () => {
    const controller = new AbortController();
    const { timers } = fakeTimers(sleeps => {
      if (sleeps === 2) controller.abort();
    });
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    const { ctx } = createTestActionContext({
      input: { changeRequestId: 'cr-1' },
      signal: controller.signal,
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      'Stopped waiting for change request cr-1: the task was cancelled (last state: pr-open)',
    );
    expect(gets()).toHaveLength(2);
  });

  it('wakes from its sleep when the task is cancelled', async () => {
    const action = await start([changeRequest('cr-1', 'pr-open')]);
    const controller = new AbortController();
    const { ctx } = createTestActionContext({
      input: { changeRequestId: 'cr-1', pollIntervalSeconds: 600 },
      signal: controller.signal,
    });
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);

    await expect(action.handler(ctx)).rejects.toThrow('the task was cancelled');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rides out a backend restart', async () => {
    const { timers } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    backend.setTimeline('cr-1', ['merged']);
    backend.failNext('GET', '/changes/cr-1', {
      status: 503,
      name: 'ServiceUnavailableError',
      message: 'starting',
    });
    backend.failNext('GET', '/changes/cr-1', {
      status: 502,
      name: 'Error',
      message: 'Bad Gateway',
      plain: true,
    });
    const { ctx, outputs, logger } = createTestActionContext({
      input: { changeRequestId: 'cr-1', until: 'merged' },
    });

    await action.handler(ctx);

    expect(outputs.state).toBe('merged');
    expect(logger.warn).toHaveBeenCalledWith(
      'Reading change request cr-1 failed with 503: starting; trying again',
    );
  });

  it('fails when the backend stays unavailable', async () => {
    const { timers } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    for (let i = 0; i < 6; i++) {
      backend.failNext('GET', '/changes/cr-1', {
        status: 503,
        name: 'ServiceUnavailableError',
        message: 'database unavailable',
      });
    }
    const { ctx } = createTestActionContext({
      input: { changeRequestId: 'cr-1' },
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      'Reading change request cr-1 failed with 503: database unavailable',
    );
    expect(gets()).toHaveLength(6);
  });

  it("reads on with the scaffolder's credentials once the user's token expires", async () => {
    const { timers } = fakeTimers(sleeps => {
      if (sleeps === 1) {
        backend.failNext('GET', '/changes/cr-1', {
          status: 401,
          name: 'AuthenticationError',
          message: 'Token expired',
        });
      }
    });
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    backend.setTimeline('cr-1', ['pr-open', 'merged']);
    const { ctx, outputs, logger } = createTestActionContext({
      input: { changeRequestId: 'cr-1', until: 'merged' },
    });

    await action.handler(ctx);

    expect(outputs.state).toBe('merged');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'the token of the user who started the task has expired',
      ),
    );
    const [read, refused, readOn] = gets().map(r => r.authorization);
    expect(read).toContain('"obo":"user:default/alice"');
    expect(refused).toBe(read);
    expect(readOn).not.toContain('obo');
    expect(readOn).toContain('"sub":"plugin:');
  });

  it("fails when the user's token is refused before the user has read the change request", async () => {
    const { timers } = fakeTimers();
    const action = await start([changeRequest('cr-1', 'pr-open')], timers);
    backend.failNext('GET', '/changes/cr-1', {
      status: 401,
      name: 'AuthenticationError',
      message: 'Token expired',
    });
    const { ctx } = createTestActionContext({
      input: { changeRequestId: 'cr-1' },
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'AuthenticationError',
      message: 'Reading change request cr-1 failed with 401: Token expired',
    });
    expect(gets()).toHaveLength(1);
  });

  it.each([
    [404, 'NotFoundError', 'No change request cr-404'],
    [
      403,
      'NotAllowedError',
      'user:default/alice may not read component:default/ledger',
    ],
  ])(
    "fails at once on a %i, with the backend's message",
    async (status, name, message) => {
      const { timers } = fakeTimers();
      const action = await start([changeRequest('cr-404', 'pr-open')], timers);
      backend.failNext('GET', '/changes/cr-404', { status, name, message });
      const { ctx } = createTestActionContext({
        input: { changeRequestId: 'cr-404' },
      });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name,
        message: `Reading change request cr-404 failed with ${status}: ${message}`,
      });
      expect(gets()).toHaveLength(1);
    },
  );
});
