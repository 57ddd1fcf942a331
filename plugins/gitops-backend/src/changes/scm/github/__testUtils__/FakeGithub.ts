import { createHash } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';

/** One request the fake received, with its JSON body parsed. */
export interface RecordedRequest {
  method: string;
  /** Path below the API base URL, decoded: `/repos/acme/config/git/refs`. */
  path: string;
  /** The same path as sent, percent-encoding and all. */
  rawPath: string;
  query: Record<string, string>;
  body: any;
  headers: Headers;
}

export interface FakeCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
}

export interface FakePullRequest {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  /** The head commit when the pull request was last updated; the live ref wins while it exists. */
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  /** `null` while GitHub is still computing it. */
  mergeable: boolean | null;
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
}

export interface FakeReview {
  login: string;
  state:
    | 'APPROVED'
    | 'CHANGES_REQUESTED'
    | 'COMMENTED'
    | 'DISMISSED'
    | 'PENDING';
  submittedAt?: string;
  /** GitHub's `author_association`; `MEMBER` unless set. */
  association?: string;
}

export interface FakeStatus {
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
}

export interface FakeCheckRun {
  name: string;
  status:
    | 'queued'
    | 'in_progress'
    | 'completed'
    | 'waiting'
    | 'requested'
    | 'pending';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | 'stale'
    | null;
}

export interface FakeGithubOptions {
  /** Default `https://api.github.com`. */
  apiBaseUrl?: string;
  /** Default `https://github.com`. */
  webBaseUrl?: string;
  owner?: string;
  repo?: string;
}

const NOW = '2026-05-04T10:00:00Z';

/**
 * An in-memory GitHub repository served through msw handlers that answer like GitHub's REST API does
 * (status codes, headers and JSON bodies from its documentation) for the endpoints the SCM provider uses:
 * git blobs, trees, commits and refs; pulls, reviews and merges; labels; statuses and check runs.
 * Trees are kept flat (path → blob), which is all the provider can observe.
 */
export class FakeGithub {
  readonly apiBaseUrl: string;
  readonly webBaseUrl: string;
  readonly owner: string;
  readonly repo: string;

