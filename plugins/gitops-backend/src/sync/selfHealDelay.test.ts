import { DEFAULT_SELF_HEAL_BACKOFF, selfHealDelay } from './selfHealDelay';

describe('selfHealDelay', () => {
  it.each([
    [0, 2_000],
    [1, 6_000],
    [2, 18_000],
    [3, 54_000],
    [4, 162_000],
    [5, 300_000],
    [50, 300_000],
    [5000, 300_000],
  ])(
    'waits longer after each self-heal in a row: attempt %p waits %p ms',
    (attempts, ms) => {
      expect(selfHealDelay(attempts, DEFAULT_SELF_HEAL_BACKOFF)).toBe(ms);
    },
  );
});
