import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** A ref in one comparable form: refs compare case-insensitively, and Applications may name the entity in short form. */
export function entityRefKey(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}
