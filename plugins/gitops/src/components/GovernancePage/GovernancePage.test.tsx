import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type {
  FleetItem,
  FleetResponse,
} from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { GovernancePage } from './GovernancePage';

// The page renders the fleet and, below it, delivery metrics, drift and the audit log: slow on small machines.
jest.setTimeout(30_000);

function renderPage(gitopsApi: GitOpsApi) {
  renderInTestApp(
    <GovernancePage>
      <div>a further section</div>
    </GovernancePage>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [[gitopsApiRef, gitopsApi]],
    },
  );
}

const fleetGrid = () =>
  within(
    screen
      .getByRole('heading', { name: 'Fleet' })
      .closest('.bui-Card') as HTMLElement,
  );

/** Application names of the rows shown, in order. */
function shownApplications(): string[] {
  return fleetGrid()
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getByText(/-(dev|staging|prod)$/).textContent!);
}

function rowOf(application: string): HTMLElement {
  return screen.getByText(application).closest('[role="row"]') as HTMLElement;
}

async function choose(
  user: ReturnType<typeof userEvent.setup>,
  filter: RegExp,
  option: string,
) {
  await user.click(screen.getByRole('button', { name: filter }));
  await user.click(await screen.findByRole('option', { name: option }));
}

/** `count` applications of as many entities, named app-000-prod and so on. */
function bigFleet(count: number): FleetResponse {
  const [template] = changeFixtures().fleet.items;
  const items: FleetItem[] = Array.from({ length: count }, (_, i) => {
    const name = `app-${String(i).padStart(3, '0')}`;
    return {
      ...template,
      application: {
        ...template.application,
        name: `${name}-prod`,
        environment: 'prod',
        entityRef: `component:default/${name}`,
      },
    };
  });
  return { items, totalItems: count };
}

