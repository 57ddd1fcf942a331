import { formatAge } from './formatAge';

const now = Date.parse('2026-11-20T12:00:00Z');

describe('formatAge', () => {
  it.each([
    ['2026-11-20T11:59:15Z', '45s'],
    ['2026-11-20T11:57:00Z', '3m'],
    ['2026-11-20T07:00:00Z', '5h'],
    ['2026-11-19T00:00:00Z', '36h'],
    ['2026-11-10T12:00:00Z', '10d'],
    // A backend clock slightly ahead of the browser's.
    ['2026-11-20T12:00:05Z', '0s'],
    ['not a date', '?'],
  ])('%s is %s ago', (since, expected) => {
    expect(formatAge(since, now)).toBe(expected);
  });
});
