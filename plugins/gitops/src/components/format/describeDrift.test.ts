import { describeDrift } from './describeDrift';

const now = Date.parse('2026-11-20T12:00:00Z');

describe('describeDrift', () => {
  it.each([
    [0, undefined, 'No drift'],
    [1, '2026-11-20T11:57:00Z', '1 field drifted for 3m'],
    [2, '2026-11-20T11:57:00Z', '2 fields drifted for 3m'],
    [4, undefined, '4 fields drifted'],
  ])('%i drifts since %s reads "%s"', (count, since, expected) => {
    expect(describeDrift(count, since, now)).toBe(expected);
  });
});
