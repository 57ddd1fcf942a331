import { parseEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  useApi,
  useAppNavigate,
  useAppSearchParams,
} from '@backstage/frontend-plugin-api';
import type {
  ApplicationStatus,
  ChangePreview,
  CreateChangeRequestBody,
} from '@backstage-gitops/plugin-gitops-common';
import { Alert, Button, Flex, Header, Text, TextField } from '@backstage/ui';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useGitOpsLinks } from '../../hooks/useGitOpsLinks';
import { Section } from '../Section/Section';
import { ChangeFormFields } from './ChangeFormFields';
import {
  buildChangeSpec,
  formFromPrefill,
  type ChangeForm,
} from './changeForm';
import { prefillFromSearch } from './changePrefill';
import { ChangePreviewView } from './ChangePreviewView';

/**
 * The form that proposes a change: choose what to change, preview the files, rendered manifests, policy,
 * change windows and approvals, then submit. Prefilled from the query string (see `ChangePrefill`).
 */
export function NewChangeRequest() {
  const [search] = useAppSearchParams();
  const query = search.toString();
  // Another link to this page (another entity, another change) starts a fresh form.
  return <PrefilledChangeRequest key={query} query={query} />;
}

function PrefilledChangeRequest(props: { query: string }) {
  const prefill = useMemo(
    () => prefillFromSearch(new URLSearchParams(props.query)),
    [props.query],
  );
  const [entityRef, setEntityRef] = useState(prefill.entity ?? '');

  return (
    <Flex direction="column" gap="4">
      <Header title="New change request" />
      {entityRef ? (
        <EntityChangeForm
          key={entityRef}
          entityRef={entityRef}
          initialForm={formFromPrefill(prefill)}
        />
      ) : (
        <EntityPicker onPick={setEntityRef} />
      )}
    </Flex>
  );
}

/** Without `?entity=`, the page asks which entity's applications to change. */
function EntityPicker(props: { onPick: (entityRef: string) => void }) {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string>();
  const pick = () => {
    try {
      parseEntityRef(value.trim());
      props.onPick(value.trim());
    } catch {
      setProblem('Enter an entity reference like component:default/shop-api.');
    }
  };
  return (
    <Section title="Entity">
      <Text color="secondary">
        Change requests are opened from an entity&apos;s GitOps tab. Or name the
        entity here:
      </Text>
      <Flex gap="3" align="end">
        <TextField
          label="Entity reference"
          placeholder="component:default/shop-api"
          value={value}
          onChange={next => {
            setValue(next);
            setProblem(undefined);
          }}
        />
        <Button onPress={pick} isDisabled={!value.trim()}>
          Continue
        </Button>
      </Flex>
      {problem && <Text color="danger">{problem}</Text>}
    </Section>
  );
}

function EntityChangeForm(props: {
  entityRef: string;
  initialForm: ChangeForm;
}) {
  const { entityRef } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const status = useAsync(async () => {
    return gitopsApi.getEntityStatus(parseEntityRef(entityRef));
  }, [gitopsApi, entityRef]);

  if (status.error) return <ResponseErrorPanel error={status.error} />;
  if (!status.value) return <Progress />;
  if (status.value.applications.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No applications deploy this entity yet"
        description={`There is nothing to change for ${entityRef}: no Application in the config repo names it.`}
      />
    );
  }
  return (
    <ChangeRequestComposer
      entityRef={status.value.entityRef}
      applications={status.value.applications}
      initialForm={props.initialForm}
    />
  );
}

function ChangeRequestComposer(props: {
  entityRef: string;
  applications: ApplicationStatus[];
  initialForm: ChangeForm;
}) {
  const { entityRef, applications } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const navigate = useAppNavigate();
  const links = useGitOpsLinks();
  const [form, setForm] = useState(props.initialForm);

  const built = buildChangeSpec(form);
  const body: CreateChangeRequestBody | undefined =
    'spec' in built
      ? {
          ...(form.title.trim() ? { title: form.title.trim() } : {}),
          ...(form.description.trim()
            ? { description: form.description.trim() }
            : {}),
          changes: [built.spec],
        }
      : undefined;
  const bodyKey = body ? JSON.stringify(body) : '';
  // The same change submitted twice (a retry, a double click) must open one PR, a different one a new PR.
  const idempotencyKey = useMemo(() => (bodyKey ? nonce() : ''), [bodyKey]);

  const [previewState, runPreview] = useAsyncFn(
    async (): Promise<{ key: string; preview: ChangePreview }> => ({
      key: bodyKey,
      preview: await gitopsApi.previewChange(body!),
    }),
    [gitopsApi, bodyKey],
  );
  const previewed = previewState.value;
  const isCurrent = Boolean(previewed && previewed.key === bodyKey);

  const [submitState, submit] = useAsyncFn(async () => {
    const { changeRequest } = await gitopsApi.createChangeRequest({
      ...body!,
      idempotencyKey,
      baseSha: previewed!.preview.baseSha,
    });
    const target = links.changeRequest?.(changeRequest.id);
    if (target) navigate(target);
    return changeRequest;
  }, [gitopsApi, bodyKey, idempotencyKey, previewed, links, navigate]);

  const blockers =
    previewed && isCurrent ? submitBlockers(previewed.preview) : [];
  const canSubmit =
    Boolean(body) && isCurrent && blockers.length === 0 && !submitState.loading;

  return (
    <Flex direction="column" gap="4">
      <Section title="Change" subtitle={`For ${entityRef}`}>
        <ChangeFormFields
          entityRef={entityRef}
          applications={applications}
          form={form}
          onChange={setForm}
        />
        {'problem' in built && (
          <Text color="secondary" aria-live="polite">
            {built.problem}
          </Text>
        )}
        <Flex gap="3">
          <Button
            variant="secondary"
            onPress={runPreview}
            isDisabled={!body}
            isPending={previewState.loading}
          >
            Preview
          </Button>
          <Button
            variant="primary"
            onPress={submit}
            isDisabled={!canSubmit}
            isPending={submitState.loading}
          >
            Submit
          </Button>
        </Flex>
        {body && !isCurrent && (
          <Text color="secondary">
            {previewed
              ? 'The change was edited after its preview: preview it again before submitting.'
              : 'Preview the change to see what it writes before submitting.'}
          </Text>
        )}
        {blockers.map(blocker => (
          <Text key={blocker} color="danger">
            {blocker}
          </Text>
        ))}
        {submitState.error && <ResponseErrorPanel error={submitState.error} />}
        {submitState.value && !links.changeRequest && (
          <Alert
            status="success"
            title={`Change request ${submitState.value.id} submitted`}
          />
        )}
      </Section>
      {previewState.error && <ResponseErrorPanel error={previewState.error} />}
      {previewed && isCurrent && (
        <ChangePreviewView preview={previewed.preview} />
      )}
    </Flex>
  );
}

/** Why the backend would refuse this change now; each is shown, and any one blocks submit. */
function submitBlockers(preview: ChangePreview): string[] {
  const blockers: string[] = [];
  if (preview.policy.verdict === 'deny') {
    blockers.push('Policy denies this change, so it cannot be submitted.');
  }
  for (const window of preview.windows) {
    if (!window.open) {
      blockers.push(
        `The change window for ${window.environment} is closed, so it cannot be submitted now.`,
      );
    }
  }
  return blockers;
}

function nonce(): string {
  const random = globalThis.crypto?.randomUUID?.();
  return (
    random ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
  );
}
