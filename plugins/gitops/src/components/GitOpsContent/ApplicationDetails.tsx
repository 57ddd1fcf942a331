import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  ApplicationStatus,
  DriftRecord,
} from '@backstage-gitops/plugin-gitops-common';
import { Alert, Button, ButtonLink, Flex, Text } from '@backstage/ui';
import { useCallback, useState, type ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useGitOpsLinks } from '../../hooks/useGitOpsLinks';
import { useGitOpsStatusSignal } from '../../hooks/useGitOpsStatusSignal';
import { DriftTable, type DriftActions } from '../DriftTable/DriftTable';
import { describeDrift } from '../format/describeDrift';
import { RelativeTime } from '../format/RelativeTime';
import { HistoryList } from '../HistoryList/HistoryList';
import { ProblemBanner } from '../ProblemBanner/ProblemBanner';
import { ResourcesTable } from '../ResourcesTable/ResourcesTable';
import { resourceKey } from '../ResourcesTable/resourceKey';
import { RevisionLink } from '../RevisionLink/RevisionLink';
import { SyncHistoryList } from '../SyncHistory';
import { Fact } from '../Section/Fact';
import { Section } from '../Section/Section';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';

/**
 * One application in depth: its summary, resources, field-level drift (with "Sync now" and "Codify in Git"),
 * syncs and history, kept live by signals. `entityRef` is the entity page's, for links that name it.
 */
export function ApplicationDetails(props: {
  entityRef: string;
  status: ApplicationStatus;
  now: number;
}) {
  const { status, now } = props;
  const { name, entityRef } = status.application;
  const gitopsApi = useApi(gitopsApiRef);
  const links = useGitOpsLinks();
  const signalCount = useGitOpsStatusSignal({ entityRef, application: name });
  const detail = useAsync(
    () => gitopsApi.getApplication(name),
    // A signal for this application bumps signalCount, which is what triggers the refetch.
    [gitopsApi, name, signalCount],
  );
  const [syncsStarted, setSyncsStarted] = useState(0);
  const [syncState, syncNow] = useAsyncFn(async () => {
    const run = await gitopsApi.syncApplication(name);
    setSyncsStarted(count => count + 1);
    return run;
  }, [gitopsApi, name]);

  const newChangeRequest = links.newChangeRequest;
  const driftActions: DriftActions = useCallback(
    (drift, resource) => (
      <Flex gap="2" style={{ flexWrap: 'wrap' }}>
        <Button
          size="small"
          variant="secondary"
          isDisabled={syncState.loading}
          onPress={syncNow}
        >
          Sync now
        </Button>
        {newChangeRequest && isCodifiable(drift) && (
          <ButtonLink
            size="small"
            variant="tertiary"
            href={newChangeRequest({
              entity: props.entityRef,
              application: name,
              type: 'codify',
              resource: resource.ref,
              path: drift.path,
            })}
          >
            Codify in Git
          </ButtonLink>
        )}
      </Flex>
    ),
    [syncState.loading, syncNow, newChangeRequest, props.entityRef, name],
  );

  const current = detail.value?.status ?? status;
  const drifted = (detail.value?.resources ?? []).filter(
    resource => resource.drifts.length > 0,
  );

  let resources: ReactNode;
  let drift: ReactNode;
  if (detail.error) {
    resources = <ResponseErrorPanel error={detail.error} />;
    drift = null;
  } else if (!detail.value) {
    resources = <Progress />;
    drift = null;
  } else {
    resources = <ResourcesTable resources={detail.value.resources} />;
    drift =
      drifted.length === 0 ? (
        <Text color="secondary">
          Live state matches Git for every field we assert.
        </Text>
      ) : (
        <>
          <Text color="secondary">
            Sync now puts Git&apos;s values back into the cluster; Codify in Git
            proposes a change request that writes the live value into Git.
          </Text>
          {syncState.error && <ResponseErrorPanel error={syncState.error} />}
          {syncState.value && (
            <Alert
              status="success"
              icon
              title={`Sync of ${name} started`}
              description="Its progress shows under Syncs."
            />
          )}
          {drifted.map(resource => (
            <DriftTable
              key={resourceKey(resource.ref)}
              resource={resource}
              now={now}
              actions={driftActions}
            />
          ))}
        </>
      );
  }

  return (
    <Flex direction="column" gap="4">
      <ProblemBanner status={current} now={now} />
      <Flex gap="6" align="center" style={{ flexWrap: 'wrap' }}>
        <Fact label="Sync">
          <SyncStatusLabel status={current.sync} />
        </Fact>
        <Fact label="Health">
          <HealthStatusLabel status={current.health} />
          {current.healthMessage && (
            <Text color="secondary"> {current.healthMessage}</Text>
          )}
        </Fact>
        <Fact label="Revision">
          <RevisionLink revision={current.revision} />
        </Fact>
        <Fact label="Drift">
          <Text>
            {describeDrift(current.driftCount, current.driftSince, now)}
          </Text>
        </Fact>
        <Fact label="Last observed">
          <RelativeTime at={current.observedAt} now={now} />
        </Fact>
        <Fact label="Destination">
          <Text>
            {current.application.destination.cluster} /{' '}
            {current.application.destination.namespace}
          </Text>
        </Fact>
      </Flex>
      <Section title="Resources">{resources}</Section>
      {drift && <Section title="Drift">{drift}</Section>}
      <Section title="Syncs">
        <SyncHistoryList
          application={name}
          refreshKey={signalCount + syncsStarted}
          now={now}
        />
      </Section>
      <Section title="History">
        <HistoryList application={name} refreshKey={signalCount} now={now} />
      </Section>
    </Flex>
  );
}

// Codifying writes the live value into Git: never for a Secret value, and not for an object Git no longer has.
function isCodifiable(drift: DriftRecord): boolean {
  return !drift.sensitive && drift.type !== 'removed-from-git';
}
