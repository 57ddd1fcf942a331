import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { backoffDelay } from '../../../cluster/backoffDelay';
import {
  githubErrorDetails,
  type GithubErrorDetails,
} from './githubErrorDetails';

export interface GithubRetryOptions {
  /** Tries per request, the first included. */
  maxAttempts: number;
  /** Longest wait before one retry; a rate limit that resets later fails at once. */
  maxWaitMs: number;
  sleep(ms: number): Promise<void>;
  logger: LoggerService;
}

// GitHub asks for at least a minute when a secondary rate limit names no time.
const SECONDARY_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * Sends a request, retrying rate limits (403/429 with `retry-after` or `x-ratelimit-remaining: 0`) after
 * the time GitHub names, and 5xx or unanswered requests with backoff, at most `maxAttempts` times in all.
 * Gives up with `ServiceUnavailableError`; every other error passes through untouched.
 */
export async function retryGithubRequest<T>(
  send: () => Promise<T>,
  label: string,
  options: GithubRetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const details = githubErrorDetails(error);
      if (!details) {
        throw error;
      }
      const rateLimitWaitMs = rateLimitWait(details, Date.now());
      if (rateLimitWaitMs !== undefined) {
        const retryAt = new Date(Date.now() + rateLimitWaitMs).toISOString();
        if (attempt >= options.maxAttempts) {
          throw new ServiceUnavailableError(
            `GitHub rate limit exceeded on ${label} after ${attempt} attempts; retry after ${retryAt} (${details.message})`,
          );
        }
        if (rateLimitWaitMs > options.maxWaitMs) {
          throw new ServiceUnavailableError(
            `GitHub rate limit exceeded on ${label}; retry after ${retryAt} (${details.message})`,
          );
        }
        options.logger.warn(
          `GitHub rate limit on ${label}; retrying in ${seconds(
            rateLimitWaitMs,
          )} (attempt ${attempt} of ${options.maxAttempts})`,
        );
        await options.sleep(rateLimitWaitMs);
        continue;
      }
      if (details.status >= 500 || !details.answered) {
        const what = details.answered
          ? `GitHub answered ${details.status} ${details.message}`
          : `GitHub could not be reached (${details.message})`;
        if (attempt >= options.maxAttempts) {
          throw new ServiceUnavailableError(
            `${what} to ${label}, ${attempt} times; try again later`,
          );
        }
        const delayMs = Math.min(
          backoffDelay(attempt, { initialMs: 1_000, maxMs: 15_000 }),
          options.maxWaitMs,
        );
        options.logger.warn(
          `${what} to ${label}; retrying in ${seconds(
            delayMs,
          )} (attempt ${attempt} of ${options.maxAttempts})`,
        );
        await options.sleep(delayMs);
        continue;
      }
      throw error;
    }
  }
}

/** How long GitHub asks us to wait, when the error is a rate limit; `undefined` when it is not one. */
export function rateLimitWait(
  details: GithubErrorDetails,
  now: number,
): number | undefined {
  if (details.status !== 403 && details.status !== 429) {
    return undefined;
  }
  const retryAfter = details.headers['retry-after'];
  if (retryAfter !== undefined) {
    const inSeconds = Number(retryAfter);
    if (Number.isFinite(inSeconds)) {
      return Math.max(0, inSeconds * 1000);
    }
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      return Math.max(0, at - now);
    }
  }
  const reset = Number(details.headers['x-ratelimit-reset']);
  if (details.headers['x-ratelimit-remaining'] === '0' && reset > 0) {
    // The reset is in whole epoch seconds; one more second avoids arriving just before it.
    return Math.max(0, reset * 1000 - now) + 1000;
  }
  if (details.status === 429 || /rate limit/i.test(details.message)) {
    return SECONDARY_RATE_LIMIT_WAIT_MS;
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}
