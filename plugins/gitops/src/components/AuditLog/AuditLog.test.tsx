import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeRequestsRouteRef } from '../../routes';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { AuditLog } from './AuditLog';

jest.setTimeout(20_000);

function renderLog(gitopsApi: GitOpsApi, entityRef?: string) {
  return renderInTestApp(<AuditLog entityRef={entityRef} />, {
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': entityRouteRef,
      '/gitops/changes': changeRequestsRouteRef,
    },
    apis: [[gitopsApiRef, gitopsApi]],
  });
}

/** The text of each body row's cells. */
function rows(): string[][] {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent ?? ''),
    );
}

describe('AuditLog', () => {
  it('lists who did what, newest first, with links to the change request and the entity', async () => {
    const gitopsApi = mockGitOpsApi();
    renderLog(gitopsApi);

    await screen.findByText('Release 1.5.0 to prod');
    expect(rows().map(cells => cells.slice(1))).toEqual([
      ['carol', 'Synced', 'shop-api-prod at 0123456 (succeeded)', 'shop-api'],
      ['bob', 'Approved', 'Release 1.5.0 to prod', 'shop-api'],
    ]);
    expect(
      screen.getByRole('link', { name: 'Release 1.5.0 to prod' }),
    ).toHaveAttribute('href', '/gitops/changes/cr-42');
    expect(
      screen.getAllByRole('link', { name: 'shop-api' })[0],
    ).toHaveAttribute('href', '/catalog/default/component/shop-api');
    expect(gitopsApi.listAuditEntries).toHaveBeenCalledWith({ limit: 25 });
  });

  it('pages older and back newer along the cursors', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderLog(gitopsApi, 'component:default/shop-api');
    await screen.findByText('Release 1.5.0 to prod');
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0].slice(1, 3)).toEqual(['alice', 'Requested']);
    expect(gitopsApi.listAuditEntries).toHaveBeenLastCalledWith({
      limit: 25,
      cursor: 'page-2',
      entityRef: 'component:default/shop-api',
    });
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Newer' }));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(gitopsApi.listAuditEntries).toHaveBeenLastCalledWith({
      limit: 25,
      entityRef: 'component:default/shop-api',
    });
  });

  it('filters by actor, from the first page', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderLog(gitopsApi);
    await screen.findByText('Release 1.5.0 to prod');

    gitopsApi.listAuditEntries.mockResolvedValue({ items: [] });
    await user.type(
      screen.getByRole('searchbox', { name: 'Filter by actor' }),
      'user:default/zoe{Enter}',
    );
    expect(
      await screen.findByText('Nothing done by user:default/zoe is recorded.'),
    ).toBeInTheDocument();
    expect(gitopsApi.listAuditEntries).toHaveBeenLastCalledWith({
      limit: 25,
      actor: 'user:default/zoe',
    });
  });

  it('says so when nothing is recorded yet', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listAuditEntries.mockResolvedValue({ items: [] });
    renderLog(gitopsApi);
    expect(await screen.findByText('Nothing recorded yet')).toBeInTheDocument();
  });

  it('shows progress while a page loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listAuditEntries.mockReturnValue(new Promise(() => {}));
    renderLog(gitopsApi);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.listAuditEntries.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message:
                'Not allowed to read GitOps data of the whole fleet; filter by entityRef',
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
    renderLog(gitopsApi);
    expect(
      await screen.findByText(
        'Not allowed to read GitOps data of the whole fleet; filter by entityRef',
      ),
    ).toBeInTheDocument();
  });
});
