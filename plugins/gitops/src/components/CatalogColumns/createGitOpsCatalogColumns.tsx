import type { Entity } from '@backstage/catalog-model';
import type { TableColumn } from '@backstage/core-components';
import type { GitOpsApi } from '../../api/GitOpsApi';
import { isGitOpsAvailable } from '../../isGitOpsAvailable';
import { EntityStatusBatcher } from './EntityStatusBatcher';
import { GitOpsCatalogCell } from './GitOpsCatalogCell';

/**
 * Sync and health columns for the catalog table: per environment, a coloured dot and its name, for
 * entities with the `gitops.backstage.io/applications` annotation. The rows of a page are read with one
 * request. Create the columns once (module scope), so that answers are reused across renders:
 *
 * ```tsx
 * const gitopsColumns = createGitOpsCatalogColumns<CatalogTableRow>();
 *
 * <CatalogIndexPage
 *   columns={context => [
 *     ...CatalogTable.defaultColumnsFunc(context),
 *     ...(context.filters.kind?.value === 'component' ? gitopsColumns : []),
 *   ]}
 * />
 * ```
 *
 * The GitOps API must be registered: install the plugin (`legacyGitOpsPlugin` in legacy apps).
 */
export function createGitOpsCatalogColumns<
  T extends { entity: Entity } = { entity: Entity },
>(): TableColumn<T>[] {
  const batchers = new WeakMap<GitOpsApi, EntityStatusBatcher>();
  const batcherFor = (api: GitOpsApi) => {
    let batcher = batchers.get(api);
    if (!batcher) {
      batcher = new EntityStatusBatcher(api);
      batchers.set(api, batcher);
    }
    return batcher;
  };
  const column = (
    title: string,
    aspect: 'sync' | 'health',
  ): TableColumn<T> => ({
    title,
    sorting: false,
    searchable: false,
    render: ({ entity }) =>
      isGitOpsAvailable(entity) ? (
        <GitOpsCatalogCell
          entity={entity}
          aspect={aspect}
          batcherFor={batcherFor}
        />
      ) : null,
  });
  return [column('Sync', 'sync'), column('Health', 'health')];
}
