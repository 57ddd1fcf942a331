import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CHANGE_REQUEST_STATES,
  ChangeRequest,
  ChangeRequestState,
} from '@backstage-gitops/plugin-gitops-common';
import { GitOpsChangesClient } from '../client/GitOpsChangesClient';
import { Zod, changeRequestIdSchema } from '../schema/nameSchemas';
import { ChangeRequestFailedError } from './ChangeRequestFailedError';
import { parseActionInput } from './parseActionInput';
import { examples } from './waitForChange.examples';

export const WAIT_FOR_CHANGE_ACTION_ID = 'gitops:change:wait';

/** The lifecycle in order; waiting for one state is done at it or any later one. */
const PROGRESS: readonly ChangeRequestState[] = [
  'draft',
  'checked',
  'pr-open',
  'merged',
  'synced',
  'healthy',
];
const FAILED: readonly ChangeRequestState[] = ['rejected', 'closed', 'failed'];

/** Consecutive unreachable/5xx answers tolerated while polling (a backend restart), then the step fails. */
const MAX_TRANSIENT_FAILURES = 5;
const MAX_TIMEOUT_MINUTES = 24 * 60;

export const waitForChangeInputSchema = (z: Zod) =>
  z.object({
    changeRequestId: changeRequestIdSchema(z, 'changeRequestId').describe(
      'The change request to wait for: the changeRequestId output of gitops:change:propose.',
    ),
    until: z
      .enum(['merged', 'synced', 'healthy'])
      .default('healthy')
      .describe(
        'merged: in the config repo; synced: applied to the clusters; healthy: applied and healthy.',
      ),
    timeoutMinutes: z
      .number()
      .positive()
      .max(MAX_TIMEOUT_MINUTES, {
        message: `timeoutMinutes must be at most ${MAX_TIMEOUT_MINUTES} (24 hours)`,
      })
      .default(30)
      .describe(
        'Fail when the state is not reached within this time (at most 24 hours).',
      ),
    pollIntervalSeconds: z
      .number()
      .min(1)
      .max(600)
      .default(15)
      .describe('Seconds between two reads of the change request.'),
  });

export const waitForChangeOutputSchema = (z: Zod) =>
  z.object({
    state: z.enum(CHANGE_REQUEST_STATES).describe('The state reached.'),
    events: z
      .array(
        z.object({
          at: z.string(),
          state: z.enum(CHANGE_REQUEST_STATES),
          actor: z.string().optional(),
          message: z.string().optional(),
        }),
      )
      .describe("The change request's timeline so far."),
  });

/** The clock the wait runs on; tests pass their own. */
export interface WaitTimers {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realTimers: WaitTimers = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * `gitops:change:wait`: polls a change request until it is merged, synced or healthy, and fails when it is
 * rejected, closed or failed, when the time is up, or when the task is cancelled.
 */
export function createWaitForChangeAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  timers?: WaitTimers;
}) {
  const client = new GitOpsChangesClient(options);
  const timers = options.timers ?? realTimers;
  const { auth } = options;
  return createTemplateAction({
    id: WAIT_FOR_CHANGE_ACTION_ID,
    description:
      'Waits until a GitOps change request is merged, synced or healthy; fails when it is rejected, closed or failed, or on timeout.',
    examples,
    schema: {
      input: waitForChangeInputSchema,
      output: waitForChangeOutputSchema,
    },
    async handler(ctx) {
      const { changeRequestId, until, timeoutMinutes, pollIntervalSeconds } =
        parseActionInput(
          WAIT_FOR_CHANGE_ACTION_ID,
          waitForChangeInputSchema,
          ctx.input,
        );
      const target = PROGRESS.indexOf(until);
      const timeoutMs = timeoutMinutes * 60_000;
      const intervalMs = pollIntervalSeconds * 1000;
      const deadline = timers.now() + timeoutMs;
      // Bounded in count as well as time, whatever the clock does: one read per interval, the first, one
      // retry with the scaffolder's credentials and the tolerated failures.
      const maxPolls =
        Math.ceil(timeoutMs / intervalMs) + 2 + MAX_TRANSIENT_FAILURES;

      let last: ChangeRequest | undefined;
      let transientFailures = 0;
      // Whether the user's token expired after the user had read this change request (see below).
      let readAsScaffolder = false;
      const cancelled = () =>
        new Error(
          `Stopped waiting for change request ${changeRequestId}: the task was cancelled (last state: ${
            last?.state ?? 'unknown'
          })`,
        );

      ctx.logger.info(
        `Waiting up to ${timeoutMinutes} minute(s) for change request ${changeRequestId} to be ${until}`,
      );
      for (let poll = 0; poll < maxPolls; poll++) {
        if (ctx.signal?.aborted) {
          throw cancelled();
        }
        try {
          const current = await client.getChange(changeRequestId, {
            credentials: readAsScaffolder
              ? await auth.getOwnServiceCredentials()
              : await ctx.getInitiatorCredentials(),
            signal: ctx.signal,
          });
          transientFailures = 0;
          logNewEvents(ctx.logger, changeRequestId, last, current);
          last = current;
        } catch (error) {
          if (ctx.signal?.aborted) {
            throw cancelled();
          }
          // The task holds the token the user started it with, which expires (an hour by default) while
          // reviews take longer. Once the user has read this change request, reading on is no new access.
          if (AuthenticationError.is(error) && last && !readAsScaffolder) {
            readAsScaffolder = true;
            ctx.logger.warn(
              `${
                (error as Error).message
              }: the token of the user who started the task has expired; reading ${changeRequestId} on with the scaffolder's own credentials`,
            );
            continue;
          }
          transientFailures += 1;
          if (
            !ServiceUnavailableError.is(error) ||
            transientFailures > MAX_TRANSIENT_FAILURES
          ) {
            throw error;
          }
          ctx.logger.warn(`${(error as Error).message}; trying again`);
        }

        if (last && FAILED.includes(last.state)) {
          throw new ChangeRequestFailedError(last.id, last.state, last.reason);
        }
        if (last && PROGRESS.indexOf(last.state) >= target) {
          ctx.output('state', last.state);
          ctx.output('events', last.events);
          return;
        }
        const remaining = deadline - timers.now();
        if (remaining <= 0) {
          break;
        }
        await timers.sleep(Math.min(intervalMs, remaining), ctx.signal);
      }
      if (ctx.signal?.aborted) {
        throw cancelled();
      }
      throw new Error(
        `Change request ${changeRequestId} was not ${until} within ${timeoutMinutes} minute(s); last state: ${
          last?.state ?? 'unknown (never read)'
        }`,
      );
    },
  });
}

function logNewEvents(
  logger: { info(message: string): void },
  id: string,
  previous: ChangeRequest | undefined,
  current: ChangeRequest,
) {
  const seen = previous?.events.length ?? 0;
  for (const event of current.events.slice(seen)) {
    logger.info(
      `${id}: ${event.state}${event.actor ? ` by ${event.actor}` : ''}${
        event.message ? `: ${event.message}` : ''
      }`,
    );
  }
  if (!previous && current.events.length === 0) {
    logger.info(`${id}: ${current.state}`);
  }
}
