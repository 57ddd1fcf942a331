import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import { DEFAULT_YAML_LIMITS } from '../yaml/parseYaml';
import { parseManifests } from '../yaml/parseManifests';
import type { CliIo } from './CliIo';

/** Reads a YAML or JSON manifest file named on the command line; errors name it as the user typed it. */
export async function readManifestFile(
  file: string,
  io: CliIo,
): Promise<KubeObject[]> {
  return parseManifests(await readTextFile(file, io), { file });
}

/** Reads a text file, refusing one too large to parse before loading it into memory. */
export async function readTextFile(file: string, io: CliIo): Promise<string> {
  const full = path.resolve(io.cwd, file);
  let size: number;
  try {
    const info = await stat(full);
    if (!info.isFile()) {
      throw new EngineError('INPUT_INVALID', 'is not a file', { file });
    }
    size = info.size;
  } catch (error) {
    if (error instanceof EngineError) {
      throw error;
    }
    throw new EngineError(
      'INPUT_INVALID',
      `cannot read: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
  if (size > DEFAULT_YAML_LIMITS.maxBytes) {
    throw new EngineError(
      'YAML_TOO_LARGE',
      `file is ${size} bytes, more than the limit of ${DEFAULT_YAML_LIMITS.maxBytes}`,
      { file },
    );
  }
  return readFile(full, 'utf8');
}
