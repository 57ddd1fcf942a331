import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  FINAL_CHANGE_REQUEST_STATES,
  type ChangeRequest,
  type ChangeRequestState,
} from '@backstage-gitops/plugin-gitops-common';
import { Button, ButtonLink, Flex, Header, Link, Text } from '@backstage/ui';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useChangeRequestSignal } from '../../hooks/useChangeRequestSignal';
import { useGitOpsLinks } from '../../hooks/useGitOpsLinks';
import { useNow } from '../../hooks/useNow';
import {
  CHANGE_REQUEST_STATE_LABELS,
  ChangeRequestStateChip,
} from '../ChangeRequestState';
import { describeChange } from '../format/describeChange';
import { RelativeTime } from '../format/RelativeTime';
import { Fact } from '../Section/Fact';
import { Section } from '../Section/Section';
import { describeApprovalRule, PolicyVerdict } from './ChangePreviewView';
import { LifecycleSteps } from './LifecycleSteps';

const APPROVABLE: readonly ChangeRequestState[] = ['checked', 'pr-open'];
const MERGEABLE: readonly ChangeRequestState[] = ['pr-open'];
const CANCELLABLE: readonly ChangeRequestState[] = [
  'draft',
  'checked',
  'pr-open',
];
const REVERTIBLE: readonly ChangeRequestState[] = [
  'merged',
  'synced',
  'healthy',
];

type Action = 'approve' | 'merge' | 'cancel';

/** One change request followed through its lifecycle, live: every `gitops:change` signal for it refetches it. */
export function ChangeRequestView(props: { id: string }) {
  const { id } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const now = useNow();
  const signalCount = useChangeRequestSignal({ id });
  const [request, setRequest] = useState<ChangeRequest>();

  const loaded = useAsync(
    () => gitopsApi.getChangeRequest(id),
    // A signal about this request bumps signalCount, which is what triggers the refetch.
    [gitopsApi, id, signalCount],
  );
  useEffect(() => {
    if (loaded.value) setRequest(loaded.value);
  }, [loaded.value]);

  const [actionState, act] = useAsyncFn(
    async (action: Action) => {
      const calls = {
        approve: () => gitopsApi.approveChangeRequest(id),
        merge: () => gitopsApi.mergeChangeRequest(id),
        cancel: () => gitopsApi.cancelChangeRequest(id),
      };
      const updated = await calls[action]();
      setRequest(updated);
      return action;
    },
    [gitopsApi, id],
  );

  if (!request) {
    if (loaded.error) return <ResponseErrorPanel error={loaded.error} />;
    return <Progress />;
  }
  return (
    <ChangeRequestDetails
      request={request}
      now={now}
      pendingAction={actionState.loading}
      actionError={actionState.error}
      onAction={act}
    />
  );
}

