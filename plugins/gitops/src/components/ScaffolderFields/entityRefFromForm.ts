import {
  type CompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';

/** The form field a picker reads the entity from when the template does not say. */
export const DEFAULT_ENTITY_REF_FIELD = 'entityRef';

/**
 * The entity named by another field of the form, e.g. the one an EntityPicker filled in; `undefined` while
 * that field is empty. Throws for a value that is not an entity ref.
 */
export function entityRefFromForm(
  formData: unknown,
  entityRefField: string = DEFAULT_ENTITY_REF_FIELD,
): { ref: string; compound: CompoundEntityRef } | undefined {
  const value =
    formData && typeof formData === 'object'
      ? (formData as Record<string, unknown>)[entityRefField]
      : undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    return undefined;
  }
  const ref = value.trim();
  return {
    ref,
    compound: parseEntityRef(ref, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    }),
  };
}
