import { InputError } from '@backstage/errors';
import { posix } from 'node:path';

/**
 * Normalizes a path inside a repository (`apps//shop/./base/` → `apps/shop/base`, the root is `.`).
 * Throws `InputError` for absolute paths, Windows separators, NUL bytes and `..` that would leave the
 * repository, so such a path never reaches the file system or a git argument.
 */
export function normalizeRepoPath(path: string, what = 'path'): string {
  if (path.includes('\0')) {
    throw new InputError(`${what} must not contain NUL bytes`);
  }
  if (path.includes('\\')) {
    throw new InputError(`${what} "${path}" must use "/" as separator`);
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    throw new InputError(
      `${what} "${path}" must be relative to the repository root`,
    );
  }
  const normalized = posix.normalize(path === '' ? '.' : path);
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new InputError(`${what} "${path}" must not leave the repository`);
  }
  if (normalized.startsWith('-')) {
    throw new InputError(`${what} "${path}" must not start with "-"`);
  }
  return normalized.replace(/\/+$/, '') || '.';
}
