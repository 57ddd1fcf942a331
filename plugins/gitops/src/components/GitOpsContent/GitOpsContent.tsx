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
import { Tab, TabList, TabPanel, Tabs } from '@backstage/ui';
import { useEntityGitOpsStatus } from '../../hooks/useEntityGitOpsStatus';
import { useNow } from '../../hooks/useNow';
import { isGitOpsAvailable } from '../../isGitOpsAvailable';
import { ApplicationDetails } from './ApplicationDetails';

/** The entity's GitOps tab: one panel per environment with resources, drift and history. */
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
  return (
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
          <ApplicationDetails status={status} now={now} />
        </TabPanel>
      ))}
    </Tabs>
  );
}
