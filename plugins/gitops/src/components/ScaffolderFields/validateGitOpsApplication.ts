import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { entityRefFromForm } from './entityRefFromForm';
import type { GitOpsApplicationPickerUiOptions } from './GitOpsApplicationPickerSchema';

/**
 * Refuses an application that is not one of the entity's: a value from the query string or kept after the
 * entity was changed. An empty value is left to the template's `required`.
 */
export const validateGitOpsApplication: CustomFieldValidator<
  string,
  GitOpsApplicationPickerUiOptions
> = async (value, validation, context) => {
  if (!value) return;
  const field = context.uiSchema?.['ui:options']?.entityRefField;
  let entity;
  try {
    entity = entityRefFromForm(context.formData, field);
  } catch {
    validation.addError(`Choose a valid entity before its application`);
    return;
  }
  if (!entity) {
    validation.addError(`Choose the entity before its application`);
    return;
  }
  const api = context.apiHolder.get(gitopsApiRef);
  if (!api) return;
  const { applications } = await api.getEntityStatus(entity.compound);
  if (!applications.some(status => status.application.name === value)) {
    validation.addError(
      `${value} is not an application of ${entity.ref}; choose one of its environments`,
    );
  }
};
