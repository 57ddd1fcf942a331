import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import { Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { useGitOpsStatusSignal } from '../../hooks/useGitOpsStatusSignal';
import { DriftTable } from '../DriftTable/DriftTable';
import { describeDrift } from '../format/describeDrift';
import { RelativeTime } from '../format/RelativeTime';
import { HistoryList } from '../HistoryList/HistoryList';
import { ProblemBanner } from '../ProblemBanner/ProblemBanner';
import { ResourcesTable } from '../ResourcesTable/ResourcesTable';
import { resourceKey } from '../ResourcesTable/resourceKey';
import { RevisionLink } from '../RevisionLink/RevisionLink';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusLabel';

/** One application in depth: its summary, resources, field-level drift and history, kept live by signals. */
export function ApplicationDetails(props: {
  status: ApplicationStatus;
  now: number;
}) {
  const { status, now } = props;
  const { name, entityRef } = status.application;
  const gitopsApi = useApi(gitopsApiRef);
  const signalCount = useGitOpsStatusSignal({ entityRef, application: name });
  const detail = useAsync(
    () => gitopsApi.getApplication(name),
    // A signal for this application bumps signalCount, which is what triggers the refetch.
    [gitopsApi, name, signalCount],
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
        drifted.map(resource => (
          <DriftTable
            key={resourceKey(resource.ref)}
            resource={resource}
            now={now}
          />
        ))
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
      <Section title="History">
        <HistoryList application={name} refreshKey={signalCount} now={now} />
      </Section>
    </Flex>
  );
}

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Flex direction="column" gap="1">
      <Text variant="body-x-small" color="secondary">
        {props.label}
      </Text>
      <div>{props.children}</div>
    </Flex>
  );
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <Text as="h3" variant="title-small">
          {props.title}
        </Text>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="4">
          {props.children}
        </Flex>
      </CardBody>
    </Card>
  );
}
