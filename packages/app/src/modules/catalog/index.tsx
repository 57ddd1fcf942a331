import {
  coreExtensionData,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import { CatalogTable, type CatalogTableRow } from '@backstage/plugin-catalog';
import catalogPlugin, {
  CatalogIndexPage,
} from '@backstage/plugin-catalog/alpha';
import { createGitOpsCatalogColumns } from '@backstage-gitops/plugin-gitops';

// Created once, so the statuses read for a page of the table are reused across renders.
const gitopsColumns = createGitOpsCatalogColumns<CatalogTableRow>();

/**
 * The catalog index page with GitOps sync and health columns for components. The catalog page of this
 * version takes no column extensions, so its loader is replaced; filters and pagination stay configurable.
 */
export const catalogGitOpsColumnsModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [
    catalogPlugin.getExtension('page:catalog').override({
      factory(originalFactory, { inputs, config }) {
        return originalFactory({
          params: {
            loader: async () => (
              <CatalogIndexPage
                filters={
                  <>
                    {inputs.filters.map(filter =>
                      filter.get(coreExtensionData.reactElement),
                    )}
                  </>
                }
                pagination={config.pagination}
                exportSettings={
                  config.exportSettings?.enabled
                    ? config.exportSettings
                    : undefined
                }
                columns={context => [
                  ...CatalogTable.defaultColumnsFunc(context),
                  ...(context.filters.kind?.value === 'component'
                    ? gitopsColumns
                    : []),
                ]}
              />
            ),
          },
        });
      },
    }),
  ],
});
