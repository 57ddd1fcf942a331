import { posix } from 'node:path';
import { KUSTOMIZATION_FILES } from './kustomizeDependencies';
import type { ReadTreeFile } from './readTreeFile';

/** What `auto` means for a directory, decided as the engine does: a kustomization, else a Chart.yaml, else plain YAML. */
export async function detectRenderer(
  path: string,
  readFile: ReadTreeFile,
): Promise<'plain' | 'kustomize' | 'helm'> {
  for (const name of KUSTOMIZATION_FILES) {
    if ((await readFile(posix.join(path, name))) !== undefined)
      return 'kustomize';
  }
  return (await readFile(posix.join(path, 'Chart.yaml'))) !== undefined
    ? 'helm'
    : 'plain';
}
