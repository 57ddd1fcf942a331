import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { GITOPS_APPLICATIONS_ANNOTATION } from '@backstage-gitops/plugin-gitops-common';
import { Flex, Tab, TabList, TabPanel, Tabs } from '@backstage/ui';
import { useEntityGitOpsStatus } from '../../hooks/useEntityGitOpsStatus';
import { useNow } from '../../hooks/useNow';
import { isGitOpsAvailable } from '../../isGitOpsAvailable';
import { EntityChangeRequests } from '../ChangeRequestsList';
import { EnvironmentMatrix } from '../EnvironmentMatrix';
import { Section } from '../Section/Section';
import { ApplicationDetails } from './ApplicationDetails';

/**
 * The entity's GitOps tab: the environments side by side, the entity's change requests, and one panel per
 * environment with resources, drift, syncs and history.
 */
export function GitOpsContent() {
  const { entity } = useEntity();
  if (!isGitOpsAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState
        annotation={GITOPS_APPLICATIONS_ANNOTATION}
      />
    );
  }
  return <GitOpsApplications />;
}

function GitOpsApplications() {
  const { entity } = useEntity();
  const { value, loading, error } = useEntityGitOpsStatus(entity);
  const now = useNow();

  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return loading ? <Progress /> : null;
  if (value.applications.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No applications deploy this entity yet"
        description={`Declare an Application with spec.entityRef ${value.entityRef} in the config repo; its resources, drift and history show here once the backend has reconciled it.`}
      />
    );
  }
  const entityRef = stringifyEntityRef(entity);
  return (
    <Flex direction="column" gap="4">
      <Section title="Environments">
        <EnvironmentMatrix
          entityRef={entityRef}
          applications={value.applications}
        />
      </Section>
      <EntityChangeRequests entityRef={entityRef} now={now} />
      <Tabs defaultSelectedKey={value.applications[0].application.name}>
        <TabList aria-label="Environments">
          {value.applications.map(status => (
            <Tab key={status.application.name} id={status.application.name}>
              {status.application.environment}
            </Tab>
          ))}
        </TabList>
        {value.applications.map(status => (
          <TabPanel key={status.application.name} id={status.application.name}>
            <ApplicationDetails
              entityRef={entityRef}
              status={status}
              now={now}
            />
          </TabPanel>
        ))}
      </Tabs>
    </Flex>
  );
}
