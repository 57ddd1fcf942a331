import type { EnvironmentSummary } from '@backstage-gitops/plugin-gitops-common';
import { useApi } from '@backstage/frontend-plugin-api';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { Combobox, Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import type { GitOpsEnvironmentPickerProps } from './GitOpsEnvironmentPickerSchema';
import { DNS_LABEL_RULE, isDnsLabel } from './isDnsLabel';

function describe(environment: EnvironmentSummary): string {
  const apps = `${environment.applications} application${
    environment.applications === 1 ? '' : 's'
  }`;
  return environment.clusters.length
    ? `${apps} on ${environment.clusters.join(', ')}`
    : apps;
}

/** The environments the fleet already has, dev-like first; typing a name that is not among them makes a new one. */
export function GitOpsEnvironmentPicker(props: GitOpsEnvironmentPickerProps) {
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
  } = props;
  const api = useApi(gitopsApiRef);
  const { value, error, loading } = useAsync(
    () => api.listEnvironments(),
    [api],
  );
  const environments = value?.items ?? [];
  const text = formData ?? '';
  const known = environments.some(environment => environment.name === text);
  const valid = text === '' || isDnsLabel(text);

  let status: { text: string; danger?: boolean } | undefined;
  if (!valid) {
    status = {
      text: `"${text}" is not a valid environment name: ${DNS_LABEL_RULE}.`,
      danger: true,
    };
  } else if (loading) {
    status = { text: 'Loading the environments…' };
  } else if (error) {
    status = {
      text: `Could not load the existing environments (${error.message}); you can still type a name.`,
      danger: true,
    };
  } else if (environments.length === 0) {
    status = { text: 'No environments yet: type the name of the first one.' };
  } else if (text !== '' && !known) {
    status = { text: `"${text}" is a new environment.` };
  }

  return (
    <ScaffolderField
      rawErrors={rawErrors}
      rawDescription={uiSchema?.['ui:description'] ?? schema.description}
      required={required}
      disabled={disabled}
      errors={errors}
    >
      <Combobox
        id={idSchema?.$id}
        label={schema.title ?? 'Environment'}
        placeholder="dev, staging, prod…"
        isRequired={required}
        isDisabled={disabled}
        isInvalid={!valid || Boolean(rawErrors?.length)}
        allowsCustomValue
        menuTrigger="focus"
        options={environments.map(environment => ({
          id: environment.name,
          label: environment.name,
          description: describe(environment),
        }))}
        search={{
          inputValue: text,
          onInputChange: next => onChange(next === '' ? undefined : next),
        }}
        selectedKey={known ? text : null}
        onSelectionChange={key => {
          // Typing a new name clears the selection; the typed text is the value then.
          if (key !== null) onChange(String(key));
        }}
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
