import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

// Already `kind:namespace/name` in lower case: parsing and printing it again gives the same string.
const NORMALIZED =
  /^[a-z0-9][a-z0-9._-]*:[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/;

/** The full, lower-case form of an entity ref, since the catalog compares refs case-insensitively. */
export function normalizeEntityRef(entityRef: string): string {
  if (NORMALIZED.test(entityRef)) return entityRef;
  try {
    return stringifyEntityRef(
      parseEntityRef(entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (error) {
    throw new InputError(`Invalid entity ref '${entityRef}'`, error);
  }
}
