import { parseYaml } from '@backstage-gitops/gitops-engine';
import { posix } from 'node:path';
import { normalizeRepoPath } from '../git/normalizeRepoPath';
import { foldIntoDirectories } from './foldIntoDirectories';
import type { ReadTreeFile } from './readTreeFile';

/**
 * Every local path a `helm template` of the chart at `path` reads: the chart directory and, recursively,
 * the charts its `Chart.yaml` depends on through `repository: file://...`.
 */
export async function helmDependencies(
  path: string,
  readFile: ReadTreeFile,
): Promise<string[]> {
  const found = new Map<string, 'dir' | 'file'>();
  const visit = async (chart: string): Promise<void> => {
    if (found.has(chart)) return;
    found.set(chart, 'dir');
    const text = await readFile(posix.join(chart, 'Chart.yaml'));
    if (text === undefined) return;
    let dependencies: unknown;
    try {
      dependencies = (
        parseYaml(text)[0]?.value as { dependencies?: unknown } | null
      )?.dependencies;
    } catch {
      return;
    }
    for (const dependency of Array.isArray(dependencies) ? dependencies : []) {
      const repository = (dependency as { repository?: unknown } | null)
        ?.repository;
      if (typeof repository !== 'string' || !repository.startsWith('file://'))
        continue;
      try {
        await visit(
          normalizeRepoPath(
            posix.join(chart, repository.slice('file://'.length)),
          ),
        );
      } catch {
        // A chart outside the config root cannot be hashed; helm reports it if it is missing.
      }
    }
  };
  await visit(normalizeRepoPath(path));
  return foldIntoDirectories(found);
}
