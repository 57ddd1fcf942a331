import { useApi } from '@backstage/frontend-plugin-api';
import type {
  ApplicationStatus,
  ChangeRequestState,
} from '@backstage-gitops/plugin-gitops-common';
import { Flex, Select, Text, TextAreaField, TextField } from '@backstage/ui';
import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import {
  CHANGE_KIND_LABELS,
  type ChangeForm,
  type ChangeKind,
} from './changeForm';

const FIELD_WIDTH = 280;

const KIND_OPTIONS = (Object.keys(CHANGE_KIND_LABELS) as ChangeKind[]).map(
  kind => ({ id: kind, label: CHANGE_KIND_LABELS[kind] }),
);

/** States a change request only reaches after its commit landed: those are the ones a rollback can revert. */
const MERGED_STATES: readonly ChangeRequestState[] = [
  'merged',
  'synced',
  'healthy',
];

/** The fields of the change form; which ones show depends on the kind of change. */
export function ChangeFormFields(props: {
  entityRef: string;
  applications: ApplicationStatus[];
  form: ChangeForm;
  onChange: (form: ChangeForm) => void;
}) {
  const { entityRef, applications, form, onChange } = props;
  const set =
    <K extends keyof ChangeForm>(key: K) =>
    (value: ChangeForm[K]) =>
      onChange({ ...form, [key]: value });
  const text = (key: keyof ChangeForm, label: string, extra?: object) => (
    <Field>
      <TextField
        label={label}
        value={form[key] as string}
        onChange={set(key) as (value: string) => void}
        {...extra}
      />
    </Field>
  );

  const applicationOptions = applications.map(status => ({
    id: status.application.name,
    label: `${status.application.environment} (${status.application.name})`,
  }));
  const applicationSelect = (
    key: 'application' | 'from' | 'to',
    label: string,
  ) => (
    <Field>
      <Select
        label={label}
        placeholder="Choose an environment"
        options={applicationOptions}
        value={form[key] || null}
        onChange={value => set(key)(String(value ?? ''))}
      />
    </Field>
  );

  const editsWorkload = [
    'image',
    'replicas',
    'env-set',
    'env-unset',
    'resources',
  ].includes(form.kind);
  const hasContainer = form.kind !== 'replicas';

  return (
    <Flex direction="column" gap="4">
      <Flex gap="3" style={{ flexWrap: 'wrap' }}>
        <Field>
          <Select
            label="Kind of change"
            options={KIND_OPTIONS}
            value={form.kind}
            onChange={value => set('kind')(String(value) as ChangeKind)}
          />
        </Field>
        {form.kind !== 'promote' &&
          form.kind !== 'rollback' &&
          applicationSelect('application', 'Application')}
        {form.kind === 'promote' && applicationSelect('from', 'Promote from')}
        {form.kind === 'promote' && applicationSelect('to', 'Promote to')}
      </Flex>

      {form.kind === 'image' && <Row>{text('tag', 'New image tag')}</Row>}
      {form.kind === 'replicas' && (
        <Row>{text('replicas', 'Replicas', { type: 'number' })}</Row>
      )}
      {(form.kind === 'env-set' || form.kind === 'env-unset') && (
        <Row>
          {text('envName', 'Variable name')}
          {form.kind === 'env-set' && text('envValue', 'Value')}
        </Row>
      )}
      {form.kind === 'resources' && (
        <Row>
          {text('requestsCpu', 'CPU request', { placeholder: '250m' })}
          {text('requestsMemory', 'Memory request', { placeholder: '256Mi' })}
          {text('limitsCpu', 'CPU limit', { placeholder: '500m' })}
          {text('limitsMemory', 'Memory limit', { placeholder: '512Mi' })}
        </Row>
      )}
      {form.kind === 'promote' && (
        <Text color="secondary">
          Runs in the target environment the image versions that run in the
          source environment.
        </Text>
      )}
      {form.kind === 'rollback' && (
        <MergedChangeRequestSelect
          entityRef={entityRef}
          value={form.changeRequest}
          onChange={set('changeRequest')}
        />
      )}
      {form.kind === 'codify' && (
        <Row>
          {text('resource', 'Resource (group/Kind/namespace/name)', {
            placeholder: 'apps/Deployment/shop-dev/shop-api',
          })}
          {text('path', 'Drifted field path')}
        </Row>
      )}
      {editsWorkload && (
        <Row>
          {text('workloadKind', 'Workload kind (optional)', {
            placeholder: 'Deployment',
          })}
          {text('workloadName', 'Workload name (optional)')}
          {hasContainer && text('container', 'Container (optional)')}
        </Row>
      )}
      <Row>
        {text('title', 'Title (optional)', {
          placeholder: 'A title for the pull request',
        })}
      </Row>
      <TextAreaField
        label="Description (optional)"
        value={form.description}
        onChange={set('description')}
      />
    </Flex>
  );
}

function MergedChangeRequestSelect(props: {
  entityRef: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const { entityRef, value, onChange } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const merged = useAsync(async () => {
    const { items } = await gitopsApi.listChangeRequests({
      entityRef,
      limit: 50,
    });
    return items.filter(item => MERGED_STATES.includes(item.state));
  }, [gitopsApi, entityRef]);

  const options = (merged.value ?? []).map(item => ({
    id: item.id,
    label: `${item.title} (${item.id})`,
  }));
  // A prefilled id from a link stays choosable even when it is older than the loaded page.
  if (value && !options.some(option => option.id === value)) {
    options.unshift({ id: value, label: value });
  }
  return (
    <Flex direction="column" gap="2">
      <Field>
        <Select
          label="Change request to roll back"
          placeholder={
            merged.loading ? 'Loading merged change requests' : 'Choose one'
          }
          options={options}
          value={value || null}
          onChange={next => onChange(String(next ?? ''))}
        />
      </Field>
      {merged.error && (
        <Text color="danger">
          Could not list merged change requests: {merged.error.message}
        </Text>
      )}
      {merged.value && options.length === 0 && (
        <Text color="secondary">
          No change request of this entity has been merged yet.
        </Text>
      )}
    </Flex>
  );
}

function Row(props: { children: ReactNode }) {
  return (
    <Flex gap="3" style={{ flexWrap: 'wrap' }}>
      {props.children}
    </Flex>
  );
}

function Field(props: { children: ReactNode }) {
  return <div style={{ width: FIELD_WIDTH }}>{props.children}</div>;
}
