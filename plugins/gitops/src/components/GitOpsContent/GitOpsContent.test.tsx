import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { GITOPS_STATUS_SIGNAL_CHANNEL } from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeRequestsRouteRef } from '../../routes';
import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { MockSignalApi } from '../../__testUtils__/MockSignalApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { shopApiFixtures } from '../../__testUtils__/shopApiFixtures';
import { GitOpsContent } from './GitOpsContent';

function renderContent(gitopsApi: GitOpsApi, signals = new MockSignalApi()) {
  renderInTestApp(
    <EntityProvider entity={shopApiFixtures().entity}>
      <GitOpsContent />
    </EntityProvider>,
    {
      mountedRoutes: { '/gitops/changes': changeRequestsRouteRef },
      apis: [
        [gitopsApiRef, gitopsApi],
        [signalApiRef, signals],
      ],
    },
  );
  return signals;
}

function table(name: string): HTMLElement {
  const heading = screen.getByRole('heading', { name });
  const section =
    heading.closest('.bui-Card') ?? heading.parentElement!.parentElement!;
  return section as HTMLElement;
}

function rowContaining(container: HTMLElement, text: string): HTMLElement {
  const row = within(container).getByText(text).closest('[role="row"]');
  if (!row) throw new Error(`no row with ${text}`);
  return row as HTMLElement;
}

