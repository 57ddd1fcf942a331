import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { metricsFixtures } from '../../__testUtils__/metricsFixtures';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { DeliveryMetrics } from './DeliveryMetrics';

jest.setTimeout(20_000);

function renderMetrics(gitopsApi: GitOpsApi, entityRef?: string) {
  return renderInTestApp(<DeliveryMetrics entityRef={entityRef} />, {
    apis: [[gitopsApiRef, gitopsApi]],
  });
}

const card = (title: string) =>
  within(
    screen
      .getByRole('heading', { name: title })
      .closest('.bui-Card') as HTMLElement,
  );

async function notAllowed() {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed to read GitOps data of the whole fleet',
        },
        response: { statusCode: 403 },
      }),
      {
        status: 403,
        statusText: 'Forbidden',
        headers: { 'Content-Type': 'application/json' },
      },
    ),
  );
}

describe('DeliveryMetrics', () => {
  it('shows the four DORA figures as cards, each with its trend', async () => {
    const gitopsApi = mockGitOpsApi();
    const before = Date.now();
    renderMetrics(gitopsApi);

    await screen.findByRole('heading', { name: 'Deployment frequency' });
    expect(
      card('Deployment frequency').getByText('4 per day'),
    ).toBeInTheDocument();
    expect(
      card('Deployment frequency').getByText(
        '12 deployments: 10 from the verdict history, 2 from change requests',
      ),
    ).toBeInTheDocument();
    expect(
      card('Lead time for changes').getByText('1m 35s median'),
    ).toBeInTheDocument();
    expect(
      card('Lead time for changes').getByText(
        'Merge to synced, 5 change requests; p90 10m',
      ),
    ).toBeInTheDocument();
    expect(
      card('Lead time for changes').getByText(
        'Commit to synced: 1h 30m median over 2 deployments',
      ),
    ).toBeInTheDocument();
    expect(card('Change failure rate').getByText('25%')).toBeInTheDocument();
    expect(
      card('Change failure rate').getByText('3 of 12 deployments failed'),
    ).toBeInTheDocument();
    expect(card('Time to restore').getByText('2h median')).toBeInTheDocument();
    expect(
      card('Time to restore').getByText('1 application is still not Healthy'),
    ).toBeInTheDocument();

    // Each trend is described in words for screen readers.
    expect(
      screen.getByRole('img', {
        name: 'Deployments per day: 2026-11-01 5, 2026-11-02 4, 2026-11-03 3',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Median merge to synced per day: 2026-11-01 1m, 2026-11-02 –, 2026-11-03 2m',
      }),
    ).toBeInTheDocument();

    // recharts draws with React 18 here: one bar per day of deployments, and of failures where there were any.
    const deployments = screen.getByRole('img', { name: /^Deployments per day/ });
    expect(deployments.querySelectorAll('.recharts-bar-rectangle path')).toHaveLength(3);
    const failures = screen.getByRole('img', { name: /^Failed deployments per day/ });
    expect(failures.querySelectorAll('.recharts-bar-rectangle path')).toHaveLength(2);
    expect(
      screen
        .getByRole('img', { name: /^Median time to restore/ })
        .querySelectorAll('.recharts-line-curve'),
    ).toHaveLength(1);

    // The last 30 days, fleet-wide.
    const [query] = gitopsApi.getDoraMetrics.mock.calls[0];
    expect(Object.keys(query!)).toEqual(['from']);
    const from = Date.parse(query!.from!);
    expect(from).toBeGreaterThanOrEqual(before - 30 * 86_400_000);
    expect(from).toBeLessThanOrEqual(Date.now() - 30 * 86_400_000);
  });

  it('reads one entity when given one, and another range when chosen', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderMetrics(gitopsApi, 'component:default/shop-api');
    await screen.findByRole('heading', { name: 'Deployment frequency' });
    expect(gitopsApi.getDoraMetrics).toHaveBeenLastCalledWith(
      expect.objectContaining({ entityRef: 'component:default/shop-api' }),
    );

    await user.click(
      screen.getByRole('button', { name: /Delivery metrics range/ }),
    );
    await user.click(
      await screen.findByRole('option', { name: 'Last 7 days' }),
    );
    await waitFor(() =>
      expect(gitopsApi.getDoraMetrics).toHaveBeenCalledTimes(2),
    );
    const from = Date.parse(gitopsApi.getDoraMetrics.mock.calls[1][0]!.from!);
    expect(Math.round((Date.now() - from) / 86_400_000)).toBe(7);
  });

  it('shows progress while the figures load', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDoraMetrics.mockReturnValue(new Promise(() => {}));
    renderMetrics(gitopsApi);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('says so when nothing was deployed in the range', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDoraMetrics.mockResolvedValue(metricsFixtures().emptyDora);
    renderMetrics(gitopsApi);
    expect(
      await screen.findByText('No deployments in this range'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'Deployment frequency' }),
    ).not.toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDoraMetrics.mockRejectedValue(await notAllowed());
    renderMetrics(gitopsApi);
    expect(
      await screen.findByText(
        'Not allowed to read GitOps data of the whole fleet',
      ),
    ).toBeInTheDocument();
  });
});
