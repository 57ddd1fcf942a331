import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { Flex, Skeleton, Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import type { EntityStatusBatcher } from './EntityStatusBatcher';
import { EnvironmentStatusDot } from './EnvironmentStatusDot';
import { summarizeEnvironments } from './summarizeEnvironments';

/** One catalog table cell: the entity's environments with their sync or health. */
export function GitOpsCatalogCell(props: {
  entity: Entity;
  aspect: 'sync' | 'health';
  batcherFor: (api: GitOpsApi) => EntityStatusBatcher;
}) {
  const { entity, aspect, batcherFor } = props;
  const batcher = batcherFor(useApi(gitopsApiRef));
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => batcher.load(entityRef),
    [batcher, entityRef],
  );

  if (loading) {
    return (
      <Skeleton width={96} height={16} aria-label="Loading GitOps status" />
    );
  }
  if (error) {
    return (
      <Text variant="body-small" color="danger" title={error.message}>
        Unavailable
      </Text>
    );
  }
  // Left out of the answer: the permission policy does not let this user read the entity's status.
  if (!value) {
    return (
      <Text variant="body-small" color="secondary" title="No GitOps status">
        –
      </Text>
    );
  }
  const environments = summarizeEnvironments(value.applications);
  if (environments.length === 0) {
    return (
      <Text variant="body-small" color="secondary">
        No applications
      </Text>
    );
  }
  return (
    <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
      {environments.map(environment => (
        <EnvironmentStatusDot
          key={environment.environment}
          environment={environment}
          aspect={aspect}
        />
      ))}
    </Flex>
  );
}
