import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  ApplicationDetailResponse,
  EntityStatusResponse,
  HistoryResponse,
} from '@backstage-gitops/plugin-gitops-common';

/** Reads GitOps status from the gitops backend; every answer comes from its store, never a cluster. */
export interface GitOpsApi {
  /** The status of each application (one per environment) that deploys the entity. */
  getEntityStatus(entityRef: CompoundEntityRef): Promise<EntityStatusResponse>;
  /** One application's status with its resources and their field-level drift. */
  getApplication(name: string): Promise<ApplicationDetailResponse>;
  /** Verdict changes of one application, newest first; pass `nextCursor` back to read further. */
  getApplicationHistory(
    name: string,
    page?: { limit?: number; cursor?: string },
  ): Promise<HistoryResponse>;
}

export const gitopsApiRef = createApiRef<GitOpsApi>().with({
  id: 'plugin.gitops.service',
  pluginId: 'gitops',
});
