import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { SyncHistoryList } from './SyncHistoryList';

/** The list with a button standing in for what refreshes it (a signal, a "Sync now"). */
function Harness() {
  const [refreshKey, setRefreshKey] = useState(0);
  return (
    <>
      <button type="button" onClick={() => setRefreshKey(key => key + 1)}>
        refresh
      </button>
      <SyncHistoryList
        application="shop-api-dev"
        refreshKey={refreshKey}
        now={Date.now()}
      />
    </>
  );
}

function renderList(gitopsApi: GitOpsApi) {
  renderInTestApp(<Harness />, { apis: [[gitopsApiRef, gitopsApi]] });
}

const runs = () =>
  within(screen.getByRole('grid', { name: 'Syncs of shop-api-dev' }))
    .getAllByRole('row')
    .map(row => row.textContent);

describe('SyncHistoryList', () => {
  it('lists syncs newest first: result, trigger, revision, failures and why', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns.mockResolvedValue(changeFixtures().syncs);
    renderList(gitopsApi);

    await screen.findByRole('grid', { name: 'Syncs of shop-api-dev' });
    const [running, failed] = runs();
    expect(running).toContain('Running');
    expect(running).toContain(
      'manual by user:default/alice · revision 3f9c2e7',
    );
    expect(running).toContain('2m ago');
    expect(failed).toContain('Failed');
    expect(failed).toContain(
      'self-heal · revision 3f9c2e7 · took 1m · Deployment shop-api failed: admission webhook denied the request · deny window: Fridays from 16:00',
    );
    expect(gitopsApi.listSyncRuns).toHaveBeenCalledWith('shop-api-dev', {
      limit: 10,
    });
  });

  it('loads older syncs with the cursor', async () => {
    const { syncs } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns.mockResolvedValueOnce(syncs).mockResolvedValueOnce({
      items: [
        {
          ...syncs.items[1],
          id: 'sync-1',
          trigger: 'automated',
          result: 'succeeded',
          message: undefined,
          resources: [],
        },
      ],
    });
    const user = userEvent.setup();
    renderList(gitopsApi);

    await user.click(
      await screen.findByRole('button', { name: 'Load more syncs' }),
    );

    await waitFor(() => expect(runs()).toHaveLength(3));
    expect(runs()[2]).toContain('Succeeded');
    expect(gitopsApi.listSyncRuns).toHaveBeenLastCalledWith('shop-api-dev', {
      limit: 10,
      cursor: 'syncs-after-40m',
    });
  });

  it('reads the first page again on refresh, so a running sync shows how it ended', async () => {
    const { syncs } = changeFixtures();
    const [running, failed] = syncs.items;
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns
      .mockResolvedValueOnce({ items: [running, failed] })
      .mockResolvedValueOnce({
        items: [
          {
            ...running,
            result: 'succeeded',
            finishedAt: new Date().toISOString(),
          },
          failed,
        ],
      });
    const user = userEvent.setup();
    renderList(gitopsApi);
    await screen.findByText('Running');

    await user.click(screen.getByRole('button', { name: 'refresh' }));

    expect(await screen.findByText('Succeeded')).toBeInTheDocument();
    expect(screen.queryByText('Running')).not.toBeInTheDocument();
    expect(runs()).toHaveLength(2);
  });

  it('says so when no sync has run', async () => {
    renderList(mockGitOpsApi());

    expect(await screen.findByText('No sync has run yet.')).toBeInTheDocument();
  });

  it('shows progress while syncs load', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns.mockReturnValue(new Promise(() => {}));
    renderList(gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when syncs cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listSyncRuns.mockRejectedValue(
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
    renderList(gitopsApi);

    expect(
      await screen.findByText('No application named shop-api-dev'),
    ).toBeInTheDocument();
  });
});
