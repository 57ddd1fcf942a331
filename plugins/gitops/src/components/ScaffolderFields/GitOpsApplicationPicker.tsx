import { useApi } from '@backstage/frontend-plugin-api';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { Select, Text } from '@backstage/ui';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import {
  DEFAULT_ENTITY_REF_FIELD,
  entityRefFromForm,
} from './entityRefFromForm';
import type { GitOpsApplicationPickerProps } from './GitOpsApplicationPickerSchema';

/**
 * A select of the applications of the entity another form field names (`ui:options.entityRefField`,
 * `entityRef` by default), one per environment.
 */
export function GitOpsApplicationPicker(props: GitOpsApplicationPickerProps) {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    rawErrors,
    errors,
    required,
    disabled,
    idSchema,
    formContext,
  } = props;
  const api = useApi(gitopsApiRef);
  const entityRefField = uiSchema?.['ui:options']?.entityRefField;
  const entityValue = (formContext?.formData ?? {})[
    entityRefField ?? DEFAULT_ENTITY_REF_FIELD
  ];

  const {
    value: entity,
    error,
    loading,
  } = useAsync(async () => {
    const named = entityRefFromForm(formContext?.formData, entityRefField);
    if (!named) return undefined;
    const { applications } = await api.getEntityStatus(named.compound);
    return { ref: named.ref, applications };
  }, [api, entityRefField, entityValue]);

  // A choice made for another entity (or prefilled by a link) does not carry over.
  useEffect(() => {
    if (
      entity &&
      formData &&
      !entity.applications.some(app => app.application.name === formData)
    ) {
      onChange(undefined);
    }
  }, [entity, formData, onChange]);

  const options = (entity?.applications ?? []).map(status => ({
    id: status.application.name,
    label: `${status.application.environment} (${status.application.name})`,
  }));
  const empty = entity !== undefined && options.length === 0;

  let status: { text: string; danger?: boolean } | undefined;
  if (loading) {
    status = { text: 'Loading the applications…' };
  } else if (error) {
    status = {
      text: `Could not load the applications: ${error.message}`,
      danger: true,
    };
  } else if (!entity) {
    status = { text: 'Choose the entity first: its applications show here.' };
  } else if (empty) {
    status = { text: `${entity.ref} has no GitOps applications.` };
  }

  return (
    <ScaffolderField
      rawErrors={rawErrors}
      rawDescription={uiSchema?.['ui:description'] ?? schema.description}
      required={required}
      disabled={disabled}
      errors={errors}
    >
      <Select
        id={idSchema?.$id}
        label={schema.title ?? 'Application'}
        placeholder="Choose an environment"
        isRequired={required}
        isDisabled={disabled || loading || !entity || empty}
        isInvalid={Boolean(rawErrors?.length)}
        options={options}
        value={formData ?? null}
        onChange={key => onChange(key === null ? undefined : String(key))}
      />
      {status && (
        <Text
          as="p"
          variant="body-small"
          color={status.danger ? 'danger' : 'secondary'}
        >
          {status.text}
        </Text>
      )}
    </ScaffolderField>
  );
}
