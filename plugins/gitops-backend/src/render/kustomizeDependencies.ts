import { parseYaml } from '@backstage-gitops/gitops-engine';
import { posix } from 'node:path';
import { normalizeRepoPath } from '../git/normalizeRepoPath';
import { foldIntoDirectories } from './foldIntoDirectories';
import type { ReadTreeFile } from './readTreeFile';

export const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/**
 * Every local path a `kustomize build` of `path` reads: the directory itself, and recursively the
 * directories and files its kustomizations name in `resources`, `components`, `bases`, patches,
 * generators, `crds`, `configurations`, `transformers`, `generators` and `replacements`. Remote
 * references and paths outside the config root are left out. Sorted; paths inside a listed
 * directory are folded into it.
 */
export async function kustomizeDependencies(
  path: string,
  readFile: ReadTreeFile,
): Promise<string[]> {
  const found = new Map<string, 'dir' | 'file'>();
  const visit = async (dir: string): Promise<void> => {
    if (found.get(dir) === 'dir') return;
    found.set(dir, 'dir');
    const kustomization = await readKustomization(dir, readFile);
    if (!kustomization) return;
    for (const reference of localReferences(kustomization)) {
      const target = insideRoot(posix.join(dir, reference));
      if (target === undefined) continue;
      if (await readKustomization(target, readFile)) {
        await visit(target);
      } else if (!found.has(target)) {
        // A file, or a directory kustomize will complain about; either way its content matters.
        found.set(
          target,
          (await readFile(target)) === undefined ? 'dir' : 'file',
        );
      }
    }
  };
  await visit(normalizeRepoPath(path));
  return foldIntoDirectories(found);
}

async function readKustomization(
  dir: string,
  readFile: ReadTreeFile,
): Promise<Record<string, unknown> | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const text = await readFile(posix.join(dir, name));
    if (text === undefined) continue;
    try {
      const value = parseYaml(text, { file: posix.join(dir, name) })[0]?.value;
      // A kustomization the build cannot parse has no dependencies to find; the render reports it.
      return isRecord(value) ? value : {};
    } catch {
      return {};
    }
  }
  return undefined;
}

function localReferences(kustomization: Record<string, unknown>): string[] {
  const references: string[] = [];
  const addAll = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'string') references.push(item);
      }
    }
  };
  const addPaths = (value: unknown, field = 'path') => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (isRecord(item) && typeof item[field] === 'string')
          references.push(item[field] as string);
      }
    }
  };
  for (const field of [
    'resources',
    'components',
    'bases',
    'crds',
    'configurations',
    'transformers',
    'generators',
    'validators',
  ]) {
    addAll(kustomization[field]);
  }
  addAll(kustomization.patchesStrategicMerge);
  addPaths(kustomization.patches);
  addPaths(kustomization.patchesJson6902);
  addPaths(kustomization.replacements);
  for (const generator of ['configMapGenerator', 'secretGenerator']) {
    const entries = kustomization[generator];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      // `files` entries may be `key=path`.
      for (const file of Array.isArray(entry.files) ? entry.files : []) {
        if (typeof file === 'string')
          references.push(file.slice(file.indexOf('=') + 1));
      }
      addAll(entry.envs);
      if (typeof entry.env === 'string') references.push(entry.env);
    }
  }
  return references.filter(isLocalPath);
}

function isLocalPath(reference: string): boolean {
  return (
    reference !== '' &&
    !reference.startsWith('/') &&
    !reference.includes('\n') &&
    !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(reference) &&
    !/^(?:[\w.-]+@)?[\w.-]+\.[a-z]{2,}[/:]/i.test(reference) &&
    !reference.includes('?ref=')
  );
}

function insideRoot(path: string): string | undefined {
  try {
    return normalizeRepoPath(path);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