describe('GovernancePage', () => {
  it('lists the fleet: entity, owner, environment, sync, health, drift and pending change requests', async () => {
    const gitopsApi = mockGitOpsApi();
    renderPage(gitopsApi);

    expect(
      await screen.findByRole('heading', { name: 'GitOps governance' }),
    ).toBeInTheDocument();
    await screen.findByText('shop-api-prod');
    expect(gitopsApi.getFleet).toHaveBeenCalledWith({
      limit: 500,
      cursor: undefined,
    });
    // Sorted by entity, then application name.
    expect(shownApplications()).toEqual([
      'ledger-prod',
      'shop-api-dev',
      'shop-api-prod',
      'shop-api-staging',
    ]);
    const dev = within(rowOf('shop-api-dev'));
    expect(dev.getByRole('link', { name: 'shop-api' })).toHaveAttribute(
      'href',
      '/catalog/default/component/shop-api',
    );
    expect(dev.getByText('group:default/team-shop')).toBeInTheDocument();
    expect(dev.getByText('dev')).toBeInTheDocument();
    expect(dev.getByText('OutOfSync')).toBeInTheDocument();
    expect(dev.getByText('Healthy')).toBeInTheDocument();
    expect(dev.getByText('2 fields drifted for 3m')).toBeInTheDocument();
    expect(
      within(rowOf('ledger-prod')).getByText('1 field drifted for 26h'),
    ).toBeInTheDocument();

    // cr-42 is an open PR on shop-api-prod; cr-41 has ended (healthy), so it is not pending.
    await waitFor(() =>
      expect(within(rowOf('shop-api-prod')).getByText('1')).toBeInTheDocument(),
    );
    expect(
      within(rowOf('shop-api-staging')).getByText('0'),
    ).toBeInTheDocument();
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledTimes(2);
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledWith({
      entityRef: 'component:default/shop-api',
      limit: 100,
    });
    expect(screen.getByText('a further section')).toBeInTheDocument();
  });

  it('shows delivery metrics, drift and the audit log below the fleet, then the further sections', async () => {
    const gitopsApi = mockGitOpsApi();
    renderPage(gitopsApi);

    await screen.findByText('shop-api-prod');
    await screen.findByRole('heading', { name: 'Deployment frequency' });
    await screen.findByText('Release 1.5.0 to prod');
    const headings = screen
      .getAllByRole('heading', { level: 3 })
      .map(heading => heading.textContent);
    expect(headings).toEqual([
      'Fleet',
      'Delivery metrics',
      'Drift over time',
      'Audit log',
    ]);
    const further = screen.getByText('a further section');
    const auditLog = screen.getByRole('heading', { name: 'Audit log' });
    expect(
      auditLog.compareDocumentPosition(further) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(gitopsApi.getDoraMetrics).toHaveBeenCalledTimes(1);
    expect(gitopsApi.getDriftMetrics).toHaveBeenCalledTimes(1);
    expect(gitopsApi.listAuditEntries).toHaveBeenCalledWith({ limit: 25 });
  });

  it('filters by owner, environment, sync and health', async () => {
    const user = userEvent.setup();
    renderPage(mockGitOpsApi());
    await screen.findByText('shop-api-prod');

    await choose(user, /Owner$/, 'group:default/team-finance');
    await waitFor(() => expect(shownApplications()).toEqual(['ledger-prod']));

    await choose(user, /Owner$/, 'All');
    await choose(user, /Environment$/, 'staging');
    await waitFor(() =>
      expect(shownApplications()).toEqual(['shop-api-staging']),
    );

    await choose(user, /Environment$/, 'All');
    await choose(user, /Sync$/, 'Synced');
    await waitFor(() => expect(shownApplications()).toEqual(['ledger-prod']));

    await choose(user, /Sync$/, 'All');
    await choose(user, /Health$/, 'Missing');
    await waitFor(() =>
      expect(shownApplications()).toEqual([
        'shop-api-prod',
        'shop-api-staging',
      ]),
    );

    await choose(user, /Health$/, 'Unknown');
    expect(
      await screen.findByText('No application matches these filters.'),
    ).toBeInTheDocument();
  });

  it('sorts health by severity, both ways', async () => {
    const user = userEvent.setup();
    renderPage(mockGitOpsApi());
    await screen.findByText('shop-api-prod');

    await user.click(screen.getByRole('columnheader', { name: /Health/ }));
    await waitFor(() =>
      expect(shownApplications()).toEqual([
        'shop-api-dev',
        'shop-api-staging',
        'shop-api-prod',
        'ledger-prod',
      ]),
    );

    await user.click(screen.getByRole('columnheader', { name: /Health/ }));
    await waitFor(() => expect(shownApplications()[0]).toBe('ledger-prod'));
  });

  it('pages through a large fleet, reading pending change requests only for the rows shown', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getFleet.mockResolvedValue(bigFleet(30));
    gitopsApi.listChangeRequests.mockResolvedValue({ items: [] });
    const user = userEvent.setup();
    renderPage(gitopsApi);
    await screen.findByText('app-000-prod');

    expect(shownApplications()).toHaveLength(25);
    await waitFor(() =>
      expect(gitopsApi.listChangeRequests).toHaveBeenCalledTimes(25),
    );

    await user.click(screen.getByRole('button', { name: /next/i }));

    await waitFor(() =>
      expect(shownApplications()).toEqual([
        'app-025-prod',
        'app-026-prod',
        'app-027-prod',
        'app-028-prod',
        'app-029-prod',
      ]),
    );
    await waitFor(() =>
      expect(gitopsApi.listChangeRequests).toHaveBeenCalledTimes(30),
    );
  });

  it('follows the fleet cursor until every application is read', async () => {
    const gitopsApi = mockGitOpsApi();
    const { fleet } = changeFixtures();
    gitopsApi.getFleet
      .mockResolvedValueOnce({
        items: fleet.items.slice(0, 2),
        totalItems: 4,
        nextCursor: 'p2',
      })
      .mockResolvedValueOnce({ items: fleet.items.slice(2), totalItems: 4 });
    renderPage(gitopsApi);

    await screen.findByText('ledger-prod');
    expect(shownApplications()).toHaveLength(4);
    expect(gitopsApi.getFleet).toHaveBeenLastCalledWith({
      limit: 500,
      cursor: 'p2',
    });
  });

  it('exports the filtered rows as CSV, pending counts included', async () => {
    const blobs: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:fleet';
    });
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    const user = userEvent.setup();
    renderPage(mockGitOpsApi());
    await screen.findByText('shop-api-prod');

    await choose(user, /Owner$/, 'group:default/team-shop');
    await waitFor(() => expect(shownApplications()).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(click).toHaveBeenCalled());
    const anchor = click.mock.contexts[0] as HTMLAnchorElement;
    expect(anchor.download).toBe('gitops-fleet.csv');
    const csv = await blobs[0].text();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'Entity,Owner,System,Environment,Application,Sync,Health,Drifted fields,Drift since,Pending change requests',
    );
    expect(lines.slice(1, -1).map(line => line.split(',')[4])).toEqual([
      'shop-api-dev',
      'shop-api-prod',
      'shop-api-staging',
    ]);
    expect(lines[2].endsWith(',1')).toBe(true);
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:fleet');
    click.mockRestore();
  });

  it('says so when no application is visible', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getFleet.mockResolvedValue({ items: [], totalItems: 0 });
    renderPage(gitopsApi);

    expect(
      await screen.findByText('No applications to show'),
    ).toBeInTheDocument();
  });

  it('shows progress while the fleet loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getFleet.mockReturnValue(new Promise(() => {}));
    renderPage(gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when the fleet cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getFleet.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'Not allowed to read the GitOps fleet',
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
    renderPage(gitopsApi);

    expect(
      await screen.findByText('Not allowed to read the GitOps fleet'),
    ).toBeInTheDocument();
  });
});
