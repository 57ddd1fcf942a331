import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors';

/**
 * Resolves `relative` against `root`, refusing absolute paths, `..` that climbs out, NUL bytes and
 * symlinks whose target lies outside the root. Returns the real path of an existing file or directory.
 */
export async function resolveInside(
  root: string,
  relative: string,
): Promise<string> {
  const refuse = (why: string): never => {
    throw new EngineError(
      'RENDER_PATH_INVALID',
      `path ${JSON.stringify(relative)} ${why}`,
      { file: relative },
    );
  };
  if (relative.includes('\0')) {
    refuse('contains a NUL byte');
  }
  if (path.isAbsolute(relative) || /^[A-Za-z]:[\\/]/.test(relative)) {
    refuse('is absolute; give it relative to the repository root');
  }
  const realRoot = await realpath(root);
  const joined = path.resolve(realRoot, relative);
  if (!isWithin(realRoot, joined)) {
    refuse('leaves the repository root');
  }
  let real: string;
  try {
    real = await realpath(joined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EngineError(
        'RENDER_PATH_INVALID',
        `path ${JSON.stringify(relative)} does not exist`,
        { file: relative },
      );
    }
    throw error;
  }
  if (!isWithin(realRoot, real)) {
    refuse('is a symlink that leads outside the repository root');
  }
  return real;
}

export function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  );
}
