import { InputError } from '@backstage/errors';
import { normalizeRepoPath } from './normalizeRepoPath';

describe('normalizeRepoPath', () => {
  it.each([
    ['apps/shop-api/overlays/dev', 'apps/shop-api/overlays/dev'],
    ['apps//shop/./base/', 'apps/shop/base'],
    ['apps/shop/../ledger', 'apps/ledger'],
    ['', '.'],
    ['.', '.'],
    ['./', '.'],
  ])('normalizes %j to %j', (path, expected) => {
    expect(normalizeRepoPath(path)).toBe(expected);
  });

  it.each([
    ['../../etc', /must not leave/],
    ['apps/../../x', /must not leave/],
    ['..', /must not leave/],
    ['/etc/passwd', /relative/],
    ['C:/Windows', /relative/],
    ['apps\\shop', /separator/],
    ['apps/\0x', /NUL/],
    ['-c', /must not start with "-"/],
  ])('refuses %j', (path, reason) => {
    expect(() => normalizeRepoPath(path)).toThrow(InputError);
    expect(() => normalizeRepoPath(path)).toThrow(reason);
  });
});
