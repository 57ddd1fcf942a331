import { EngineError } from '../errors';
import {
  canonicalQuantity,
  compareQuantities,
  parseQuantity,
  quantitiesEqual,
  tryParseQuantity,
} from './quantity';

describe('quantities', () => {
  it.each([
    ['500m', '0.5'],
    ['1000m', '1'],
    ['1000M', '1G'],
    ['1024Mi', '1Gi'],
    ['1024Ki', '1Mi'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1k'],
    ['1E3', '1000'],
    ['12000m', '12'],
    ['.5', '500m'],
    ['1.', '1'],
    ['+2', '2'],
    [0.5, '500m'],
    [1, '1'],
    [2, '2000m'],
    ['0.1n', '1n'], // below nano precision rounds up, as the API server does
    ['0', '0m'],
  ])('%p equals %p', (a, b) => {
    expect(quantitiesEqual(a, b)).toBe(true);
    expect(quantitiesEqual(b, a)).toBe(true);
  });

  it.each([
    ['500m', '0.6'],
    ['1Gi', '1G'],
    ['1000Mi', '1Gi'],
    ['1', '1001m'],
    ['128Mi', 'not-a-quantity'],
  ])('%p differs from %p', (a, b) => {
    expect(quantitiesEqual(a, b)).toBe(false);
  });

  it.each([
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1.5', '1500m'],
    ['1000M', '1G'],
    ['1500M', '1500M'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Ki', '512'],
    ['2048', '2048'],
    ['1e3', '1e3'],
    ['100Mi', '100Mi'],
    ['-250m', '-250m'],
    [0.25, '250m'],
  ])('canonical form of %p is %p', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
  });

  it('orders by value across suffixes', () => {
    expect(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G'))).toBe(
      1,
    );
    expect(compareQuantities(parseQuantity('999m'), parseQuantity('1'))).toBe(
      -1,
    );
    expect(compareQuantities(parseQuantity('2k'), parseQuantity('2000'))).toBe(
      0,
    );
  });

  it.each(['', 'Mi', '1.2.3', '1Qi', '1 Gi', 'abc', '1e'])(
    'rejects %p',
    text => {
      expect(tryParseQuantity(text)).toBeUndefined();
      expect(() => parseQuantity(text)).toThrow(EngineError);
    },
  );

  it('keeps exact precision beyond floating point', () => {
    expect(quantitiesEqual('9007199254740993', '9007199254740992')).toBe(false);
    expect(
      quantitiesEqual(
        '123456789012345678901234567890m',
        '123456789012345678901234567.890',
      ),
    ).toBe(true);
  });
});
