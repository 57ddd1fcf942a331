import type { GithubErrorDetails } from './githubErrorDetails';
import { rateLimitWait } from './retryGithubRequest';

const NOW = Date.parse('2026-05-04T10:00:00Z');

function answer(
  status: number,
  headers: Record<string, string>,
  message = 'Forbidden',
): GithubErrorDetails {
  return { status, headers, message, answered: true };
}

describe('rateLimitWait', () => {
  it.each([
    {
      name: 'retry-after in seconds',
      details: answer(403, { 'retry-after': '30' }),
      expected: 30_000,
    },
    {
      name: 'retry-after as an HTTP date',
      details: answer(429, { 'retry-after': 'Mon, 04 May 2026 10:00:45 GMT' }),
      expected: 45_000,
    },
    {
      name: 'a spent primary limit, until one second past its reset',
      details: answer(403, {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW / 1000 + 90),
      }),
      expected: 91_000,
    },
    {
      name: 'a secondary limit that names no time: a minute, as GitHub asks',
      details: answer(
        403,
        {},
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      ),
      expected: 60_000,
    },
    {
      name: 'a 403 that is a missing permission',
      details: answer(
        403,
        { 'x-ratelimit-remaining': '4999' },
        'Resource not accessible by integration',
      ),
      expected: undefined,
    },
    {
      name: 'a 5xx, which is not a rate limit',
      details: answer(503, { 'retry-after': '5' }),
      expected: undefined,
    },
  ])('reads $name', ({ details, expected }) => {
    expect(rateLimitWait(details, NOW)).toBe(expected);
  });
});
