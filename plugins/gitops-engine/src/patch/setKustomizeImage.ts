import { EngineError } from '../errors';
import { walkPath } from './walkPath';
import { openDocument } from './openDocument';
import type { PathSegment } from './parsePath';
import { setValue, type PatchOptions } from './setValue';

/** The fields of a kustomization `images:` entry that a change may set. */
export interface KustomizeImageChange {
  newName?: string;
  newTag?: string;
  digest?: string;
}

/**
 * Sets `newName`, `newTag` and/or `digest` of the `images:` entry named `name` in a kustomization.yaml,
 * appending the entry (and the `images:` list) when absent.
 */
export function setKustomizeImage(
  text: string,
  name: string,
  change: KustomizeImageChange,
  options: PatchOptions = {},
): string {
  const fields = Object.entries(change).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  if (fields.length === 0) {
    throw new EngineError(
      'PATCH_INVALID',
      `no newName, newTag or digest given for image ${name}`,
      { file: options.file },
    );
  }
  const entry: PathSegment[] = [
    { type: 'key', key: 'images' },
    { type: 'match', key: 'name', value: name },
  ];
  const opened = openDocument(text, 0, options.file);
  if (!walkPath(opened.cst, entry, opened.where).found) {
    return setValue(text, 0, entry, Object.fromEntries(fields), options);
  }
  return fields.reduce(
    (current, [field, value]) =>
      setValue(
        current,
        0,
        [...entry, { type: 'key', key: field }],
        value,
        options,
      ),
    text,
  );
}
