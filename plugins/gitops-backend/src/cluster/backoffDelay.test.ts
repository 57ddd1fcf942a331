import { backoffDelay } from './backoffDelay';

describe('backoffDelay', () => {
  const options = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [6, 16_000],
    [7, 30_000],
    [1000, 30_000],
  ])(
    'doubles from the first delay up to the ceiling: attempt %i waits %i ms without jitter',
    (attempt, expected) => {
      expect(backoffDelay(attempt, options, () => 0.5)).toBe(expected);
    },
  );

  it('spreads retries by the jitter fraction, never beyond it', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(1600);
    expect(backoffDelay(3, options, () => 1)).toBe(2400);
    expect(backoffDelay(50, options, () => 1)).toBe(36_000);
  });
});