function ChangeRequestDetails(props: {
  request: ChangeRequest;
  now: number;
  pendingAction: boolean;
  actionError?: Error;
  onAction: (action: Action) => void;
}) {
  const { request, now, pendingAction, actionError, onAction } = props;
  const links = useGitOpsLinks();
  const isFinal = FINAL_CHANGE_REQUEST_STATES.includes(request.state);
  const rollbackLink =
    REVERTIBLE.includes(request.state) &&
    links.newChangeRequest?.({
      entity: request.entityRef,
      type: 'rollback',
      changeRequest: request.id,
    });

  const actions = (
    <Flex gap="2">
      {APPROVABLE.includes(request.state) && (
        <Button
          variant="secondary"
          isDisabled={pendingAction}
          onPress={() => onAction('approve')}
        >
          Approve
        </Button>
      )}
      {MERGEABLE.includes(request.state) && (
        <Button
          variant="primary"
          isDisabled={pendingAction}
          onPress={() => onAction('merge')}
        >
          Merge
        </Button>
      )}
      {CANCELLABLE.includes(request.state) && (
        <Button
          variant="secondary"
          destructive
          isDisabled={pendingAction}
          onPress={() => onAction('cancel')}
        >
          Cancel
        </Button>
      )}
      {rollbackLink && (
        <ButtonLink variant="secondary" href={rollbackLink}>
          Roll back
        </ButtonLink>
      )}
    </Flex>
  );

  return (
    <Flex direction="column" gap="4">
      <Header title={request.title} customActions={actions} />
      {actionError && <ResponseErrorPanel error={actionError} />}
      <Flex gap="6" align="start" style={{ flexWrap: 'wrap' }}>
        <Fact label="State">
          <ChangeRequestStateChip state={request.state} />
        </Fact>
        <Fact label="Entity">
          <EntityRefLink entityRef={request.entityRef} disableTooltip />
        </Fact>
        <Fact label="Environments">
          <Text>
            {request.applications
              .map(app => `${app.environment} (${app.name})`)
              .join(', ')}
          </Text>
        </Fact>
        <Fact label="Requested by">
          <Text>{request.requestedBy}</Text>
        </Fact>
        <Fact label="Created">
          <RelativeTime at={request.createdAt} now={now} />
        </Fact>
        <Fact label="Pull request">
          <PullRequest request={request} />
        </Fact>
      </Flex>
      {isFinal && request.reason && (
        <Text color={request.state === 'healthy' ? 'primary' : 'danger'}>
          {CHANGE_REQUEST_STATE_LABELS[request.state]}: {request.reason}
        </Text>
      )}
      <Section title="Lifecycle">
        <LifecycleSteps request={request} now={now} />
      </Section>
      <Section
        title="Changes"
        subtitle={`In ${request.repo}, against commit ${request.baseSha.slice(
          0,
          7,
        )}`}
      >
        {request.description && <Text>{request.description}</Text>}
        <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
          {request.changes.map((change, index) => (
            <li key={index}>
              <Text>{describeChange(change)}</Text>
            </li>
          ))}
        </ul>
        <PolicyVerdict policy={request.policy} />
      </Section>
      <Section title="Approvals">
        {request.approvalsRequired.length === 0 ? (
          <Text color="secondary">No approval is required before merge.</Text>
        ) : (
          <Text>
            Required:{' '}
            {request.approvalsRequired.map(describeApprovalRule).join('; ')}
          </Text>
        )}
        {request.approvals.length === 0 ? (
          <Text color="secondary">Nobody has approved yet.</Text>
        ) : (
          <ul
            aria-label="Approvals"
            style={{ margin: 0, paddingLeft: '1.2em' }}
          >
            {request.approvals.map(approval => (
              <li key={`${approval.by}|${approval.at}`}>
                <Text>
                  {approval.by}
                  {approval.source === 'forge' && approval.user
                    ? ` as ${approval.user}`
                    : ''}{' '}
                  (
                  {approval.source === 'forge'
                    ? 'on the forge'
                    : 'in Backstage'}
                  {approval.groups?.length
                    ? `, member of ${approval.groups.join(', ')}`
                    : ''}
                  ), <RelativeTime at={approval.at} now={now} />
                </Text>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Timeline">
        <ol aria-label="Timeline" style={{ margin: 0, paddingLeft: '1.2em' }}>
          {request.events.map((event, index) => (
            <li key={`${event.at}|${event.state}|${index}`}>
              <Text>
                <time dateTime={event.at}>
                  {new Date(event.at).toLocaleString()}
                </time>{' '}
                · {CHANGE_REQUEST_STATE_LABELS[event.state] ?? event.state}
                {event.actor ? ` · ${event.actor}` : ''}
                {event.message ? ` · ${event.message}` : ''}
              </Text>
            </li>
          ))}
        </ol>
      </Section>
    </Flex>
  );
}

function PullRequest(props: { request: ChangeRequest }) {
  const pr = props.request.pullRequest;
  if (!pr) return <Text color="secondary">not opened yet</Text>;
  const label = `${pr.provider} ${pr.id}`;
  return (
    <Flex direction="column" gap="1">
      {pr.url ? (
        <Link href={pr.url} target="_blank" rel="noopener noreferrer">
          {label}
        </Link>
      ) : (
        <Text>{label}</Text>
      )}
      <Text variant="body-small" color="secondary">
        branch <code>{pr.branch}</code>
        {pr.checks && pr.checks !== 'none' ? ` · checks ${pr.checks}` : ''}
        {pr.mergeSha ? ` · merged as ${pr.mergeSha.slice(0, 7)}` : ''}
      </Text>
    </Flex>
  );
}
