import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { GITOPS_STATUS_SIGNAL_CHANNEL } from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { MockSignalApi } from '../../__testUtils__/MockSignalApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { shopApiFixtures } from '../../__testUtils__/shopApiFixtures';
import { GitOpsOverviewCard } from './GitOpsOverviewCard';

function renderCard(
  gitopsApi: GitOpsApi,
  signals = new MockSignalApi(),
  entity = shopApiFixtures().entity,
) {
  renderInTestApp(
    <EntityProvider entity={entity}>
      <GitOpsOverviewCard />
    </EntityProvider>,
    {
      apis: [
        [gitopsApiRef, gitopsApi],
        [signalApiRef, signals],
      ],
    },
  );
  return signals;
}

function rowOf(environment: string): HTMLElement {
  const row = screen.getByText(environment).closest('[role="row"]');
  if (!row) throw new Error(`no row for ${environment}`);
  return row as HTMLElement;
}

describe('GitOpsOverviewCard', () => {
  it('shows a row per environment with sync, health, revision, drift and when it was observed', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue(fixtures.status);

    renderCard(gitopsApi);

    await screen.findByText('dev');
    expect(gitopsApi.getEntityStatus).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'shop-api',
    });

    const dev = within(rowOf('dev'));
    expect(dev.getByText('OutOfSync')).toBeInTheDocument();
    expect(dev.getByText('Healthy')).toBeInTheDocument();
    expect(dev.getByText('2 fields drifted for 3m')).toBeInTheDocument();
    expect(dev.getByTitle('observed 12s ago')).toBeInTheDocument();
    expect(dev.getByText('3f9c2e7').closest('a')).toHaveAttribute(
      'href',
      fixtures.status.applications[0].revision!.url,
    );

    const staging = within(rowOf('staging'));
    expect(staging.getByText('OutOfSync')).toBeInTheDocument();
    expect(staging.getByText('Missing')).toBeInTheDocument();
    expect(staging.getByText('No drift')).toBeInTheDocument();

    // prod's repo has no forge URL, so its revision is plain text.
    const prod = within(rowOf('prod'));
    expect(prod.getByText('3f9c2e7').closest('a')).toBeNull();
    expect(prod.getByText('Missing')).toBeInTheDocument();
  });

  it('warns that a status is the last known one when its cluster is unreachable', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue(shopApiFixtures().status);

    renderCard(gitopsApi);

    expect(
      await screen.findByText('prod: Cluster local unreachable since 5m ago'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'connect ECONNREFUSED 127.0.0.1:6443. Showing the last known state, last observed 5m ago.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/^dev: /)).not.toBeInTheDocument();
  });

  it('shows progress while the status loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockReturnValue(new Promise(() => {}));

    renderCard(gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when the status cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message:
                'Not allowed to read the GitOps status of component:default/shop-api',
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

    renderCard(gitopsApi);

    expect(
      await screen.findByText(
        /Not allowed to read the GitOps status of component:default\/shop-api/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('dev')).not.toBeInTheDocument();
  });

  it('says so when no application deploys the entity yet', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue({
      entityRef: 'component:default/shop-api',
      applications: [],
    });

    renderCard(gitopsApi);

    expect(
      await screen.findByText('No applications deploy this entity yet'),
    ).toBeInTheDocument();
  });

  it('refetches when a status signal concerns this entity, and only then', async () => {
    const fixtures = shopApiFixtures();
    const [dev, ...others] = fixtures.status.applications;
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus
      .mockResolvedValueOnce(fixtures.status)
      .mockResolvedValueOnce({
        ...fixtures.status,
        applications: [{ ...dev, driftCount: 3 }, ...others],
      });

    const signals = renderCard(gitopsApi);
    await screen.findByText('2 fields drifted for 3m');

    signals.publish(GITOPS_STATUS_SIGNAL_CHANNEL, {
      entityRef: 'component:default/ledger',
      application: 'ledger-dev',
      environment: 'dev',
      sync: 'OutOfSync',
      health: 'Healthy',
      driftCount: 1,
    });
    expect(gitopsApi.getEntityStatus).toHaveBeenCalledTimes(1);

    signals.publish(GITOPS_STATUS_SIGNAL_CHANNEL, {
      entityRef: 'component:default/shop-api',
      application: 'shop-api-dev',
      environment: 'dev',
      sync: 'OutOfSync',
      health: 'Healthy',
      driftCount: 3,
    });

    expect(
      await screen.findByText('3 fields drifted for 3m'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(gitopsApi.getEntityStatus).toHaveBeenCalledTimes(2),
    );
  });

  it('asks for the annotation on entities without applications', async () => {
    const gitopsApi = mockGitOpsApi();
    const { entity } = shopApiFixtures();

    renderCard(gitopsApi, new MockSignalApi(), {
      ...entity,
      metadata: { name: 'no-gitops', namespace: 'default' },
    });

    expect(
      (await screen.findAllByText('gitops.backstage.io/applications'))[0],
    ).toBeInTheDocument();
    expect(gitopsApi.getEntityStatus).not.toHaveBeenCalled();
  });

  it('shows the last sync and the open change requests per environment, and follows change signals', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue(fixtures.status);
    const signals = renderCard(gitopsApi);

    await screen.findByText('prod');
    await waitFor(() => expect(within(rowOf('prod')).getByText('1 open')).toBeInTheDocument());
    expect(within(rowOf('dev')).getByText('none open')).toBeInTheDocument();
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledWith({
      entityRef: 'component:default/shop-api',
      limit: 100,
    });

    gitopsApi.listChangeRequests.mockResolvedValue({ items: [] });
    signals.publish('gitops:change', { id: 'cr-42', entityRef: 'component:default/shop-api', state: 'healthy' });
    await waitFor(() => expect(within(rowOf('prod')).getByText('none open')).toBeInTheDocument());
  });
});
