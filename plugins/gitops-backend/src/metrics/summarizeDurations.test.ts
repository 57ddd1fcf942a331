import { summarizeDurations } from './summarizeDurations';

describe('summarizeDurations', () => {
  it.each`
    seconds                                      | expected
    ${[]}                                        | ${{ count: 0 }}
    ${[42]}                                      | ${{ count: 1, medianSeconds: 42, p90Seconds: 42 }}
    ${[60, 10]}                                  | ${{ count: 2, medianSeconds: 35, p90Seconds: 55 }}
    ${[4, 1, 3, 2]}                              | ${{ count: 4, medianSeconds: 3, p90Seconds: 4 }}
    ${[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]} | ${{ count: 10, medianSeconds: 55, p90Seconds: 91 }}
    ${[5, 5, 5, 3600]}                           | ${{ count: 4, medianSeconds: 5, p90Seconds: 2522 }}
  `('summarizes $seconds', ({ seconds, expected }) => {
    expect(summarizeDurations(seconds)).toEqual(expected);
  });

  it('leaves its input in the order given', () => {
    const seconds = [3, 1, 2];
    summarizeDurations(seconds);
    expect(seconds).toEqual([3, 1, 2]);
  });
});