  readonly requests: RecordedRequest[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, FakeCommit>();
  /** `heads/main` → commit sha. */
  readonly refs = new Map<string, string>();
  readonly pulls: FakePullRequest[] = [];
  readonly reviews = new Map<number, FakeReview[]>();
  readonly statuses = new Map<string, FakeStatus[]>();
  readonly checkRuns = new Map<string, FakeCheckRun[]>();
  readonly collaborators = new Set(['alice', 'bob', 'carol', 'dave']);
  readonly teams = new Set(['platform', 'sre']);

  private commitCounter = 0;
  private nextPullNumber = 41;

  constructor(options: FakeGithubOptions = {}) {
    this.apiBaseUrl = options.apiBaseUrl ?? 'https://api.github.com';
    this.webBaseUrl = options.webBaseUrl ?? 'https://github.com';
    this.owner = options.owner ?? 'acme';
    this.repo = options.repo ?? 'config';
  }

  /** Makes a commit of `files` (on top of `parent`, `null` deletes) and points `branch` at it. */
  commitFiles(
    files: Record<string, string | null>,
    options: { parent?: string; branch?: string; message?: string } = {},
  ): string {
    const tree = new Map(
      options.parent ? this.trees.get(this.commit(options.parent).tree) : [],
    );
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        tree.delete(path);
      } else {
        tree.set(path, this.storeBlob(content));
      }
    }
    const sha = this.storeCommit({
      tree: this.storeTree(tree),
      parents: options.parent ? [options.parent] : [],
      message: options.message ?? 'Seed',
      author: { name: 'Seeder', email: 'seed@example.com', date: NOW },
    });
    if (options.branch) {
      this.refs.set(`heads/${options.branch}`, sha);
    }
    return sha;
  }

  /** The files of a commit or branch, as path → content. */
  filesAt(commitOrBranch: string): Record<string, string> {
    const sha = this.refs.get(`heads/${commitOrBranch}`) ?? commitOrBranch;
    const tree = this.trees.get(this.commit(sha).tree)!;
    return Object.fromEntries(
      [...tree].map(([path, blob]) => [path, this.blobs.get(blob)!]),
    );
  }

  commit(sha: string): FakeCommit {
    const commit = this.commits.get(sha);
    if (!commit) {
      throw new Error(`fake GitHub has no commit ${sha}`);
    }
    return commit;
  }

  /** Requests whose method and path (below the API base) match, in order. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      request =>
        request.method === method &&
        (typeof path === 'string'
          ? request.path === path
          : path.test(request.path)),
    );
  }

  /** `/repos/acme/config` followed by `suffix`, with the API base: for `server.use` overrides. */
  url(suffix: string): string {
    return `${this.apiBaseUrl}/repos/${this.owner}/${this.repo}${suffix}`;
  }

  handlers(): HttpHandler[] {
    const repo = `${this.apiBaseUrl}/repos/:owner/:repo`;
    const handle = (
      answer: (request: RecordedRequest, raw: Request) => Response,
    ) => {
      return async ({ request }: { request: Request }) => {
        const recorded = await this.record(request);
        if (!recorded.path.startsWith(`/repos/${this.owner}/${this.repo}/`)) {
          return notFound('https://docs.github.com/rest');
        }
        return answer(recorded, request);
      };
    };
    return [
      http.post(
        `${repo}/git/blobs`,
        handle(({ body }) => this.createBlob(body)),
      ),
      http.post(
        `${repo}/git/trees`,
        handle(({ body }) => this.createTree(body)),
      ),
      http.get(
        `${repo}/git/commits/:sha`,
        handle(({ path }) => this.getCommit(lastSegment(path))),
      ),
      http.post(
        `${repo}/git/commits`,
        handle(({ body }) => this.createCommit(body)),
      ),
      http.post(
        `${repo}/git/refs`,
        handle(({ body }) => this.createRef(body)),
      ),
      http.get(
        `${repo}/git/ref/*`,
        handle(({ path }) => this.getRef(afterMarker(path, '/git/ref/'))),
      ),
      http.delete(
        `${repo}/git/refs/*`,
        handle(({ path }) => this.deleteRef(afterMarker(path, '/git/refs/'))),
      ),
      http.post(
        `${repo}/pulls`,
        handle(({ body }) => this.createPull(body)),
      ),
      http.get(
        `${repo}/pulls`,
        handle(({ query }, raw) => this.listPulls(query, raw.url)),
      ),
      http.get(
        `${repo}/pulls/:number`,
        handle(({ path }) => this.getPull(Number(lastSegment(path)))),
      ),
      http.patch(
        `${repo}/pulls/:number`,
        handle(({ path, body }) =>
          this.updatePull(Number(lastSegment(path)), body),
        ),
      ),
      http.put(
        `${repo}/pulls/:number/merge`,
        handle(({ path, body }) =>
          this.mergePull(Number(segment(path, -2)), body),
        ),
      ),
      http.get(
        `${repo}/pulls/:number/reviews`,
        handle(({ path, query }, raw) =>
          this.listReviews(Number(segment(path, -2)), query, raw.url),
        ),
      ),
      http.post(
        `${repo}/pulls/:number/requested_reviewers`,
        handle(({ path, body }) =>
          this.requestReviewers(Number(segment(path, -2)), body),
        ),
      ),
      http.post(
        `${repo}/issues/:number/labels`,
        handle(({ path, body }) =>
          this.addLabels(Number(segment(path, -2)), body),
        ),
      ),
      http.get(
        `${repo}/commits/:ref/status`,
        handle(({ path }) => this.combinedStatus(segment(path, -2))),
      ),
      http.get(
        `${repo}/commits/:ref/check-runs`,
        handle(({ path, query }, raw) =>
          this.listCheckRuns(segment(path, -2), query, raw.url),
        ),
      ),
      http.post(
        `${repo}/statuses/:sha`,
        handle(({ path, body }) => this.createStatus(lastSegment(path), body)),
      ),
    ];
  }

  private async record(request: Request): Promise<RecordedRequest> {
    const url = new URL(request.url);
    const base = new URL(this.apiBaseUrl).pathname.replace(/\/$/, '');
    const text = request.body ? await request.clone().text() : '';
    const rawPath = url.pathname.slice(base.length);
    const recorded: RecordedRequest = {
      method: request.method,
      path: decodeURIComponent(rawPath),
      rawPath,
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
    };
    this.requests.push(recorded);
    return recorded;
  }

  // --- git data -------------------------------------------------------------------------------------

  private createBlob(body: { content: string; encoding?: string }): Response {
    if (typeof body?.content !== 'string') {
      return validationFailed(
        'https://docs.github.com/rest/git/blobs#create-a-blob',
      );
    }
    const content =
      body.encoding === 'base64'
        ? Buffer.from(body.content, 'base64').toString('utf8')
        : body.content;
    const sha = this.storeBlob(content);
    return created(
      { url: this.apiUrl(`/git/blobs/${sha}`), sha },
      this.apiUrl(`/git/blobs/${sha}`),
    );
  }

  private createTree(body: {
    base_tree?: string;
    tree: Array<{
      path: string;
      mode: string;
      type: string;
      sha?: string | null;
      content?: string;
    }>;
  }): Response {
    const docs = 'https://docs.github.com/rest/git/trees#create-a-tree';
    const files = new Map<string, string>();
    if (body.base_tree !== undefined) {
      const base = this.trees.get(body.base_tree);
      if (!base) {
        return error(422, 'Invalid tree info', docs);
      }
      for (const [path, blob] of base) {
        files.set(path, blob);
      }
    }
    for (const entry of body.tree ?? []) {
      if (entry.mode !== '100644' || entry.type !== 'blob') {
        return error(422, 'Invalid tree info', docs);
      }
      if (entry.sha === null) {
        files.delete(entry.path);
      } else if (entry.sha !== undefined) {
        if (!this.blobs.has(entry.sha)) {
          return error(422, `tree.sha ${entry.sha} is not a valid blob`, docs);
        }
        files.set(entry.path, entry.sha);
      } else if (entry.content !== undefined) {
        files.set(entry.path, this.storeBlob(entry.content));
      }
    }
    const sha = this.storeTree(files);
    return created(
      {
        sha,
        url: this.apiUrl(`/git/trees/${sha}`),
        tree: [...files].map(([path, blob]) => ({
          path,
          mode: '100644',
          type: 'blob',
          size: Buffer.byteLength(this.blobs.get(blob)!, 'utf8'),
          sha: blob,
          url: this.apiUrl(`/git/blobs/${blob}`),
        })),
        truncated: false,
      },
      this.apiUrl(`/git/trees/${sha}`),
    );
  }

  private getCommit(sha: string): Response {
    const commit = this.commits.get(sha);
    if (!commit) {
      return notFound(
        'https://docs.github.com/rest/git/commits#get-a-commit-object',
      );
    }
    return ok(this.commitJson(commit));
  }

  private createCommit(body: {
    message: string;
    tree: string;
    parents?: string[];
    author?: { name: string; email: string; date?: string };
  }): Response {
    const docs = 'https://docs.github.com/rest/git/commits#create-a-commit';
    if (!this.trees.has(body.tree)) {
      return error(422, 'Tree SHA does not exist', docs);
    }
    for (const parent of body.parents ?? []) {
      if (!this.commits.has(parent)) {
        return error(
          422,
          'Parent SHA does not exist or is not a commit object',
          docs,
        );
      }
    }
    const sha = this.storeCommit({
      tree: body.tree,
      parents: body.parents ?? [],
      message: body.message,
      author: {
        name: body.author?.name ?? 'gitops-bot',
        email: body.author?.email ?? 'bot@example.com',
        date: body.author?.date ?? NOW,
      },
    });
    return created(
      this.commitJson(this.commit(sha)),
      this.apiUrl(`/git/commits/${sha}`),
    );
  }

  private createRef(body: { ref: string; sha: string }): Response {
    const docs = 'https://docs.github.com/rest/git/refs#create-a-reference';
    if (!/^refs\/.+\/.+/.test(body.ref ?? '')) {
      return error(422, 'Reference name is invalid', docs);
    }
    if (!this.commits.has(body.sha)) {
      return error(422, 'Object does not exist', docs);
    }
    const name = body.ref.slice('refs/'.length);
    if (this.refs.has(name)) {
      return error(422, 'Reference already exists', docs);
    }
    this.refs.set(name, body.sha);
    return created(this.refJson(name), this.apiUrl(`/git/refs/${name}`));
  }

  private getRef(name: string): Response {
    if (!this.refs.has(name)) {
      return notFound('https://docs.github.com/rest/git/refs#get-a-reference');
    }
    return ok(this.refJson(name));
  }

  private deleteRef(name: string): Response {
    if (!this.refs.delete(name)) {
      return error(
        422,
        'Reference does not exist',
        'https://docs.github.com/rest/git/refs#delete-a-reference',
      );
    }
    return new HttpResponse(null, { status: 204, headers: githubHeaders() });
  }

  // --- pulls ----------------------------------------------------------------------------------------

  private createPull(body: {
    title: string;
    body?: string;
    head: string;
    base: string;
  }): Response {
    const docs =
      'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
    const head = body.head.includes(':') ? body.head.split(':')[1] : body.head;
    const headSha = this.refs.get(`heads/${head}`);
    if (!headSha) {
      return validationFailed(docs, [
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]);
    }
    if (!this.refs.has(`heads/${body.base}`)) {
      return validationFailed(docs, [
        { resource: 'PullRequest', field: 'base', code: 'invalid' },
      ]);
    }
    if (
      this.pulls.some(
        pull =>
          pull.state === 'open' &&
          pull.head === head &&
          pull.base === body.base,
      )
    ) {
      return validationFailed(docs, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${this.owner}:${head}.`,
        },
      ]);
    }
    const pull: FakePullRequest = {
      number: this.nextPullNumber++,
      title: body.title,
      body: body.body ?? null,
      head,
      base: body.base,
      headSha,
      state: 'open',
      merged: false,
      mergeCommitSha: null,
      mergeable: true,
      labels: [],
      requestedReviewers: [],
      requestedTeams: [],
      createdAt: NOW,
      closedAt: null,
      mergedAt: null,
    };
    this.pulls.push(pull);
    return created(this.pullJson(pull), this.pullJson(pull).url);
  }

  private listPulls(query: Record<string, string>, url: string): Response {
    const state = query.state ?? 'open';
    const matching = this.pulls.filter(
      pull =>
        (state === 'all' || pull.state === state) &&
        (!query.head || query.head === `${this.owner}:${pull.head}`) &&
        (!query.base || query.base === pull.base),
    );
    return page(
      matching.map(pull => this.pullJson(pull)),
      query,
      url,
    );
  }

  private getPull(number: number): Response {
    const pull = this.pull(number);
    if (!pull) {
      return notFound(
        'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
      );
    }
    return ok(this.pullJson(pull));
  }

  private updatePull(number: number, body: { state?: string }): Response {
    const pull = this.pull(number);
    if (!pull) {
      return notFound(
        'https://docs.github.com/rest/pulls/pulls#update-a-pull-request',
      );
    }
    if (body.state === 'closed' && pull.state === 'open') {
      pull.headSha = this.headSha(pull);
      pull.state = 'closed';
      pull.closedAt = NOW;
    }
    return ok(this.pullJson(pull));
  }

  private mergePull(
    number: number,
    body: { sha?: string; commit_title?: string; merge_method?: string },
  ): Response {
    const docs =
      'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request';
    const pull = this.pull(number);
    if (!pull) {
      return notFound(docs);
    }
    if (pull.state !== 'open' || pull.mergeable === false) {
      return error(405, 'Pull Request is not mergeable', docs);
    }
    const headSha = this.headSha(pull);
    if (body.sha !== undefined && body.sha !== headSha) {
      return error(
        409,
        'Head branch was modified. Review and try the merge again.',
        docs,
      );
    }
    const baseSha = this.refs.get(`heads/${pull.base}`)!;
    const sha = this.storeCommit({
      tree: this.commit(headSha).tree,
      parents: [baseSha, headSha],
      message: body.commit_title ?? `Merge pull request #${number}`,
      author: { name: 'gitops-bot', email: 'bot@example.com', date: NOW },
    });
    this.refs.set(`heads/${pull.base}`, sha);
    Object.assign(pull, {
      headSha,
      state: 'closed',
      merged: true,
      mergeCommitSha: sha,
      mergedAt: NOW,
      closedAt: NOW,
    });
    return ok({
      sha,
      merged: true,
      message: 'Pull Request successfully merged',
    });
  }

  private listReviews(
    number: number,
    query: Record<string, string>,
    url: string,
  ): Response {
    const pull = this.pull(number);
    if (!pull) {
      return notFound(
        'https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request',
      );
    }
    const reviews = (this.reviews.get(number) ?? []).map((review, index) => ({
      id: 80 + index,
      node_id: `PRR_${80 + index}`,
      user: userJson(review.login),
      body: '',
      state: review.state,
      html_url: `${this.pullJson(pull).html_url}#pullrequestreview-${
        80 + index
      }`,
      pull_request_url: this.pullJson(pull).url,
      author_association: review.association ?? 'MEMBER',
      ...(review.state === 'PENDING'
        ? {}
        : { submitted_at: review.submittedAt ?? NOW }),
      commit_id: this.headSha(pull),
    }));
    return page(reviews, query, url);
  }

  private requestReviewers(
    number: number,
    body: { reviewers?: string[]; team_reviewers?: string[] },
  ): Response {
    const docs =
      'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request';
    const pull = this.pull(number);
    if (!pull) {
      return notFound(docs);
    }
    const users = body.reviewers ?? [];
    const teams = body.team_reviewers ?? [];
    if (
      users.some(user => !this.collaborators.has(user)) ||
      teams.some(team => !this.teams.has(team))
    ) {
      return error(
        422,
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${this.owner}/${this.repo} repository.`,
        docs,
      );
    }
    pull.requestedReviewers.push(...users);
    pull.requestedTeams.push(...teams);
    return created(this.pullJson(pull), this.pullJson(pull).url);
  }

  private addLabels(number: number, body: { labels: string[] }): Response {
    const pull = this.pull(number);
    if (!pull) {
      return notFound(
        'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
      );
    }
    for (const label of body.labels ?? []) {
      if (!pull.labels.includes(label)) {
        pull.labels.push(label);
      }
    }
    return ok(pull.labels.map(label => this.labelJson(label)));
  }

  // --- statuses and checks --------------------------------------------------------------------------

  private combinedStatus(ref: string): Response {
    const sha = this.resolve(ref);
    if (!sha) {
      return error(
        422,
        `No commit found for SHA: ${ref}`,
        'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference',
      );
    }
    // The latest status of each context counts, as on GitHub.
    const latest = new Map<string, FakeStatus>();
    for (const status of this.statuses.get(sha) ?? []) {
      latest.set(status.context, status);
    }
    const statuses = [...latest.values()];
    let state = 'success';
    if (statuses.some(s => s.state === 'error' || s.state === 'failure')) {
      state = 'failure';
    } else if (
      statuses.length === 0 ||
      statuses.some(s => s.state === 'pending')
    ) {
      state = 'pending';
    }
    return ok({
      state,
      statuses: statuses.map((status, index) => this.statusJson(status, index)),
      sha,
      total_count: statuses.length,
      repository: this.repoJson(),
      commit_url: this.apiUrl(`/commits/${sha}`),
      url: this.apiUrl(`/commits/${sha}/status`),
    });
  }

  private listCheckRuns(
    ref: string,
    query: Record<string, string>,
    url: string,
  ): Response {
    const sha = this.resolve(ref);
    if (!sha) {
      return error(
        422,
        `No commit found for SHA: ${ref}`,
        'https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference',
      );
    }
    const runs = (this.checkRuns.get(sha) ?? []).map((run, index) => ({
      id: 4000 + index,
      head_sha: sha,
      node_id: `CR_${4000 + index}`,
      external_id: '',
      url: this.apiUrl(`/check-runs/${4000 + index}`),
      html_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/runs/${
        4000 + index
      }`,
      details_url: null,
      status: run.status,
      conclusion: run.conclusion,
      started_at: NOW,
      completed_at: run.status === 'completed' ? NOW : null,
      output: { title: null, summary: null, text: null, annotations_count: 0 },
      name: run.name,
      check_suite: { id: 5000 },
      app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
      pull_requests: [],
    }));
    const perPage = Number(query.per_page ?? 30);
    const pageNumber = Number(query.page ?? 1);
    const slice = runs.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    return ok(
      { total_count: runs.length, check_runs: slice },
      linkHeader(runs.length, perPage, pageNumber, url),
    );
  }

  private createStatus(
    sha: string,
    body: {
      state: FakeStatus['state'];
      context?: string;
      description?: string;
      target_url?: string;
    },
  ): Response {
    const docs =
      'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
    if (!this.commits.has(sha)) {
      return error(422, `No commit found for SHA: ${sha}`, docs);
    }
    if (!['error', 'failure', 'pending', 'success'].includes(body.state)) {
      return validationFailed(docs, [
        { resource: 'Status', field: 'state', code: 'custom' },
      ]);
    }
    if ((body.description ?? '').length > 140) {
      return validationFailed(docs, [
        {
          resource: 'Status',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ]);
    }
    const status: FakeStatus = {
      state: body.state,
      context: body.context ?? 'default',
      description: body.description ?? null,
      targetUrl: body.target_url ?? null,
    };
    const list = this.statuses.get(sha) ?? [];
    list.push(status);
    this.statuses.set(sha, list);
    return created(
      this.statusJson(status, list.length - 1),
      this.apiUrl(`/statuses/${sha}`),
    );
  }

  // --- storage and JSON shapes ----------------------------------------------------------------------

  private storeBlob(content: string): string {
    const sha = gitSha('blob', content);
    this.blobs.set(sha, content);
    return sha;
  }

  private storeTree(files: Map<string, string>): string {
    const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : 1));
    const sha = gitSha('tree', JSON.stringify(sorted));
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  private storeCommit(commit: Omit<FakeCommit, 'sha'>): string {
    // Like a commit's timestamp, the counter makes two commits of the same tree differ.
    const sha = gitSha(
      'commit',
      JSON.stringify({ ...commit, n: this.commitCounter++ }),
    );
    this.commits.set(sha, { ...commit, sha });
    return sha;
  }

  private pull(number: number): FakePullRequest | undefined {
    return this.pulls.find(pull => pull.number === number);
  }

  private headSha(pull: FakePullRequest): string {
    if (pull.state === 'open') {
      return this.refs.get(`heads/${pull.head}`) ?? pull.headSha;
    }
    return pull.headSha;
  }

  private resolve(ref: string): string | undefined {
    if (this.commits.has(ref)) {
      return ref;
    }
    return this.refs.get(`heads/${ref}`);
  }

  private apiUrl(suffix: string): string {
    return `${this.apiBaseUrl}/repos/${this.owner}/${this.repo}${suffix}`;
  }

  private repoJson() {
    return {
      id: 1296269,
      node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      private: true,
      owner: { ...userJson(this.owner), type: 'Organization' },
      html_url: `${this.webBaseUrl}/${this.owner}/${this.repo}`,
      url: `${this.apiBaseUrl}/repos/${this.owner}/${this.repo}`,
      default_branch: 'main',
    };
  }

  private commitJson(commit: FakeCommit) {
    const person = { ...commit.author };
    return {
      sha: commit.sha,
      node_id: `C_${commit.sha.slice(0, 12)}`,
      url: this.apiUrl(`/git/commits/${commit.sha}`),
      html_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/commit/${commit.sha}`,
      author: person,
      committer: { name: 'GitHub', email: 'noreply@github.com', date: NOW },
      message: commit.message,
      tree: { sha: commit.tree, url: this.apiUrl(`/git/trees/${commit.tree}`) },
      parents: commit.parents.map(parent => ({
        sha: parent,
        url: this.apiUrl(`/git/commits/${parent}`),
        html_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/commit/${parent}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  private refJson(name: string) {
    const sha = this.refs.get(name)!;
    return {
      ref: `refs/${name}`,
      node_id: `REF_${Buffer.from(name).toString('base64')}`,
      url: this.apiUrl(`/git/refs/${name}`),
      object: {
        type: 'commit',
        sha,
        url: this.apiUrl(`/git/commits/${sha}`),
      },
    };
  }

  private labelJson(name: string) {
    return {
      id: 208045946,
      node_id: 'MDU6TGFiZWwyMDgwNDU5NDY=',
      url: this.apiUrl(`/labels/${encodeURIComponent(name)}`),
      name,
      description: null,
      color: 'ededed',
      default: false,
    };
  }

  private statusJson(status: FakeStatus, index: number) {
    return {
      url: this.apiUrl(`/statuses/${index}`),
      avatar_url: null,
      id: 1000 + index,
      node_id: `SC_${1000 + index}`,
      state: status.state,
      description: status.description,
      target_url: status.targetUrl,
      context: status.context,
      created_at: NOW,
      updated_at: NOW,
      creator: userJson('gitops-bot'),
    };
  }

  private pullJson(pull: FakePullRequest) {
    const headSha = this.headSha(pull);
    const baseSha = this.refs.get(`heads/${pull.base}`) ?? null;
    const url = this.apiUrl(`/pulls/${pull.number}`);
    const branchJson = (ref: string, sha: string | null) => ({
      label: `${this.owner}:${ref}`,
      ref,
      sha,
      user: userJson(this.owner),
      repo: this.repoJson(),
    });
    let mergeableState = 'unknown';
    if (pull.mergeable === true) {
      mergeableState = 'clean';
    } else if (pull.mergeable === false) {
      mergeableState = 'dirty';
    }
    return {
      url,
      id: 1000000 + pull.number,
      node_id: `PR_${pull.number}`,
      html_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/pull/${pull.number}`,
      diff_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/pull/${pull.number}.diff`,
      patch_url: `${this.webBaseUrl}/${this.owner}/${this.repo}/pull/${pull.number}.patch`,
      issue_url: this.apiUrl(`/issues/${pull.number}`),
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: { ...userJson('gitops-bot[bot]'), type: 'Bot' },
      body: pull.body,
      labels: pull.labels.map(label => this.labelJson(label)),
      created_at: pull.createdAt,
      updated_at: NOW,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: pull.requestedReviewers.map(userJson),
      requested_teams: pull.requestedTeams.map(slug => ({
        id: 1,
        node_id: `T_${slug}`,
        name: slug,
        slug,
        privacy: 'closed',
        permission: 'pull',
      })),
      head: branchJson(pull.head, headSha),
      base: branchJson(pull.base, baseSha),
      author_association: 'NONE',
      draft: false,
      merged: pull.merged,
      mergeable: pull.state === 'open' ? pull.mergeable : null,
      rebaseable: pull.state === 'open' ? pull.mergeable : null,
      mergeable_state: mergeableState,
      merged_by: pull.merged ? userJson('gitops-bot[bot]') : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 1,
      changed_files: 1,
    };
  }
}

/** Headers GitHub sends with every REST answer. */
export function githubHeaders(
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': 'C0DE:1F2E:3D4C:5B6A:6789ABCD',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4990',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-used': '10',
    'x-ratelimit-resource': 'core',
    ...extra,
  };
}

/** An error answer shaped like GitHub's: `message`, `documentation_url` and `status`. */
export function error(
  status: number,
  message: string,
  documentationUrl: string,
  extra: { headers?: Record<string, string>; errors?: unknown[] } = {},
): Response {
  return HttpResponse.json(
    {
      message,
      ...(extra.errors ? { errors: extra.errors } : {}),
      documentation_url: documentationUrl,
      status: String(status),
    },
    { status, headers: githubHeaders(extra.headers) },
  );
}

function ok(body: unknown, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body as any, {
    status: 200,
    headers: githubHeaders(headers),
  });
}

function created(body: unknown, location: string): Response {
  return HttpResponse.json(body as any, {
    status: 201,
    headers: githubHeaders({ location }),
  });
}

function notFound(documentationUrl: string): Response {
  return error(404, 'Not Found', documentationUrl);
}

function validationFailed(documentationUrl: string, errors: unknown[] = []) {
  return error(422, 'Validation Failed', documentationUrl, { errors });
}

/** One page of a list answer, with the `link` header GitHub paginates by. */
function page(
  items: unknown[],
  query: Record<string, string>,
  url: string,
): Response {
  const perPage = Number(query.per_page ?? 30);
  const pageNumber = Number(query.page ?? 1);
  return ok(
    items.slice((pageNumber - 1) * perPage, pageNumber * perPage),
    linkHeader(items.length, perPage, pageNumber, url),
  );
}

function linkHeader(
  total: number,
  perPage: number,
  pageNumber: number,
  url: string,
): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / perPage));
  if (last === 1) {
    return {};
  }
  const at = (n: number) => {
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    return next.toString();
  };
  const links: string[] = [];
  if (pageNumber < last) {
    links.push(
      `<${at(pageNumber + 1)}>; rel="next"`,
      `<${at(last)}>; rel="last"`,
    );
  }
  if (pageNumber > 1) {
    links.push(
      `<${at(1)}>; rel="first"`,
      `<${at(pageNumber - 1)}>; rel="prev"`,
    );
  }
  return { link: links.join(', ') };
}

function userJson(login: string) {
  return {
    login,
    id: 1000 + login.length,
    node_id: `U_${login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${
      1000 + login.length
    }?v=4`,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type: 'User',
    site_admin: false,
  };
}

function gitSha(kind: string, payload: string): string {
  return createHash('sha1')
    .update(`${kind} ${Buffer.byteLength(payload)}\0${payload}`)
    .digest('hex');
}

function lastSegment(path: string): string {
  return segment(path, -1);
}

function segment(path: string, index: number): string {
  const parts = path.split('/');
  return parts[parts.length + index];
}

function afterMarker(path: string, marker: string): string {
  return path.slice(path.indexOf(marker) + marker.length);
}
