import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { DriftOverTime } from './DriftOverTime';

function renderDrift(gitopsApi: GitOpsApi) {
  return renderInTestApp(<DriftOverTime />, {
    apis: [[gitopsApiRef, gitopsApi]],
  });
}

describe('DriftOverTime', () => {
  it('charts drifted and OutOfSync applications per day, with the latest day in words', async () => {
    const gitopsApi = mockGitOpsApi();
    renderDrift(gitopsApi);

    expect(
      await screen.findByText(
        'On 2026-11-03: 0 of 7 applications drifted, 1 OutOfSync. Most drift: 3 applications on 2026-11-02.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Applications drifted and OutOfSync per day: 2026-11-01 1 drifted, 2 OutOfSync; 2026-11-02 3 drifted, 3 OutOfSync; 2026-11-03 0 drifted, 1 OutOfSync',
      }),
    ).toBeInTheDocument();
    expect(gitopsApi.getDriftMetrics).toHaveBeenCalledWith({
      from: expect.any(String),
    });
  });

  it('shows progress while the days load', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDriftMetrics.mockReturnValue(new Promise(() => {}));
    renderDrift(gitopsApi);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('says so when no verdict was recorded in the range', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDriftMetrics.mockResolvedValue({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-03T00:00:00.000Z',
      days: [
        { date: '2026-11-01', applications: 0, drifted: 0, outOfSync: 0 },
        { date: '2026-11-02', applications: 0, drifted: 0, outOfSync: 0 },
      ],
    });
    renderDrift(gitopsApi);
    expect(
      await screen.findByText('No verdicts in this range'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('img', { name: /per day/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getDriftMetrics.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'InputError',
              message: 'Invalid query: the range may span at most 365 days',
            },
            response: { statusCode: 400 },
          }),
          {
            status: 400,
            statusText: 'Bad Request',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    renderDrift(gitopsApi);
    expect(
      await screen.findByText(
        'Invalid query: the range may span at most 365 days',
      ),
    ).toBeInTheDocument();
  });
});
