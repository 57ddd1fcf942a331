import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { GITOPS_CHANGE_SIGNAL_CHANNEL } from '@backstage-gitops/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeRequestsRouteRef } from '../../routes';
import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { MockSignalApi } from '../../__testUtils__/MockSignalApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { EntityChangeRequests } from './EntityChangeRequests';

function renderList(gitopsApi: GitOpsApi, signals = new MockSignalApi()) {
  renderInTestApp(
    <EntityChangeRequests
      entityRef="component:default/shop-api"
      now={Date.now()}
    />,
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

function rowOf(title: string): HTMLElement {
  return screen.getByText(title).closest('[role="row"]') as HTMLElement;
}

describe('EntityChangeRequests', () => {
  it("lists the entity's change requests with state chips, linked to their pages", async () => {
    const gitopsApi = mockGitOpsApi();
    renderList(gitopsApi);

    const open = within(
      await screen
        .findByText('shop-api: image 1.5.0 in prod')
        .then(() => rowOf('shop-api: image 1.5.0 in prod')),
    );
    expect(open.getByRole('link')).toHaveAttribute(
      'href',
      '/gitops/changes/cr-42',
    );
    expect(open.getByText('PR open')).toBeInTheDocument();
    expect(open.getByText('prod')).toBeInTheDocument();
    expect(open.getByText('user:default/alice')).toBeInTheDocument();
    expect(open.getByText('20m ago')).toBeInTheDocument();
    const merged = within(rowOf('shop-api: 3 replicas in staging'));
    expect(merged.getByText('Healthy')).toBeInTheDocument();
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledWith({
      entityRef: 'component:default/shop-api',
      limit: 10,
    });
    const create = screen.getByRole('link', { name: 'New change request' });
    expect(create).toHaveAttribute(
      'href',
      '/gitops/changes/new?entity=component%3Adefault%2Fshop-api',
    );
  });

  it('moves a request live when a signal about the entity arrives, and ignores other entities', async () => {
    const { prOpen, merged } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listChangeRequests
      .mockResolvedValueOnce({ items: [prOpen, merged] })
      .mockResolvedValueOnce({
        items: [{ ...prOpen, state: 'merged' }, merged],
      });
    const signals = renderList(gitopsApi);
    await screen.findByText('PR open');

    signals.publish(GITOPS_CHANGE_SIGNAL_CHANNEL, {
      id: 'cr-7',
      entityRef: 'component:default/ledger',
      state: 'merged',
    });
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledTimes(1);

    signals.publish(GITOPS_CHANGE_SIGNAL_CHANNEL, {
      id: 'cr-42',
      entityRef: 'Component:default/shop-api',
      state: 'merged',
    });

    expect(
      await within(rowOf('shop-api: image 1.5.0 in prod')).findByText('Merged'),
    ).toBeInTheDocument();
    expect(screen.queryByText('PR open')).not.toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(3);
  });

  it('loads older change requests with the cursor', async () => {
    const { prOpen, merged, rejected } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listChangeRequests
      .mockResolvedValueOnce({ items: [prOpen, merged], nextCursor: 'c2' })
      .mockResolvedValueOnce({ items: [rejected] });
    const user = userEvent.setup();
    renderList(gitopsApi);

    await user.click(
      await screen.findByRole('button', { name: 'Load more change requests' }),
    );

    expect(
      await screen.findByText('shop-api: privileged debug container'),
    ).toBeInTheDocument();
    expect(gitopsApi.listChangeRequests).toHaveBeenLastCalledWith({
      entityRef: 'component:default/shop-api',
      limit: 10,
      cursor: 'c2',
    });
    expect(
      screen.queryByRole('button', { name: 'Load more change requests' }),
    ).not.toBeInTheDocument();
  });

  it('says so when the entity has no change requests', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listChangeRequests.mockResolvedValue({ items: [] });
    renderList(gitopsApi);

    expect(
      await screen.findByText(/No change requests yet/),
    ).toBeInTheDocument();
  });

  it('shows progress while they load', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listChangeRequests.mockReturnValue(new Promise(() => {}));
    renderList(gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when they cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listChangeRequests.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message:
                'Not allowed to read the change requests of component:default/shop-api',
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
    renderList(gitopsApi);

    expect(
      await screen.findByText(
        'Not allowed to read the change requests of component:default/shop-api',
      ),
    ).toBeInTheDocument();
  });
});
