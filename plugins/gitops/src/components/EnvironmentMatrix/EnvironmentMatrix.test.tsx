import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ApplicationDetailResponse,
  ApplicationStatus,
} from '@backstage-gitops/plugin-gitops-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
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

/** Lets the details' promises settle and React render what they gave. */
function settled(): Promise<void> {
  return act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
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

  it("shows which image runs where: Git's image per environment, and the live one where it differs", async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    const [deployment, ...rest] = fixtures.devDetail.resources;
    const declaring = (image: string): ApplicationDetailResponse => ({
      ...fixtures.devDetail,
      resources: [
        {
          ...deployment,
          images: [{ container: 'web', image }],
          drifts: [],
        },
        ...rest,
      ],
    });
    gitopsApi.getApplication.mockImplementation(async name => {
      if (name === 'shop-api-dev') return fixtures.devDetail;
      return declaring(
        name === 'shop-api-staging'
          ? 'ghcr.io/acme/shop-api:1.4.2'
          : 'ghcr.io/acme/shop-api:1.3.0',
      );
    });
    renderMatrix(gitopsApi);

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(factRow('Images (Git)').map(cell => cell.textContent)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2 (live: ghcr.io/acme/shop-api:9.9.9)',
      'web: ghcr.io/acme/shop-api:1.4.2',
      'web: ghcr.io/acme/shop-api:1.3.0',
    ]);
    expect(gitopsApi.getApplication).toHaveBeenCalledTimes(3);
  });

  it('never shows a Secret-marked value, even one on an image path', async () => {
    const fixtures = shopApiFixtures();
    const [deployment, ...rest] = fixtures.devDetail.resources;
    fixtures.devDetail.resources = [
      {
        ...deployment,
        drifts: [
          {
            ...deployment.drifts[0],
            sensitive: true,
            desired: 's3cr3t-from-git',
            live: 's3cr3t-in-cluster',
          },
        ],
      },
      ...rest,
    ];
    renderMatrix(mockGitOpsApi(fixtures));

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(factRow('Images (Git)').map(cell => cell.textContent)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2',
      'web: ghcr.io/acme/shop-api:1.4.2',
      'web: ghcr.io/acme/shop-api:1.4.2',
    ]);
    expect(screen.queryByText(/s3cr3t/)).not.toBeInTheDocument();
  });

  it('says which environment declares no images and which detail could not be read', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    gitopsApi.getApplication.mockImplementation(async name => {
      if (name === 'shop-api-dev') return fixtures.devDetail;
      if (name === 'shop-api-prod') throw new Error('boom');
      return {
        ...fixtures.devDetail,
        resources: fixtures.devDetail.resources.map(
          ({ images: _images, ...r }) => ({ ...r, drifts: [] }),
        ),
      };
    });
    renderMatrix(gitopsApi);

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(factRow('Images (Git)').map(cell => cell.textContent)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2 (live: ghcr.io/acme/shop-api:9.9.9)',
      'No images',
      'Not available',
    ]);
    expect(screen.queryByText(/boom/)).not.toBeInTheDocument();
  });

  it('reads the images again when an environment drifts, so the live image shown stays current', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    const [deployment, ...rest] = fixtures.devDetail.resources;
    const inSync: ApplicationDetailResponse = {
      ...fixtures.devDetail,
      resources: [{ ...deployment, drifts: [] }, ...rest],
    };
    gitopsApi.getApplication.mockResolvedValue(inSync);
    function Drifting() {
      const [applications, setApplications] = useState(pipeline());
      return (
        <>
          <button
            onClick={() => {
              gitopsApi.getApplication.mockImplementation(async name =>
                name === 'shop-api-dev' ? fixtures.devDetail : inSync,
              );
              setApplications(list =>
                list.map((status, index) =>
                  index === 0 ? { ...status, driftCount: 3 } : status,
                ),
              );
            }}
          >
            kubectl set image
          </button>
          <EnvironmentMatrix
            entityRef="component:default/shop-api"
            applications={applications}
          />
        </>
      );
    }
    await renderInTestApp(<Drifting />, {
      mountedRoutes: { '/gitops/changes': changeRequestsRouteRef },
      apis: [[gitopsApiRef, gitopsApi]],
    });

    await screen.findByRole('rowheader', { name: 'Images (Git)' });
    expect(factRow('Images (Git)')[0]).toHaveTextContent(
      /^web: ghcr\.io\/acme\/shop-api:1\.4\.2$/,
    );
    await userEvent
      .setup()
      .click(screen.getByRole('button', { name: 'kubectl set image' }));
    await waitFor(() =>
      expect(factRow('Images (Git)')[0]).toHaveTextContent(
        'web: ghcr.io/acme/shop-api:1.4.2 (live: ghcr.io/acme/shop-api:9.9.9)',
      ),
    );
    expect(gitopsApi.getApplication).toHaveBeenCalledTimes(6);
  });

  it('shows no images row while the details load', async () => {
    renderMatrix(withoutDetails());
    await screen.findByRole('rowheader', { name: 'Revision' });
    expect(
      screen.queryByRole('rowheader', { name: 'Images (Git)' }),
    ).not.toBeInTheDocument();
    expect(factRow('Revision')).toHaveLength(3);
  });

  it('shows no images row when no environment declares an image', async () => {
    const fixtures = shopApiFixtures();
    const gitopsApi = mockGitOpsApi(fixtures);
    gitopsApi.getApplication.mockResolvedValue({
      ...fixtures.devDetail,
      resources: fixtures.devDetail.resources.map(
        ({ images: _images, ...r }) => ({ ...r, drifts: [] }),
      ),
    });
    renderMatrix(gitopsApi);

    await waitFor(() =>
      expect(gitopsApi.getApplication).toHaveBeenCalledTimes(3),
    );
    await settled();
    expect(factRow('Revision')).toHaveLength(3);
    expect(
      screen.queryByRole('rowheader', { name: 'Images (Git)' }),
    ).not.toBeInTheDocument();
  });

  it('shows the revision only when the details fail', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getApplication.mockRejectedValue(new Error('boom'));
    renderMatrix(gitopsApi);

    await waitFor(() =>
      expect(gitopsApi.getApplication).toHaveBeenCalledTimes(3),
    );
    await settled();
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
