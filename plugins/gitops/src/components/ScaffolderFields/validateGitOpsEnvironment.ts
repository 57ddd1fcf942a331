import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { DNS_LABEL_RULE, isDnsLabel } from './isDnsLabel';

const FIELD_NAME = 'GitOpsEnvironmentPicker';

/**
 * Refuses an environment name that is not a DNS label: it becomes part of application and overlay names.
 * Inside an array of objects the scaffolder calls this with the whole array and the items' uiSchema, so
 * then each item's picker value is checked.
 */
export const validateGitOpsEnvironment: CustomFieldValidator<string> = (
  formValue,
  validation,
  context,
) => {
  // Typed as the field's string, but an array when the picker sits in the items of an array.
  const value: unknown = formValue;
  const check = (name: unknown, where = '') => {
    if (typeof name === 'string' && name !== '' && !isDnsLabel(name)) {
      validation.addError(
        `${where}"${name}" is not a valid environment name: ${DNS_LABEL_RULE}`,
      );
    }
  };
  if (!Array.isArray(value)) {
    check(value);
    return;
  }
  const uiSchema = (context.uiSchema ?? {}) as Record<string, unknown>;
  const pickerKeys = Object.keys(uiSchema).filter(
    key =>
      (uiSchema[key] as { 'ui:field'?: unknown } | undefined)?.['ui:field'] ===
      FIELD_NAME,
  );
  value.forEach((item, index) => {
    if (item && typeof item === 'object') {
      for (const key of pickerKeys) {
        check((item as Record<string, unknown>)[key], `Item ${index + 1}: `);
      }
    } else {
      check(item, `Item ${index + 1}: `);
    }
  });
};
