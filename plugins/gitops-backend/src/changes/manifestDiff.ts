import {
  formatResourceKey,
  KubeObject,
  resourceKeyOf,
} from '@backstage-gitops/gitops-engine';
import type { ChangedFile, ManifestChange } from '@backstage-gitops/plugin-gitops-common';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { isMap, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
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
    const [before, after] = maskSecretText(edit.before, edit.after);
    return { path, diff: gitDiff(path, before, after, 3) };
  });
}

/**
 * The texts of a file before and after an edit, with every value of a Secret's `data` and `stringData` and
 * every secretGenerator literal replaced by `***` (`*** (changed)` where the edit changes it): the preview
 * is shown to whoever may read the entity, who need not be able to read the config repo.
 */
function maskSecretText(
  before: string | undefined,
  after: string | undefined,
): [string | undefined, string | undefined] {
  const old = secretValues(before);
  const next = secretValues(after);
  const apply = (text: string | undefined, values: SecretValue[], other?: SecretValue[]) => {
    if (text === undefined) return undefined;
    let masked = text;
    // From the end, so earlier offsets stay valid.
    for (const value of [...values].sort((x, y) => y.start - x.start)) {
      const theirs = other?.find(o => o.key === value.key);
      const changed = other !== undefined && theirs !== undefined && theirs.raw !== value.raw;
      masked = `${masked.slice(0, value.start)}${value.prefix}${changed ? `${MASK} (changed)` : MASK}${masked.slice(value.end)}`;
    }
    return masked;
  };
  return [apply(before, old), apply(after, next, old)];
}

interface SecretValue {
  /** Secret name, field and key (or generator and literal name), to pair before with after. */
  key: string;
  start: number;
  end: number;
  /** What stays visible of the value: a literal's `name=`. */
  prefix: string;
  raw: string;
}

function secretValues(text: string | undefined): SecretValue[] {
  if (text === undefined) return [];
  const values: SecretValue[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    const kind = root.get('kind', true);
    if (isScalar(kind) && String(kind.value) === 'Secret') {
      const name = String(root.getIn(['metadata', 'name']) ?? index);
      for (const field of ['data', 'stringData']) {
        const entries = root.get(field, true);
        if (!isMap(entries)) continue;
        for (const pair of entries.items) {
          const range = (pair.value as { range?: [number, number, number] } | null)?.range;
          if (!range) continue;
          const key = `${name}/${field}/${isScalar(pair.key) ? String(pair.key.value) : String(pair.key)}`;
          values.push({ key, start: range[0], end: range[1], prefix: '', raw: text.slice(range[0], range[1]) });
        }
      }
    }
    const generators = root.get('secretGenerator', true);
    if (!isSeq(generators)) return;
    generators.items.forEach((generator, i) => {
      if (!isMap(generator)) return;
      const literals = generator.get('literals', true);
      if (!isSeq(literals)) return;
      for (const literal of literals.items) {
        if (!isScalar(literal) || !literal.range) continue;
        const raw = String(literal.value);
        const name = raw.includes('=') ? raw.slice(0, raw.indexOf('=')) : '';
        values.push({
          key: `secretGenerator/${String(generator.get('name') ?? i)}/${name}`,
          start: literal.range[0],
          end: literal.range[1],
          prefix: name ? `${name}=` : '',
          raw,
        });
      }
    });
  });
  return values;
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
