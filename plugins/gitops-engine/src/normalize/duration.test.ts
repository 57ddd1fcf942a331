import { EngineError } from '../errors';
import {
  canonicalDuration,
  durationsEqual,
  formatDuration,
  parseDuration,
  tryParseDuration,
} from './duration';

describe('Go durations', () => {
  it.each([
    ['60s', '1m'],
    ['1m', '1m0s'],
    ['90m', '1h30m'],
    ['1.5h', '1h30m0s'],
    ['1500ms', '1.5s'],
    ['1000us', '1ms'],
    ['1000µs', '1ms'],
    ['0', '0s'],
    ['+5m', '300s'],
  ])('%p equals %p', (a, b) => {
    expect(durationsEqual(a, b)).toBe(true);
  });

  it.each([
    ['1m', '61s'],
    ['1h', '1m'],
    ['5m', 'five minutes'],
  ])('%p differs from %p', (a, b) => {
    expect(durationsEqual(a, b)).toBe(false);
  });

  it.each([
    ['60s', '1m0s'],
    ['1h', '1h0m0s'],
    ['90m', '1h30m0s'],
    ['1.5s', '1.5s'],
    ['300ms', '300ms'],
    ['2us', '2µs'],
    ['15ns', '15ns'],
    ['-90s', '-1m30s'],
    ['0', '0s'],
  ])('prints %p as Go does: %p', (input, printed) => {
    expect(canonicalDuration(input)).toBe(printed);
  });

  it('parses to exact nanoseconds', () => {
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500_000_000n);
    expect(formatDuration(3_723_500_000_000n)).toBe('1h2m3.5s');
  });

  it.each(['', '5', 'm', '1d', '1.s.', '--1s', '1 s'])('rejects %p', text => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow(EngineError);
  });
});
