import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type {
  CheckState,
  PullRequestHandle,
  PullRequestProposal,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GithubScmProvider } from './GithubScmProvider';
import {
  FakeGithub,
  error as githubError,
  githubHeaders,
  type FakeCheckRun,
  type FakeStatus,
} from './github/__testUtils__/FakeGithub';

const TOKEN = 'ghp_s3cretT0kenThatMustNeverLeak';
const VALUES = 'apps/shop/overlays/prod/values.yaml';
const OLD = 'apps/shop/overlays/prod/old-patch.yaml';
const NEW = 'apps/shop/overlays/prod/hpa.yaml';

const server = setupServer();
registerMswTestHooks(server);

const repository: ScmRepository = {
  id: 'platform',
  url: 'https://github.com/acme/config.git',
  branch: 'main',
};

function capturingLogger() {
  const lines: string[] = [];
  const log = (message: string, meta?: unknown) =>
    lines.push(`${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
  const logger = {
    lines,
    error: log,
    warn: log,
    info: log,
    debug: log,
    child: () => logger,
  };
  return logger;
}

function setup(
  options: {
    integrations?: object;
    fake?: FakeGithub;
    maxRetryWaitMs?: number;
  } = {},
) {
  const github = options.fake ?? new FakeGithub();
  const baseSha = github.commitFiles(
    {
      [VALUES]: 'image:\n  tag: 1.4.0\n',
      [OLD]: 'kind: Patch\n',
      'README.md': '# config\n',
    },
    { branch: 'main' },
  );
  server.use(...github.handlers());
  const logger = capturingLogger();
  const sleep = jest.fn(async (_ms: number) => {});
  const provider = GithubScmProvider.fromConfig(
    new ConfigReader({
      integrations: options.integrations ?? {
        github: [{ host: 'github.com', token: TOKEN }],
      },
    }),
    {
      logger: logger as any,
      sleep,
      maxRetryWaitMs: options.maxRetryWaitMs,
    },
  );
  const proposal: PullRequestProposal = {
    repository,
    baseSha,
    branch: 'gitops/cr-7f3a',
    title: 'shop-api-prod: image 1.5.0',
    body: 'Requested by `user:default/alice` in Backstage.',
    commitMessage: 'shop-api-prod: image 1.5.0\n\nChange request cr-7f3a',
    author: { name: 'Alice Doe', email: 'alice@example.com' },
    files: [
      { path: VALUES, content: 'image:\n  tag: 1.5.0\n' },
      { path: NEW, content: 'kind: HorizontalPodAutoscaler\n' },
      { path: OLD, content: null },
    ],
    labels: ['gitops', 'env:prod'],
    reviewers: ['alice', 'acme/platform'],
  };
  return { github, provider, logger, sleep, baseSha, proposal };
}

function handleOf(
  github: FakeGithub,
  number: number,
  branch = 'gitops/cr-7f3a',
): PullRequestHandle {
  return {
    id: String(number),
    branch,
    headSha: github.refs.get(`heads/${branch}`)!,
  };
}

describe('GithubScmProvider', () => {
  describe('supports', () => {
    it('serves https and ssh remotes on configured GitHub hosts only', () => {
      const { provider } = setup({
        integrations: {
          github: [
            { host: 'github.com', token: TOKEN },
            {
              host: 'ghe.example.com',
              apiBaseUrl: 'https://ghe.example.com/api/v3',
              token: TOKEN,
            },
          ],
        },
      });
      const supports = (url: string) =>
        provider.supports({ id: 'r', url, branch: 'main' });
      expect(supports('https://github.com/acme/config.git')).toBe(true);
      expect(supports('https://github.com/acme/config')).toBe(true);
      expect(supports('git@github.com:acme/config.git')).toBe(true);
      expect(supports('ssh://git@github.com/acme/config.git')).toBe(true);
      expect(supports('git@ghe.example.com:acme/config.git')).toBe(true);
      expect(supports('https://gitlab.com/acme/config.git')).toBe(false);
      expect(supports('https://github.com/acme/config/extra')).toBe(false);
      expect(supports('file:///srv/git/config')).toBe(false);
      expect(supports('/srv/git/config')).toBe(false);
    });
  });

  describe('openPullRequest', () => {
    it('commits the files on the base commit, pushes the branch and opens a labelled pull request', async () => {
      const { github, provider, baseSha, proposal } = setup();

      const handle = await provider.openPullRequest(proposal);

      const blobs = github.requestsTo('POST', '/repos/acme/config/git/blobs');
      expect(blobs.map(r => r.body)).toEqual([
        {
          content: Buffer.from('image:\n  tag: 1.5.0\n').toString('base64'),
          encoding: 'base64',
        },
        {
          content: Buffer.from('kind: HorizontalPodAutoscaler\n').toString(
            'base64',
          ),
          encoding: 'base64',
        },
      ]);
      const [tree] = github.requestsTo('POST', '/repos/acme/config/git/trees');
      expect(tree.body).toEqual({
        base_tree: github.commit(baseSha).tree,
        tree: [
          {
            path: VALUES,
            mode: '100644',
            type: 'blob',
            sha: expect.any(String),
          },
          { path: NEW, mode: '100644', type: 'blob', sha: expect.any(String) },
          { path: OLD, mode: '100644', type: 'blob', sha: null },
        ],
      });
      const [commit] = github.requestsTo(
        'POST',
        '/repos/acme/config/git/commits',
      );
      expect(commit.body).toEqual({
        message: proposal.commitMessage,
        tree: expect.any(String),
        parents: [baseSha],
        author: { name: 'Alice Doe', email: 'alice@example.com' },
      });
      const [ref] = github.requestsTo('POST', '/repos/acme/config/git/refs');
      expect(ref.body).toEqual({
        ref: 'refs/heads/gitops/cr-7f3a',
        sha: expect.any(String),
      });
      const [pull] = github.requestsTo('POST', '/repos/acme/config/pulls');
      expect(pull.body).toEqual({
        title: proposal.title,
        body: proposal.body,
        head: 'gitops/cr-7f3a',
        base: 'main',
      });
      const [labels] = github.requestsTo(
        'POST',
        '/repos/acme/config/issues/41/labels',
      );
      expect(labels.body).toEqual({ labels: ['gitops', 'env:prod'] });
      const [reviewers] = github.requestsTo(
        'POST',
        '/repos/acme/config/pulls/41/requested_reviewers',
      );
      expect(reviewers.body).toEqual({
        reviewers: ['alice'],
        team_reviewers: ['platform'],
      });
      expect(
        github.requests.every(
          r => r.headers.get('authorization') === `token ${TOKEN}`,
        ),
      ).toBe(true);

      expect(handle).toEqual({
        id: '41',
        url: 'https://github.com/acme/config/pull/41',
        branch: 'gitops/cr-7f3a',
        headSha: ref.body.sha,
      });
      expect(github.commit(handle.headSha).parents).toEqual([baseSha]);
      expect(github.filesAt('gitops/cr-7f3a')).toEqual({
        [VALUES]: 'image:\n  tag: 1.5.0\n',
        [NEW]: 'kind: HorizontalPodAutoscaler\n',
        'README.md': '# config\n',
      });
      expect(github.pulls[0]).toMatchObject({
        labels: ['gitops', 'env:prod'],
        requestedReviewers: ['alice'],
        requestedTeams: ['platform'],
      });
    });

    it('reuses the branch an interrupted attempt pushed when it holds the same files', async () => {
      const { github, provider, proposal } = setup();
      server.use(
        http.post(
          github.url('/pulls'),
          () =>
            githubError(
              403,
              'Resource not accessible by integration',
              'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
            ),
          { once: true },
        ),
      );
      await expect(provider.openPullRequest(proposal)).rejects.toMatchObject({
        name: 'NotAllowedError',
      });
      const firstHead = github.refs.get('heads/gitops/cr-7f3a')!;

      const handle = await provider.openPullRequest(proposal);

      expect(handle.headSha).toBe(firstHead);
      expect(github.refs.get('heads/gitops/cr-7f3a')).toBe(firstHead);
      expect(github.pulls).toHaveLength(1);
      expect(github.pulls[0].headSha).toBe(firstHead);
      expect(
        github.requestsTo(
          'GET',
          '/repos/acme/config/git/ref/heads/gitops/cr-7f3a',
        ),
      ).toHaveLength(1);
    });

    it('returns the open pull request when a retried submit finds one for the branch', async () => {
      const { github, provider, proposal } = setup();
      const first = await provider.openPullRequest(proposal);

      const second = await provider.openPullRequest(proposal);

      expect(second).toEqual(first);
      expect(github.pulls).toHaveLength(1);
      const lists = github.requestsTo('GET', '/repos/acme/config/pulls');
      expect(lists.map(r => r.query)).toEqual([
        { head: 'acme:gitops/cr-7f3a', state: 'all', per_page: '100' },
      ]);
    });

    it('refuses a branch that already exists with other content', async () => {
      const { github, provider, baseSha, proposal } = setup();
      const foreign = github.commitFiles(
        { [VALUES]: 'image:\n  tag: 9.9.9\n' },
        { parent: baseSha, branch: 'gitops/cr-7f3a' },
      );

      const attempt = provider.openPullRequest(proposal);

      await expect(attempt).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(attempt).rejects.toThrow(
        `Branch "gitops/cr-7f3a" already exists on acme/config at ${foreign}`,
      );
      expect(github.refs.get('heads/gitops/cr-7f3a')).toBe(foreign);
      expect(github.pulls).toHaveLength(0);
    });

    it('logs, and survives, labels and reviewers GitHub refuses', async () => {
      const { github, provider, logger, proposal } = setup();

      const handle = await provider.openPullRequest({
        ...proposal,
        reviewers: ['mallory'],
      });

      expect(handle.id).toBe('41');
      expect(github.pulls[0].requestedReviewers).toEqual([]);
      expect(logger.lines).toContainEqual(
        expect.stringContaining(
          'Could not request reviews from mallory on pull request #41 of acme/config: GitHub answered 422 Reviews may only be requested from collaborators',
        ),
      );
    });

    it('reports a base commit GitHub does not have as NotFoundError', async () => {
      const { provider, proposal } = setup();

      const attempt = provider.openPullRequest({
        ...proposal,
        baseSha: 'deadbeef'.repeat(5),
      });

      await expect(attempt).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(attempt).rejects.toThrow(
        `Base commit ${'deadbeef'.repeat(
          5,
        )} of "gitops/cr-7f3a" is not in acme/config`,
      );
    });

    it('rejects an invalid head branch before calling GitHub', async () => {
      const { github, provider, proposal } = setup();

      await expect(
        provider.openPullRequest({ ...proposal, branch: 'gitops/cr..7f3a' }),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(github.requests).toHaveLength(0);
    });
  });

  describe('rate limits and outages', () => {
    it('waits as long as retry-after says on a secondary rate limit, then succeeds', async () => {
      const { github, provider, sleep, proposal } = setup();
      server.use(
        http.post(
          github.url('/pulls'),
          () =>
            githubError(
              403,
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
              { headers: { 'retry-after': '7' } },
            ),
          { once: true },
        ),
      );

      const handle = await provider.openPullRequest(proposal);

      expect(handle.id).toBe('41');
      expect(sleep).toHaveBeenCalledTimes(1);
      expect(sleep).toHaveBeenCalledWith(7000);
    });

    it('waits for x-ratelimit-reset when the primary rate limit is spent', async () => {
      const { github, provider, sleep, proposal } = setup();
      server.use(
        http.get(
          github.url('/git/commits/:sha'),
          () =>
            githubError(
              403,
              'API rate limit exceeded for installation ID 4242.',
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
              {
                headers: {
                  'x-ratelimit-remaining': '0',
                  'x-ratelimit-reset': String(
                    Math.floor(Date.now() / 1000) + 20,
                  ),
                },
              },
            ),
          { once: true },
        ),
      );

      await provider.openPullRequest(proposal);

      expect(sleep).toHaveBeenCalledTimes(1);
      const [[waited]] = sleep.mock.calls;
      expect(waited).toBeGreaterThan(15_000);
      expect(waited).toBeLessThanOrEqual(22_000);
    });

    it('gives up after three attempts with ServiceUnavailableError', async () => {
      const { github, provider, sleep, proposal } = setup();
      let attempts = 0;
      server.use(
        http.post(github.url('/pulls'), () => {
          attempts++;
          return githubError(
            429,
            'You have exceeded a secondary rate limit.',
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            { headers: { 'retry-after': '1' } },
          );
        }),
      );

      const attempt = provider.openPullRequest(proposal);

      await expect(attempt).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
      });
      await expect(attempt).rejects.toThrow(
        /^Could not open a pull request from "gitops\/cr-7f3a" into "main" on acme\/config: GitHub rate limit exceeded on POST \/repos\/\{owner\}\/\{repo\}\/pulls after 3 attempts; retry after /,
      );
      expect(attempts).toBe(3);
      expect(sleep.mock.calls).toEqual([[1000], [1000]]);
    });

    it('fails at once when the rate limit resets later than it is willing to wait', async () => {
      const { github, provider, sleep, proposal } = setup();
      const reset = Math.floor(Date.now() / 1000) + 3600;
      server.use(
        http.get(github.url('/git/commits/:sha'), () =>
          githubError(
            403,
            'API rate limit exceeded for user ID 1.',
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            {
              headers: {
                'x-ratelimit-remaining': '0',
                'x-ratelimit-reset': String(reset),
              },
            },
          ),
        ),
      );

      await expect(provider.openPullRequest(proposal)).rejects.toThrow(
        `retry after ${new Date((reset + 1) * 1000)
          .toISOString()
          .slice(0, 16)}`,
      );
      expect(sleep).not.toHaveBeenCalled();
    });

    it('retries 5xx answers with backoff and then succeeds', async () => {
      const { github, provider, sleep, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      let failures = 2;
      server.use(
        http.get(github.url('/pulls/:number'), () => {
          if (failures-- > 0) {
            return HttpResponse.json(
              { message: 'Server Error' },
              { status: 502, headers: githubHeaders() },
            );
          }
          return undefined;
        }),
      );

      const status = await provider.getPullRequest(repository, handle);

      expect(status.state).toBe('open');
      expect(sleep).toHaveBeenCalledTimes(2);
      for (const [ms] of sleep.mock.calls) {
        expect(ms).toBeGreaterThan(0);
        expect(ms).toBeLessThanOrEqual(60_000);
      }
    });

    it('reports GitHub answering 5xx three times as ServiceUnavailableError', async () => {
      const { github, provider, proposal } = setup();
      let attempts = 0;
      server.use(
        http.post(github.url('/git/trees'), () => {
          attempts++;
          return new HttpResponse('<html><body>Unicorn!</body></html>', {
            status: 503,
            headers: { 'content-type': 'text/html' },
          });
        }),
      );

      const attempt = provider.openPullRequest(proposal);

      await expect(attempt).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
      });
      await expect(attempt).rejects.toThrow(
        'GitHub answered 503 Service Unavailable to POST /repos/{owner}/{repo}/git/trees, 3 times; try again later',
      );
      expect(attempts).toBe(3);
    });

    it('reports bad credentials as NotAllowedError without the token', async () => {
      const { github, provider, logger, proposal } = setup();
      server.use(
        http.get(github.url('/git/commits/:sha'), () =>
          githubError(401, 'Bad credentials', 'https://docs.github.com/rest'),
        ),
      );

      const error = await provider.openPullRequest(proposal).catch(e => e);

      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('GitHub answered 401 Bad credentials');
      expect(
        JSON.stringify({ ...error, message: error.message }),
      ).not.toContain(TOKEN);
      expect(logger.lines.join('\n')).not.toContain(TOKEN);
    });
  });

  describe('getPullRequest', () => {
    it('counts each reviewer’s latest review, across pages', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      github.reviews.set(41, [
        ...Array.from({ length: 120 }, () => ({
          login: 'dave',
          state: 'COMMENTED' as const,
        })),
        {
          login: 'alice',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:01:00Z',
        },
        {
          login: 'alice',
          state: 'CHANGES_REQUESTED',
          submittedAt: '2026-05-04T10:02:00Z',
        },
        {
          login: 'bob',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:03:00Z',
        },
        {
          login: 'bob',
          state: 'COMMENTED',
          submittedAt: '2026-05-04T10:04:00Z',
        },
        {
          login: 'carol',
          state: 'DISMISSED',
          submittedAt: '2026-05-04T10:05:00Z',
        },
        {
          login: 'erin',
          state: 'CHANGES_REQUESTED',
          submittedAt: '2026-05-04T10:06:00Z',
        },
        {
          login: 'erin',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:07:00Z',
        },
        { login: 'frank', state: 'PENDING' },
        // Anyone who can read the repository can approve; only owners, members and collaborators count.
        {
          login: 'mallory',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:08:00Z',
          association: 'CONTRIBUTOR',
        },
        {
          login: 'oscar',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:09:00Z',
          association: 'NONE',
        },
        {
          login: 'olga',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:10:00Z',
          association: 'OWNER',
        },
        {
          login: 'colin',
          state: 'APPROVED',
          submittedAt: '2026-05-04T10:11:00Z',
          association: 'COLLABORATOR',
        },
      ]);

      const status = await provider.getPullRequest(repository, handle);

      expect(status.approvals).toEqual([
        { by: 'bob', at: '2026-05-04T10:03:00Z' },
        { by: 'erin', at: '2026-05-04T10:07:00Z' },
        { by: 'olga', at: '2026-05-04T10:10:00Z' },
        { by: 'colin', at: '2026-05-04T10:11:00Z' },
      ]);
      expect(
        github.requestsTo('GET', '/repos/acme/config/pulls/41/reviews'),
      ).toHaveLength(2);
    });

    const checkCases: Array<{
      name: string;
      statuses: Array<{ state: FakeStatus['state']; context: string }>;
      checkRuns: FakeCheckRun[];
      expected: CheckState;
    }> = [
      {
        name: 'no statuses and no check runs',
        statuses: [],
        checkRuns: [],
        expected: 'none',
      },
      {
        name: 'a successful status and a completed check run',
        statuses: [{ state: 'success', context: 'gitops/policy' }],
        checkRuns: [
          { name: 'build', status: 'completed', conclusion: 'success' },
        ],
        expected: 'success',
      },
      {
        name: 'a skipped check run beside a success',
        statuses: [],
        checkRuns: [
          { name: 'build', status: 'completed', conclusion: 'success' },
          {
            name: 'deploy-preview',
            status: 'completed',
            conclusion: 'skipped',
          },
        ],
        expected: 'success',
      },
      {
        name: 'a check run still in progress',
        statuses: [{ state: 'success', context: 'gitops/policy' }],
        checkRuns: [{ name: 'build', status: 'in_progress', conclusion: null }],
        expected: 'pending',
      },
      {
        name: 'a pending status',
        statuses: [{ state: 'pending', context: 'ci/jenkins' }],
        checkRuns: [],
        expected: 'pending',
      },
      {
        name: 'a failed check run beside one still queued',
        statuses: [],
        checkRuns: [
          { name: 'build', status: 'completed', conclusion: 'failure' },
          { name: 'e2e', status: 'queued', conclusion: null },
        ],
        expected: 'failure',
      },
      {
        name: 'an error status beside a passing check run',
        statuses: [{ state: 'error', context: 'ci/jenkins' }],
        checkRuns: [
          { name: 'build', status: 'completed', conclusion: 'success' },
        ],
        expected: 'failure',
      },
      {
        name: 'a failed status later replaced by a success in the same context',
        statuses: [
          { state: 'failure', context: 'ci/jenkins' },
          { state: 'success', context: 'ci/jenkins' },
        ],
        checkRuns: [],
        expected: 'success',
      },
      {
        name: 'a timed-out check run',
        statuses: [],
        checkRuns: [
          { name: 'build', status: 'completed', conclusion: 'timed_out' },
        ],
        expected: 'failure',
      },
    ];

    it.each(checkCases)(
      'folds $name into $expected',
      async ({ statuses, checkRuns, expected }) => {
        const { github, provider, proposal } = setup();
        const handle = await provider.openPullRequest(proposal);
        github.statuses.set(
          handle.headSha,
          statuses.map(s => ({ ...s, description: null, targetUrl: null })),
        );
        github.checkRuns.set(handle.headSha, checkRuns);

        const status = await provider.getPullRequest(repository, handle);

        expect(status.checks).toBe(expected);
      },
    );

    it('reads state, head and mergeability; a merged pull request carries its merge commit', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      github.pulls[0].mergeable = null;

      expect(await provider.getPullRequest(repository, handle)).toEqual({
        state: 'open',
        headSha: handle.headSha,
        mergeSha: undefined,
        approvals: [],
        checks: 'none',
        mergeable: undefined,
      });

      github.pulls[0].mergeable = true;
      const { mergeSha } = await provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge cr-7f3a',
      });
      expect(await provider.getPullRequest(repository, handle)).toMatchObject({
        state: 'merged',
        mergeSha,
      });
    });

    it('reports an unknown pull request as NotFoundError', async () => {
      const { provider } = setup();

      const attempt = provider.getPullRequest(repository, {
        id: '999',
        branch: 'gitops/cr-none',
        headSha: 'abc',
      });

      await expect(attempt).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(attempt).rejects.toThrow(
        'Could not read pull request #999 of acme/config: GitHub answered 404 Not Found',
      );
    });
  });

  describe('mergePullRequest', () => {
    it('merges the checked head with the given title', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);

      const { mergeSha } = await provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge cr-7f3a: shop-api-prod image 1.5.0',
      });

      const [merge] = github.requestsTo(
        'PUT',
        '/repos/acme/config/pulls/41/merge',
      );
      expect(merge.body).toEqual({
        sha: handle.headSha,
        commit_title: 'Merge cr-7f3a: shop-api-prod image 1.5.0',
        merge_method: 'merge',
      });
      expect(github.refs.get('heads/main')).toBe(mergeSha);
      expect(github.filesAt('main')[VALUES]).toBe('image:\n  tag: 1.5.0\n');
    });

    it('refuses with ConflictError when the head moved since it was checked', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      github.commitFiles(
        { [VALUES]: 'image:\n  tag: 6.6.6\n' },
        { parent: handle.headSha, branch: 'gitops/cr-7f3a' },
      );

      const attempt = provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge',
      });

      await expect(attempt).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(attempt).rejects.toThrow(
        'GitHub refused to merge pull request #41 of acme/config: Head branch was modified. Review and try the merge again.',
      );
      expect(github.pulls[0].merged).toBe(false);
    });

    it('refuses with ConflictError when GitHub says it is not mergeable', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      github.pulls[0].mergeable = false;

      const attempt = provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge',
      });

      await expect(attempt).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(attempt).rejects.toThrow('Pull Request is not mergeable');
    });

    it('returns the existing merge commit when the pull request is already merged', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      const first = await provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge',
      });

      const again = await provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge',
      });

      expect(again).toEqual(first);
      expect(github.pulls[0].mergeCommitSha).toBe(first.mergeSha);
      expect(
        github.requestsTo('PUT', '/repos/acme/config/pulls/41/merge'),
      ).toHaveLength(2);
    });
  });

  describe('closePullRequest', () => {
    it('closes the pull request and deletes its branch, and a second close does nothing more', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);

      await provider.closePullRequest(repository, handle);
      await provider.closePullRequest(repository, handle);

      expect(github.pulls[0]).toMatchObject({ state: 'closed', merged: false });
      expect(github.refs.has('heads/gitops/cr-7f3a')).toBe(false);
      expect(
        github
          .requestsTo('PATCH', '/repos/acme/config/pulls/41')
          .map(r => r.body),
      ).toEqual([{ state: 'closed' }]);
      const deletes = github.requestsTo(
        'DELETE',
        '/repos/acme/config/git/refs/heads/gitops/cr-7f3a',
      );
      expect(deletes.map(r => r.rawPath)).toEqual([
        '/repos/acme/config/git/refs/heads/gitops/cr-7f3a',
        '/repos/acme/config/git/refs/heads/gitops/cr-7f3a',
      ]);
      expect(
        (await provider.getPullRequest(repository, handleOf(github, 41))).state,
      ).toBe('closed');
    });

    it('refuses to close a merged pull request', async () => {
      const { provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);
      await provider.mergePullRequest(repository, handle, {
        commitTitle: 'Merge',
      });

      await expect(
        provider.closePullRequest(repository, handle),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });
  });

  describe('setCommitStatus', () => {
    it('posts the status on the commit, shortening a long description to what GitHub accepts', async () => {
      const { github, provider, proposal } = setup();
      const handle = await provider.openPullRequest(proposal);

      await provider.setCommitStatus(repository, handle.headSha, {
        state: 'failure',
        context: 'gitops/policy',
        description: `Denied: ${'x'.repeat(200)}`,
        targetUrl: 'https://backstage.example.com/gitops/changes/cr-7f3a',
      });

      const [request] = github.requestsTo(
        'POST',
        `/repos/acme/config/statuses/${handle.headSha}`,
      );
      expect(request.body).toMatchObject({
        state: 'failure',
        context: 'gitops/policy',
        target_url: 'https://backstage.example.com/gitops/changes/cr-7f3a',
      });
      expect(request.body.description).toHaveLength(140);
      expect((await provider.getPullRequest(repository, handle)).checks).toBe(
        'failure',
      );
    });
  });

  describe('GitHub Enterprise Server', () => {
    it('talks to the apiBaseUrl of the integration that matches the remote host', async () => {
      const github = new FakeGithub({
        apiBaseUrl: 'https://ghe.example.com/api/v3',
        webBaseUrl: 'https://ghe.example.com',
      });
      const { provider, proposal } = setup({
        fake: github,
        integrations: {
          github: [
            {
              host: 'ghe.example.com',
              apiBaseUrl: 'https://ghe.example.com/api/v3',
              token: TOKEN,
            },
          ],
        },
      });
      const enterpriseRepo = {
        ...repository,
        url: 'git@ghe.example.com:acme/config.git',
      };

      const handle = await provider.openPullRequest({
        ...proposal,
        repository: enterpriseRepo,
      });
      const status = await provider.getPullRequest(enterpriseRepo, handle);

      expect(handle.url).toBe('https://ghe.example.com/acme/config/pull/41');
      expect(status.state).toBe('open');
      expect(github.requests.length).toBeGreaterThan(0);
    });

    it('refuses to act without a token or GitHub App for the host', async () => {
      const { github, provider, proposal } = setup({
        integrations: { github: [{ host: 'github.com' }] },
      });

      const attempt = provider.openPullRequest(proposal);

      await expect(attempt).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(attempt).rejects.toThrow(
        'No GitHub credentials for acme/config on github.com: configure a token or a GitHub App under integrations.github',
      );
      expect(github.requests).toHaveLength(0);
    });

    it('sends nothing, anywhere, for a repository on a host without a GitHub integration', async () => {
      const { provider, proposal } = setup();
      const sent: string[] = [];
      const record = ({ request }: { request: Request }) =>
        void sent.push(request.url);
      server.events.on('request:start', record);
      const elsewhere: ScmRepository = {
        ...repository,
        url: 'https://git.internal.example/acme/config.git',
      };
      const handle: PullRequestHandle = {
        id: '1',
        branch: 'gitops/cr-7f3a',
        headSha: 'a'.repeat(40),
      };
      try {
        for (const call of [
          () =>
            provider.openPullRequest({ ...proposal, repository: elsewhere }),
          () => provider.getPullRequest(elsewhere, handle),
          () =>
            provider.mergePullRequest(elsewhere, handle, { commitTitle: 'x' }),
          () => provider.closePullRequest(elsewhere, handle),
          () =>
            provider.setCommitStatus(elsewhere, handle.headSha, {
              context: 'gitops/policy',
              state: 'success',
              description: 'ok',
            }),
        ]) {
          await expect(call()).rejects.toThrow(
            'Config repo "platform" is on git.internal.example, which has no entry under integrations.github',
          );
        }
      } finally {
        server.events.removeListener('request:start', record);
      }
      expect(sent).toEqual([]);
      expect(provider.supports(elsewhere)).toBe(false);
    });

    it('refuses a repository on a host without a GitHub integration', async () => {
      const { provider, proposal } = setup();

      await expect(
        provider.openPullRequest({
          ...proposal,
          repository: {
            ...repository,
            url: 'https://git.example.org/acme/config.git',
          },
        }),
      ).rejects.toThrow(
        'Config repo "platform" is on git.example.org, which has no entry under integrations.github',
      );
    });
  });
});
