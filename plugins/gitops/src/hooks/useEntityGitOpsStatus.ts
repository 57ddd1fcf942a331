import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api/GitOpsApi';
import { useGitOpsStatusSignal } from './useGitOpsStatusSignal';

/** The entity's application statuses, fetched again whenever a status signal concerns the entity. */
export function useEntityGitOpsStatus(entity: Entity) {
  const gitopsApi = useApi(gitopsApiRef);
  const entityRef = stringifyEntityRef(entity);
  const signalCount = useGitOpsStatusSignal({ entityRef });
  return useAsync(
    () => gitopsApi.getEntityStatus(parseEntityRef(entityRef)),
    // A relevant signal bumps signalCount, which is what triggers the refetch.
    [gitopsApi, entityRef, signalCount],
  );
}
