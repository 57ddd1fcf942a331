import {
  formatResourceKey,
  KubeObject,
  resourceKeyOf,
} from '@backstage-gitops/gitops-engine';
import type { ChangedFile, ManifestChange } from '@backstage-gitops/plugin-gitops-common';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type { FileEdit } from './WorkingTree';

const MASK = '***';

/**
 * The rendered objects an edit creates, updates or deletes, each with a unified diff of its YAML.
 * Secret values never appear: each shows as `***`, marked `(changed)` when it differs.
 */
export function diffManifests(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): ManifestChange[] {
  const index = (objects: readonly KubeObject[]) =>
    new Map(objects.map(o => [formatResourceKey(resourceKeyOf(o)), o]));
  const old = index(before);
  const next = index(after);
  const changes: ManifestChange[] = [];
  for (const key of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = old.get(key);
    const b = next.get(key);
    const [shownA, shownB] = maskSecrets(a, b);
    const textA = shownA ? stringify(shownA, { sortMapEntries: false }) : '';
    const textB = shownB ? stringify(shownB, { sortMapEntries: false }) : '';
    if (textA === textB) continue;
    const subject = (b ?? a)!;
    const { group, kind, namespace, name } = resourceKeyOf(subject);
    let action: ManifestChange['action'] = 'update';
    if (!a) action = 'create';
    else if (!b) action = 'delete';
    changes.push({
      ref: { group, kind, namespace: namespace ?? '', name },
      action,
      diff: gitDiff(key, a ? textA : undefined, b ? textB : undefined, 4),
    });
  }
  return changes;
}

/** Unified diffs of the edited files, with paths as the repository shows them. */
export function diffFiles(
  edits: readonly FileEdit[],
  repoPathOf: (path: string) => string,
): ChangedFile[] {
  return edits.map(edit => {
    const path = repoPathOf(edit.path);
    return { path, diff: gitDiff(path, edit.before, edit.after, 3) };
  });
}

/** A unified diff with git's headers (`diff --git`, new/deleted file), which diff viewers parse. */
export function gitDiff(
  path: string,
  before: string | undefined,
  after: string | undefined,
  context: number,
): string {
  const mode =
    (before === undefined && 'new file mode 100644\n') ||
    (after === undefined && 'deleted file mode 100644\n') ||
    '';
  const body = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context, headerOptions: FILE_HEADERS_ONLY },
  );
  return `diff --git a/${path} b/${path}\n${mode}${body}`;
}

function maskSecrets(
  a: KubeObject | undefined,
  b: KubeObject | undefined,
): [KubeObject | undefined, KubeObject | undefined] {
  if ((a ?? b)?.kind !== 'Secret') return [a, b];
  const fields = ['data', 'stringData'] as const;
  const mask = (self: KubeObject | undefined, other: KubeObject | undefined) => {
    if (!self) return undefined;
    const copy: KubeObject = { ...self };
    for (const field of fields) {
      const values = (self as any)[field] as Record<string, unknown> | undefined;
      if (!values || typeof values !== 'object') continue;
      (copy as any)[field] = Object.fromEntries(
        Object.keys(values).map(k => {
          const theirs = (other as any)?.[field]?.[k];
          const changed = other !== undefined && theirs !== undefined && theirs !== values[k];
          return [k, changed && self === b ? `${MASK} (changed)` : MASK];
        }),
      );
    }
    return copy;
  };
  return [mask(a, b), mask(b, a)];
}
