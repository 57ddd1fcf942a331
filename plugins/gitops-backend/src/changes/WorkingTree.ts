import { InputError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { normalizeRepoPath } from '../git';

/** A file the change edits, relative to the config root; `before` is undefined for a new file. */
export interface FileEdit {
  path: string;
  before?: string;
  after: string;
}

// A config file larger than this is not something a form should be patching.
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * A writable copy of the config root at the base commit. Every path is checked to stay inside it
 * (no `..`, no absolute paths) before it is read or written, and the first content of each file is
 * kept so the edits can be listed and verified.
 */
export class WorkingTree {
  private readonly originals = new Map<string, string | undefined>();

  constructor(readonly dir: string) {}

  async read(path: string): Promise<string | undefined> {
    const normalized = this.check(path);
    const full = join(this.dir, normalized);
    const stat = await fs.stat(full).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    if (stat.size > MAX_FILE_BYTES) {
      throw new InputError(`${normalized} is larger than ${MAX_FILE_BYTES} bytes; edit it by hand`);
    }
    return fs.readFile(full, 'utf8');
  }

  async write(path: string, content: string): Promise<void> {
    const normalized = this.check(path);
    if (!this.originals.has(normalized)) {
      this.originals.set(normalized, await this.read(normalized));
    }
    const full = join(this.dir, normalized);
    await fs.mkdir(dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.read(path)) !== undefined;
  }

  /** The files whose content differs from the base, in path order. */
  async edits(): Promise<FileEdit[]> {
    const edits: FileEdit[] = [];
    for (const [path, before] of [...this.originals].sort(([a], [b]) => a.localeCompare(b))) {
      const after = (await this.read(path))!;
      if (after !== before) edits.push({ path, before, after });
    }
    return edits;
  }

  private check(path: string): string {
    return normalizeRepoPath(path, 'file');
  }
}
