import { EngineError } from '../errors';
import { parseWindowDuration } from './parseWindowDuration';

describe('parseWindowDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['45m', 2_700_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['2h0m30s', 7_230_000],
    ['500ms', 500],
  ])('reads %s', (text, ms) => {
    expect(parseWindowDuration(text)).toBe(ms);
  });

  it.each(['', '1', '1d', 'h', '1h 30m', '-1h', '0s', '1H', 'one hour'])(
    'rejects %p',
    text => {
      expect(() => parseWindowDuration(text)).toThrow(EngineError);
    },
  );
});
