import { EngineError, parseYaml } from '@backstage-gitops/gitops-engine';
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
 * generators, `crds`, `configurations`, `transformers`, `generators` and `replacements`. Sorted; paths
 * inside a listed directory are folded into it.
 *
 * Config repo content is untrusted: kustomize would fetch a URL or clone a repository a kustomization names,
 * from the backend's network, and read paths outside the checkout. So a remote reference or a path outside
 * the config root is `RENDER_PATH_INVALID`, and a kustomization that does not parse (so cannot be checked)
 * fails with its parse error.
 */
export async function kustomizeDependencies(
  path: string,
  readFile: ReadTreeFile,
): Promise<string[]> {
  const found = new Map<string, 'dir' | 'file'>();
  const visit = async (dir: string): Promise<void> => {
    if (found.get(dir) === 'dir') return;
    found.set(dir, 'dir');
    const read = await readKustomization(dir, readFile);
    if (!read) return;
    for (const { field, reference } of referencesOf(read.kustomization)) {
      // Inline content (a strategic-merge patch, a generator's config), not a path.
      if (reference.includes('\n')) continue;
      const target = reference.startsWith('/')
        ? undefined
        : insideRoot(posix.join(dir, reference));
      if (await isRemote(reference, target, readFile)) {
        throw new EngineError(
          'RENDER_PATH_INVALID',
          `${field} names "${reference}", a remote reference: the backend fetches nothing from the network while rendering; vendor it into the config repo`,
          { file: read.file },
        );
      }
      if (target === undefined) {
        throw new EngineError(
          'RENDER_PATH_INVALID',
          `${field} names "${reference}", which is outside the config repo`,
          { file: read.file },
        );
      }
      if (await hasKustomization(target, readFile)) {
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

/** The directory's kustomization and its file; throws the parse error of one that does not parse. */
async function readKustomization(
  dir: string,
  readFile: ReadTreeFile,
): Promise<
  { file: string; kustomization: Record<string, unknown> } | undefined
> {
  for (const name of KUSTOMIZATION_FILES) {
    const file = posix.join(dir, name);
    const text = await readFile(file);
    if (text === undefined) continue;
    // Kustomize's parser may read what ours refuses (duplicate keys, say): unchecked references must not pass.
    const value = parseYaml(text, { file })[0]?.value;
    return { file, kustomization: isRecord(value) ? value : {} };
  }
  return undefined;
}

async function hasKustomization(
  dir: string,
  readFile: ReadTreeFile,
): Promise<boolean> {
  for (const name of KUSTOMIZATION_FILES) {
    if ((await readFile(posix.join(dir, name))) !== undefined) return true;
  }
  return false;
}

function referencesOf(
  kustomization: Record<string, unknown>,
): Array<{ field: string; reference: string }> {
  const references: Array<{ field: string; reference: string }> = [];
  const addAll = (value: unknown, field: string) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'string')
          references.push({ field, reference: item });
      }
    }
  };
  const addPaths = (value: unknown, field: string, key = 'path') => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (isRecord(item) && typeof item[key] === 'string')
          references.push({ field, reference: item[key] as string });
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
    addAll(kustomization[field], field);
  }
  addAll(kustomization.patchesStrategicMerge, 'patchesStrategicMerge');
  addPaths(kustomization.patches, 'patches');
  addPaths(kustomization.patchesJson6902, 'patchesJson6902');
  addPaths(kustomization.replacements, 'replacements');
  if (
    isRecord(kustomization.openapi) &&
    typeof kustomization.openapi.path === 'string'
  ) {
    references.push({
      field: 'openapi',
      reference: kustomization.openapi.path,
    });
  }
  for (const generator of ['configMapGenerator', 'secretGenerator']) {
    const entries = kustomization[generator];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      const field = `${generator}.files`;
      // `files` entries may be `key=path`; a URL keeps its own `=` signs.
      for (const file of Array.isArray(entry.files) ? entry.files : []) {
        if (typeof file !== 'string') continue;
        const reference =
          file.includes('=') && !file.includes('://')
            ? file.slice(file.indexOf('=') + 1)
            : file;
        references.push({ field, reference });
      }
      addAll(entry.envs, `${generator}.envs`);
      if (typeof entry.env === 'string')
        references.push({ field: `${generator}.env`, reference: entry.env });
    }
  }
  return references;
}

/**
 * Whether kustomize would fetch `reference` instead of reading a file: a URL, a remote helper, an scp-like
 * address, a `?ref=` query, or a `host.tld/...` path that is no file or kustomization of the repo.
 */
async function isRemote(
  reference: string,
  target: string | undefined,
  readFile: ReadTreeFile,
): Promise<boolean> {
  if (
    /:\/\/|::/.test(reference) ||
    /^[\w.-]+@[\w.-]+:/.test(reference) ||
    /^gh:/.test(reference) ||
    /\?(?:ref|version|timeout|submodules)=/.test(reference)
  ) {
    return true;
  }
  if (!/^[\w.-]+\.[a-z]{2,}(?::\d+)?\//i.test(reference)) return false;
  return (
    target === undefined ||
    ((await readFile(target)) === undefined &&
      !(await hasKustomization(target, readFile)))
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
