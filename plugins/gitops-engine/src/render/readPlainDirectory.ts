import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import { parseManifests } from '../yaml/parseManifests';
import { isWithin } from './resolveInside';

export interface PlainDirectoryLimits {
  /** Most manifest files read. Default 1,000. */
  maxFiles?: number;
  /** Most bytes read across all files. Default 64 MiB. */
  maxBytes?: number;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const KUSTOMIZATION_FILES = new Set([
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
]);

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` under `dir` (recursively, in sorted order), skipping dotfiles
 * and kustomization files. Symlinks are followed only when they stay inside `root`; file names in source
 * locations are relative to `root`.
 */
export async function readPlainDirectory(
  root: string,
  dir: string,
  limits: PlainDirectoryLimits = {},
): Promise<KubeObject[]> {
  const maxFiles = limits.maxFiles ?? 1000;
  const maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
  const realRoot = await realpath(root);
  const files = await listManifestFiles(realRoot, dir, maxFiles);
  const objects: KubeObject[] = [];
  let total = 0;
  for (const file of files) {
    const name = path
      .relative(realRoot, file.shownAs)
      .split(path.sep)
      .join('/');
    const size = (await stat(file.real)).size;
    total += size;
    if (total > maxBytes) {
      throw new EngineError(
        'RENDER_FAILED',
        `the manifests under ${
          path.relative(realRoot, dir) || '.'
        } exceed ${maxBytes} bytes`,
        { file: name },
      );
    }
    const text = await readFile(file.real, 'utf8');
    objects.push(...parseManifests(text, { file: name }));
  }
  return objects;
}

interface ManifestFile {
  /** The path as it appears under the directory (what the user sees). */
  shownAs: string;
  /** Where it really is, after symlinks. */
  real: string;
}

async function listManifestFiles(
  realRoot: string,
  dir: string,
  maxFiles: number,
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  const visited = new Set<string>();
  const walk = async (shownDir: string, realDir: string): Promise<void> => {
    if (visited.has(realDir)) {
      return;
    }
    visited.add(realDir);
    const names = (await readdir(realDir)).sort();
    for (const name of names) {
      if (name.startsWith('.') || KUSTOMIZATION_FILES.has(name)) {
        continue;
      }
      const shownAs = path.join(shownDir, name);
      let real = path.join(realDir, name);
      if ((await lstat(real)).isSymbolicLink()) {
        real = await realpath(real).catch(() => {
          throw new EngineError(
            'RENDER_PATH_INVALID',
            `symlink ${name} points at nothing`,
            { file: path.relative(realRoot, shownAs) },
          );
        });
        if (!isWithin(realRoot, real)) {
          throw new EngineError(
            'RENDER_PATH_INVALID',
            `symlink ${path.relative(
              realRoot,
              shownAs,
            )} leads outside the repository root`,
            {
              file: path.relative(realRoot, shownAs),
            },
          );
        }
      }
      const info = await stat(real);
      if (info.isDirectory()) {
        await walk(shownAs, real);
      } else if (info.isFile() && MANIFEST_FILE.test(name)) {
        files.push({ shownAs, real });
        if (files.length > maxFiles) {
          throw new EngineError(
            'RENDER_FAILED',
            `more than ${maxFiles} manifest files under ${
              path.relative(realRoot, dir) || '.'
            }`,
          );
        }
      }
    }
  };
  await walk(dir, dir);
  return files;
}