describe('GitOpsContent', () => {
  it('opens on the first environment and lists its resources with sync, health and message', async () => {
    const gitopsApi = mockGitOpsApi();
    renderContent(gitopsApi);

    expect(
      await screen.findByRole('tab', { name: 'dev', selected: true }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'staging' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'prod' })).toBeInTheDocument();

    await screen.findByText('shop-dev/shop-api-config');
    expect(gitopsApi.getApplication).toHaveBeenCalledWith('shop-api-dev');
    const resources = table('Resources');
    const deployment = within(
      rowContaining(resources, 'deployment "shop-api" successfully rolled out'),
    );
    expect(deployment.getByText('Deployment')).toBeInTheDocument();
    expect(deployment.getByText('shop-dev/shop-api')).toBeInTheDocument();
    expect(deployment.getByText('OutOfSync')).toBeInTheDocument();
    expect(deployment.getByText('Healthy')).toBeInTheDocument();
    const hpa = within(rowContaining(resources, 'waiting for metrics'));
    expect(hpa.getByText('HorizontalPodAutoscaler')).toBeInTheDocument();
    expect(hpa.getByText('Progressing')).toBeInTheDocument();
  });

  it('filters resources by sync and by health', async () => {
    const user = userEvent.setup();
    renderContent(mockGitOpsApi());
    await screen.findByText('shop-dev/shop-api-config');
    const resources = () => within(table('Resources'));

    await user.click(screen.getByRole('button', { name: /Sync$/ }));
    await user.click(await screen.findByRole('option', { name: 'Missing' }));

    await waitFor(() =>
      expect(
        resources().queryByText('HorizontalPodAutoscaler'),
      ).not.toBeInTheDocument(),
    );
    expect(resources().getByText('ConfigMap')).toBeInTheDocument();
    expect(resources().queryByText('Deployment')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /Sync$/ }));
    await user.click(await screen.findByRole('option', { name: 'All' }));
    await user.click(screen.getByRole('button', { name: /Health$/ }));
    await user.click(
      await screen.findByRole('option', { name: 'Progressing' }),
    );

    await waitFor(() =>
      expect(resources().queryByText('Deployment')).not.toBeInTheDocument(),
    );
    expect(
      resources().getByText('HorizontalPodAutoscaler'),
    ).toBeInTheDocument();
    expect(resources().queryByText('ConfigMap')).not.toBeInTheDocument();
  });

  it('shows drift field by field, desired beside live, and never a Secret value', async () => {
    const fixtures = shopApiFixtures();
    const [deployment, secretResource, ...rest] = fixtures.devDetail.resources;
    // Even if a value slipped through, a sensitive drift must not render it.
    fixtures.devDetail.resources = [
      deployment,
      {
        ...secretResource,
        drifts: secretResource.drifts.map(drift => ({
          ...drift,
          desired: 's3cr3t-from-git',
          live: 's3cr3t-in-cluster',
        })),
      },
      ...rest,
    ];
    renderContent(mockGitOpsApi(fixtures));
    await screen.findByText('spec.template.spec.containers[name=web].image');
    const drift = table('Drift');

    const image = within(
      rowContaining(drift, 'spec.template.spec.containers[name=web].image'),
    );
    expect(image.getByText('ghcr.io/acme/shop-api:1.4.2')).toBeInTheDocument();
    expect(image.getByText('ghcr.io/acme/shop-api:9.9.9')).toBeInTheDocument();
    expect(image.getByText('kubectl-set')).toBeInTheDocument();
    expect(image.getByText('3m ago')).toBeInTheDocument();
    expect(
      within(drift).getByText('Deployment shop-dev/shop-api'),
    ).toBeInTheDocument();

    const secret = within(rowContaining(drift, 'data.password'));
    expect(secret.getByText('changed (hidden)')).toBeInTheDocument();
    expect(secret.getByText('hidden')).toBeInTheDocument();
    expect(secret.getByText('kubectl-edit')).toBeInTheDocument();
    expect(
      within(drift).getByText('Secret shop-dev/shop-api-db'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/s3cr3t/)).not.toBeInTheDocument();
  });

  it('lists the history newest first and loads older entries with the cursor', async () => {
    const user = userEvent.setup();
    const gitopsApi = mockGitOpsApi();
    renderContent(gitopsApi);

    const history = await screen.findByRole('grid', {
      name: 'History of shop-api-dev',
    });
    const entries = () => within(history).getAllByRole('row');
    expect(entries()).toHaveLength(2);
    expect(entries()[0]).toHaveTextContent('OutOfSync');
    expect(entries()[0]).toHaveTextContent(
      '2 fields drifted · live state changed',
    );
    expect(entries()[1]).toHaveTextContent('Synced');
    expect(gitopsApi.getApplicationHistory).toHaveBeenCalledWith(
      'shop-api-dev',
      { limit: 20 },
    );

    await user.click(screen.getByRole('button', { name: 'Load more' }));

    await waitFor(() => expect(entries()).toHaveLength(3));
    expect(entries()[2]).toHaveTextContent('Progressing');
    expect(entries()[2]).toHaveTextContent(
      'revision 0a1b2c3 · No drift · new revision',
    );
    expect(gitopsApi.getApplicationHistory).toHaveBeenLastCalledWith(
      'shop-api-dev',
      {
        limit: 20,
        cursor: 'cursor-after-40m',
      },
    );
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
  });

  it('refetches the application and prepends new history when a signal concerns it', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    const signals = renderContent(gitopsApi);
    await screen.findByText('spec.template.spec.containers[name=web].image');
    const [deployment] = fixtures.devDetail.resources;
    const newDrift = {
      path: 'spec.replicas',
      type: 'changed' as const,
      desired: 2,
      live: 5,
      manager: 'kubectl-scale',
      firstSeenAt: new Date().toISOString(),
    };
    gitopsApi.getApplication.mockResolvedValue({
      ...fixtures.devDetail,
      resources: [
        { ...deployment, drifts: [...deployment.drifts, newDrift] },
        ...fixtures.devDetail.resources.slice(1),
      ],
    });
    gitopsApi.getApplicationHistory.mockResolvedValue({
      ...fixtures.devHistory,
      items: [
        {
          at: new Date().toISOString(),
          sync: 'OutOfSync',
          health: 'Healthy',
          driftCount: 3,
          reason: 'replicas scaled',
        },
        ...fixtures.devHistory.items,
      ],
    });

    signals.publish(GITOPS_STATUS_SIGNAL_CHANNEL, {
      entityRef: 'component:default/shop-api',
      application: 'shop-api-dev',
      environment: 'dev',
      sync: 'OutOfSync',
      health: 'Healthy',
      driftCount: 3,
    });

    expect(await screen.findByText('spec.replicas')).toBeInTheDocument();
    expect(
      within(rowContaining(table('Drift'), 'spec.replicas')).getByText(
        'kubectl-scale',
      ),
    ).toBeInTheDocument();
    const history = screen.getByRole('grid', {
      name: 'History of shop-api-dev',
    });
    await waitFor(() =>
      expect(within(history).getAllByRole('row')).toHaveLength(3),
    );
    expect(within(history).getAllByRole('row')[0]).toHaveTextContent(
      'replicas scaled',
    );
  });

  it('shows the environment matrix and the change requests above the environments', async () => {
    renderContent(mockGitOpsApi());

    expect(
      await screen.findByRole('heading', { name: 'Environments' }),
    ).toBeInTheDocument();
    const matrix = table('Environments');
    expect(
      within(matrix).getByRole('rowheader', { name: 'Behind dev' }),
    ).toBeInTheDocument();
    expect(
      within(matrix).getByRole('link', { name: 'Promote dev to staging' }),
    ).toBeInTheDocument();
    expect(
      await within(table('Change requests')).findByText(
        'shop-api: image 1.5.0 in prod',
      ),
    ).toBeInTheDocument();
  });

  it('offers Sync now and Codify in Git per drifted field, never codifying a Secret value', async () => {
    renderContent(mockGitOpsApi());
    await screen.findByText('spec.template.spec.containers[name=web].image');
    const drift = table('Drift');

    const image = within(
      rowContaining(drift, 'spec.template.spec.containers[name=web].image'),
    );
    expect(image.getByRole('button', { name: 'Sync now' })).toBeEnabled();
    const codify = image.getByRole('link', { name: 'Codify in Git' });
    const url = new URL(codify.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe('/gitops/changes/new');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      entity: 'component:default/shop-api',
      application: 'shop-api-dev',
      type: 'codify',
      resource: 'apps/Deployment/shop-dev/shop-api',
      path: 'spec.template.spec.containers[name=web].image',
    });

    const secret = within(rowContaining(drift, 'data.password'));
    expect(
      secret.getByRole('button', { name: 'Sync now' }),
    ).toBeInTheDocument();
    expect(
      secret.queryByRole('link', { name: 'Codify in Git' }),
    ).not.toBeInTheDocument();
  });

  it('syncs the application now and shows the new run under Syncs', async () => {
    const { syncs } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns
      .mockResolvedValueOnce({ items: [syncs.items[1]] })
      .mockResolvedValueOnce({ items: syncs.items });
    const user = userEvent.setup();
    renderContent(gitopsApi);
    await screen.findByText('spec.template.spec.containers[name=web].image');
    const syncRuns = await screen.findByRole('grid', {
      name: 'Syncs of shop-api-dev',
    });
    expect(within(syncRuns).getAllByRole('row')).toHaveLength(1);

    await user.click(
      within(
        rowContaining(
          table('Drift'),
          'spec.template.spec.containers[name=web].image',
        ),
      ).getByRole('button', { name: 'Sync now' }),
    );

    expect(gitopsApi.syncApplication).toHaveBeenCalledWith('shop-api-dev');
    expect(
      await screen.findByText('Sync of shop-api-dev started'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(within(syncRuns).getAllByRole('row')).toHaveLength(2),
    );
    expect(within(syncRuns).getAllByRole('row')[0]).toHaveTextContent(
      'manual by user:default/alice',
    );
  });

  it('shows why a sync was refused', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.syncApplication.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'Not allowed to sync shop-api-dev',
            },
            response: { statusCode: 403 },
          }),
          {
            status: 403,
            statusText: 'Forbidden',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    const user = userEvent.setup();
    renderContent(gitopsApi);
    await screen.findByText('data.password');

    await user.click(
      within(rowContaining(table('Drift'), 'data.password')).getByRole(
        'button',
        { name: 'Sync now' },
      ),
    );

    expect(
      await screen.findByText('Not allowed to sync shop-api-dev'),
    ).toBeInTheDocument();
  });

  it('shows progress while the status loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockReturnValue(new Promise(() => {}));
    renderContent(gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when the application cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getApplication.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotFoundError',
              message: 'No application named shop-api-dev',
            },
            response: { statusCode: 404 },
          }),
          {
            status: 404,
            statusText: 'Not Found',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    renderContent(gitopsApi);

    expect(
      await screen.findByText('No application named shop-api-dev'),
    ).toBeInTheDocument();
  });

  it('says so when no application deploys the entity yet', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue({
      entityRef: 'component:default/shop-api',
      applications: [],
    });
    renderContent(gitopsApi);

    expect(
      await screen.findByText('No applications deploy this entity yet'),
    ).toBeInTheDocument();
    expect(gitopsApi.getApplication).not.toHaveBeenCalled();
  });
});
