import type { Entity } from '@backstage/catalog-model';
import { Table } from '@backstage/core-components';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ApplicationStatusSummary,
  EntityStatusBatchResponse,
} from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { GitOpsClient } from '../../api/GitOpsClient';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { createGitOpsCatalogColumns } from './createGitOpsCatalogColumns';

function component(name: string, annotated = true): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(annotated && {
        annotations: {
          'gitops.backstage.io/applications': `applications/${name}.yaml`,
        },
      }),
    },
    spec: { type: 'service', owner: 'team-shop', lifecycle: 'production' },
  };
}

function app(
  name: string,
  environment: string,
  sync: ApplicationStatusSummary['sync'],
  health: ApplicationStatusSummary['health'],
  driftCount = 0,
): ApplicationStatusSummary {
  return { name, environment, sync, health, driftCount };
}

/** shop-api drifted in staging, billing degraded in prod, ledger without applications, vault-proxy denied. */
const ANSWER: EntityStatusBatchResponse = {
  items: [
    {
      entityRef: 'component:default/shop-api',
      applications: [
        app('shop-api-dev', 'dev', 'Synced', 'Healthy'),
        app('shop-api-staging', 'staging', 'OutOfSync', 'Healthy', 2),
        app('shop-api-prod', 'prod', 'Synced', 'Healthy'),
      ],
    },
    {
      entityRef: 'component:default/billing',
      applications: [app('billing-prod', 'prod', 'Synced', 'Degraded')],
    },
    { entityRef: 'component:default/ledger', applications: [] },
  ],
};

const ENTITIES = [
  component('shop-api'),
  component('billing'),
  component('docs-site', false),
  component('vault-proxy'),
  component('ledger'),
];

function renderTable(api: GitOpsApi) {
  const columns = createGitOpsCatalogColumns();
  return renderInTestApp(
    <Table
      title="Components"
      options={{ paging: false, search: false }}
      columns={[
        {
          title: 'Name',
          field: 'entity.metadata.name',
          highlight: true,
        },
        ...columns,
      ]}
      data={ENTITIES.map(entity => ({ entity }))}
    />,
    { apis: [[gitopsApiRef, api]] },
  );
}

/** The row of the table for an entity, by its name. */
function row(name: string) {
  return screen.getByText(name).closest('tr')!;
}

function cellTexts(name: string) {
  return within(row(name))
    .getAllByRole('cell')
    .slice(1)
    .map(cell => cell.textContent);
}

describe('createGitOpsCatalogColumns', () => {
  it('shows sync and health per environment, reading the whole page with one request', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatuses.mockResolvedValue(ANSWER);
    await renderTable(api);

    await waitFor(() =>
      expect(screen.queryByLabelText('Loading GitOps status')).toBeNull(),
    );
    expect(api.getEntityStatuses).toHaveBeenCalledTimes(1);
    expect(api.getEntityStatuses).toHaveBeenCalledWith([
      'component:default/shop-api',
      'component:default/billing',
      'component:default/vault-proxy',
      'component:default/ledger',
    ]);

    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      ['Name', 'Sync', 'Health'],
    );
    expect(cellTexts('shop-api')).toEqual([
      'dev: Syncedstaging: OutOfSync, 2 drifted fieldsprod: Synced',
      'dev: Healthystaging: Healthyprod: Healthy',
    ]);
    expect(cellTexts('billing')).toEqual(['prod: Synced', 'prod: Degraded']);
    expect(
      within(row('shop-api'))
        .getAllByTitle(/^staging/)
        .map(el => el.title),
    ).toEqual(['staging: OutOfSync, 2 drifted fields', 'staging: Healthy']);
  });

  it('leaves the cells of entities without the annotation empty', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatuses.mockResolvedValue(ANSWER);
    await renderTable(api);
    await waitFor(() =>
      expect(screen.queryByLabelText('Loading GitOps status')).toBeNull(),
    );
    expect(cellTexts('docs-site')).toEqual(['', '']);
  });

  it('says when an entity has no applications, and shows a dash where the policy denies the status', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatuses.mockResolvedValue(ANSWER);
    await renderTable(api);
    await waitFor(() =>
      expect(screen.queryByLabelText('Loading GitOps status')).toBeNull(),
    );
    expect(cellTexts('ledger')).toEqual(['No applications', 'No applications']);
    expect(cellTexts('vault-proxy')).toEqual(['–', '–']);
  });

  it('shows a placeholder while the statuses load', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatuses.mockReturnValue(new Promise(() => {}));
    await renderTable(api);
    expect(
      await screen.findAllByLabelText('Loading GitOps status'),
    ).toHaveLength(8);
  });

  it('says the status is unavailable when the request fails, with the reason on hover', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatuses.mockRejectedValue(
      new Error('gitops backend is down'),
    );
    await renderTable(api);
    const cells = await screen.findAllByText('Unavailable');
    expect(cells).toHaveLength(8);
    expect(cells[0]).toHaveAttribute('title', 'gitops backend is down');
  });

  it('posts the page of entity refs to the batch route through the client', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(JSON.stringify(ANSWER), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const client = new GitOpsClient({
      discoveryApi: {
        getBaseUrl: async () => 'http://localhost:7007/api/gitops',
      },
      fetchApi: { fetch },
    });
    await renderTable(client);
    expect(await screen.findByTitle('prod: Degraded')).toBeInTheDocument();

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(
      'http://localhost:7007/api/gitops/entities/status:batch',
      expect.objectContaining({
        method: 'POST',
        body: JSON.stringify({
          entityRefs: [
            'component:default/shop-api',
            'component:default/billing',
            'component:default/vault-proxy',
            'component:default/ledger',
          ],
        }),
      }),
    );
  });
});
