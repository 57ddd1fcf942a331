import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeRequestsRouteRef } from '../../routes';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { shopApiFixtures } from '../../__testUtils__/shopApiFixtures';
import { EnvironmentMatrix } from './EnvironmentMatrix';

const HOUR = 3_600_000;

/** dev runs the newest commit; staging and prod trail it by 3h and 2d. */
function pipeline(now = Date.now()): ApplicationStatus[] {
  const [dev, staging, prod] = shopApiFixtures(now).status.applications;
  const commit = (sha: string, hoursAgo: number) => ({
    sha,
    committedAt: new Date(now - hoursAgo * HOUR).toISOString(),
    url: `https://github.com/acme/fleet-config/commit/${sha}`,
  });
  return [
    { ...dev, revision: commit('aaaaaaa111', 1) },
    { ...staging, revision: commit('bbbbbbb222', 4) },
    { ...prod, revision: commit('ccccccc333', 49) },
  ];
}

function renderMatrix(
  gitopsApi: GitOpsApi,
  applications = pipeline(),
  mountChangePages = true,
) {
  return renderInTestApp(
    <EnvironmentMatrix
      entityRef="component:default/shop-api"
      applications={applications}
    />,
    {
      mountedRoutes: mountChangePages
        ? { '/gitops/changes': changeRequestsRouteRef }
        : {},
      apis: [[gitopsApiRef, gitopsApi]],
    },
  );
}

/** A fake API whose application details never arrive: for tests about what the statuses alone show. */
function withoutDetails(): GitOpsApi {
  const gitopsApi = mockGitOpsApi();
  gitopsApi.getApplication.mockReturnValue(new Promise(() => {}));
  return gitopsApi;
}

/** The cells of the matrix row whose header is `label`, one per environment. */
function factRow(label: string): HTMLElement[] {
  const header = screen.getByRole('rowheader', { name: label });
  const row = header.closest('[role="row"]') as HTMLElement;
  return within(row)
    .getAllByRole('gridcell')
    .filter(cell => cell !== header);
}

describe('EnvironmentMatrix', () => {
  it('puts the environments side by side with revision, sync, health and lag behind the first', async () => {
    renderMatrix(mockGitOpsApi());

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(
      (await screen.findAllByRole('columnheader')).map(h => h.textContent),
    ).toEqual(['Environment', 'dev', 'staging', 'prod']);
    const [dev, staging, prod] = factRow('Revision');
    expect(within(dev).getByRole('link', { name: 'aaaaaaa' })).toHaveAttribute(
      'href',
      'https://github.com/acme/fleet-config/commit/aaaaaaa111',
    );
    expect(staging).toHaveTextContent('bbbbbbb');
    expect(prod).toHaveTextContent('ccccccc');
    expect(factRow('Sync').map(cell => cell.textContent)).toEqual([
      'OutOfSync',
      'OutOfSync',
      'OutOfSync',
    ]);
    expect(factRow('Health').map(cell => cell.textContent)).toEqual([
      'Healthy',
      'Missing',
      'Missing',
    ]);
    expect(factRow('Behind dev').map(cell => cell.textContent)).toEqual([
      'Reference',
      '3h behind dev',
      '2d behind dev',
    ]);
  });

  it("shows each environment's images from its resources when the backend reports them", async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    gitopsApi.getApplication.mockImplementation(async name =>
      name === 'shop-api-dev'
        ? fixtures.devDetail
        : {
            ...fixtures.devDetail,
            resources: fixtures.devDetail.resources.map(r => ({
              ...r,
              drifts: [],
            })),
          },
    );
    renderMatrix(gitopsApi);

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(factRow('Images (Git)').map(cell => cell.textContent)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2',
      'as in Git',
      'as in Git',
    ]);
    expect(gitopsApi.getApplication).toHaveBeenCalledTimes(3);
  });

  it('shows the revision only when no image is known, or the details fail', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getApplication.mockRejectedValue(new Error('boom'));
    renderMatrix(gitopsApi);

    await waitFor(() =>
      expect(gitopsApi.getApplication).toHaveBeenCalledTimes(3),
    );
    expect(
      screen.queryByRole('rowheader', { name: 'Images (Git)' }),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/boom/)).not.toBeInTheDocument();
    expect(factRow('Revision')).toHaveLength(3);
  });

  it('promotes each environment from the one before it', async () => {
    renderMatrix(withoutDetails());

    const [dev, staging, prod] = factRow('Promote');
    expect(within(dev).queryByRole('link')).not.toBeInTheDocument();
    const toStaging = within(staging).getByRole('link', {
      name: 'Promote dev to staging',
    });
    expect(toStaging).toHaveTextContent('Promote from dev');
    const url = new URL(toStaging.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe('/gitops/changes/new');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      entity: 'component:default/shop-api',
      type: 'promote',
      from: 'shop-api-dev',
      to: 'shop-api-staging',
    });
    expect(
      within(prod).getByRole('link', { name: 'Promote staging to prod' }),
    ).toBeInTheDocument();
  });

  it('offers no promotion when the app has not mounted the change request page', async () => {
    renderMatrix(withoutDetails(), pipeline(), false);

    await screen.findByRole('rowheader', { name: 'Revision' });
    expect(
      screen.queryByRole('rowheader', { name: 'Promote' }),
    ).not.toBeInTheDocument();
  });
});
