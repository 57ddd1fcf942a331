import {
  TestDatabases,
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type {
  ScmProvider,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { setupServer } from 'msw/node';
import {
  describeWithCluster,
  startTestCluster,
  type TestCluster,
} from '../cluster/__testUtils__/startTestCluster';
import {
  alice,
  ChangeTestbed,
  kustomizeUnavailable,
  readExampleRepo,
} from '../changes/__testUtils__/changeTestbed';
import { FakeGithub } from '../changes/scm/github/__testUtils__/FakeGithub';
import { GithubScmProvider } from '../changes/scm/GithubScmProvider';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { waitUntil } from '../reconcile/__testUtils__/waitUntil';
import {
  ALICE,
  BOB,
  startGitopsBackend,
  type GitopsBackend,
} from './__testUtils__/startGitopsBackend';

jest.setTimeout(300_000);

// Unique values, so a hit anywhere is this test's Secret and nothing else.
const IN_GIT_STRINGDATA = 'hardening-stringdata-5f0c1e7a9d';
const IN_GIT_DATA = 'hardening-data-b81d44c2e6';
const IN_GIT_LITERAL = 'hardening-literal-93ae6d10f4';
const LIVE_ONLY = 'hardening-live-2c7f5b98a1';
const b64 = (value: string) => Buffer.from(value).toString('base64');
/** Every form a value could leak in: as is, and as Kubernetes and kustomize encode Secret data. */
const formsOf = (value: string) => [
  value,
  b64(value),
  Buffer.from(value).toString('base64url'),
];
const FORMS = [
  IN_GIT_STRINGDATA,
  IN_GIT_DATA,
  IN_GIT_LITERAL,
  LIVE_ONLY,
].flatMap(formsOf);

/** The values found in `text`, so a failure names them (and the test output never prints the text). */
function leaks(text: string): string[] {
  return FORMS.filter(form => text.includes(form));
}

/** The example config repo, with only the ledger applications and a Secret in every way Git can hold one. */
async function configRepoWithSecrets(): Promise<Record<string, string>> {
  const files = await readExampleRepo();
  delete files['applications/shop-api.yaml'];
  delete files['applications/report-worker.yaml'];
  files['apps/ledger/base/secret.yaml'] = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: ledger-credentials',
    'type: Opaque',
    'stringData:',
    `  password: ${IN_GIT_STRINGDATA}`,
    'data:',
    `  api-token: ${b64(IN_GIT_DATA)}`,
    '',
  ].join('\n');
  // A generator right above the image a change edits: its literal is in the file diff's context.
  const dev = 'apps/ledger/overlays/dev/kustomization.yaml';
  files[dev] = files[dev].replace(
    'images:\n',
    `secretGenerator:\n  - name: ledger-api\n    literals:\n      - api-key=${IN_GIT_LITERAL}\nimages:\n`,
  );
  expect(files[dev]).toContain(IN_GIT_LITERAL);
  return files;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describeWithCluster(
  'Secret values, in Git and drifted live, through the whole plugin',
  () => {
    let cluster: TestCluster;
    let remote: TestGitRemote;
    let backend: GitopsBackend;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    let skipReason: string | undefined;
    const workingDirectory = createMockDirectory();
    /** Every HTTP answer the test received. */
    const answers: Array<{ call: string; text: string }> = [];

    const get = async (url: string, user = ALICE) => {
      const res = await backend.get(url, user);
      answers.push({ call: `GET ${url}`, text: res.text });
      return res;
    };
    const post = async (url: string, body: unknown, user = ALICE) => {
      const res = await backend.post(url, body, user);
      answers.push({ call: `POST ${url}`, text: res.text });
      return res;
    };
    const application = (name: string) =>
      get(`/applications/${name}`).then(res => res.body);

    beforeAll(async () => {
      skipReason = await kustomizeUnavailable();
      if (skipReason) {
        console.warn(`skipping the Secret test: ${skipReason}`);
        return;
      }
      cluster = await startTestCluster();
      remote = await TestGitRemote.create();
      await remote.commit('ledger with secrets', await configRepoWithSecrets());
      knex = await databases.init('SQLITE_3');
      backend = await startGitopsBackend({
        knex,
        gitops: {
          workingDirectory: workingDirectory.path,
          configRepos: [{ id: 'demo', url: remote.url }],
          clusters: [
            { name: 'local', kubeconfig: { path: cluster.kubeconfigPath } },
          ],
        },
      });
      await backend.triggerTask('gitops-poll-demo');
    }, 600_000);

    afterAll(async () => {
      await backend?.stop();
      await cluster?.stop();
      await remote?.cleanup();
    }, 180_000);

    it('shows a drifted Secret as "changed" and nothing more, anywhere the plugin speaks', async () => {
      if (skipReason) return;
      // ledger-dev syncs itself: its Secrets, from stringData, data and the generator, reach the cluster.
      await waitUntil(
        () => application('ledger-dev'),
        detail => {
          expect(detail.status.problem).toBeUndefined();
          expect(
            detail.resources.filter(
              (r: any) => r.ref.kind === 'Secret' && r.sync === 'Synced',
            ),
          ).toHaveLength(2);
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );

      // Someone edits the live Secret with kubectl apply: a new value, and a last-applied annotation holding it.
      await cluster.kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'ledger-credentials', namespace: 'ledger-dev' },
          type: 'Opaque',
          stringData: { password: LIVE_ONLY },
          data: { 'api-token': b64(IN_GIT_DATA) },
        }),
      );
      const drifted = await waitUntil(
        () => application('ledger-dev'),
        detail => {
          const secret = detail.resources.find(
            (r: any) => r.ref.name === 'ledger-credentials',
          );
          expect(secret.drifts).toEqual([
            expect.objectContaining({
              path: 'data.password',
              type: 'changed',
              sensitive: true,
            }),
          ]);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      const drift = drifted.resources.find(
        (r: any) => r.ref.name === 'ledger-credentials',
      ).drifts[0];
      expect(drift).not.toHaveProperty('desired');
      expect(drift).not.toHaveProperty('live');

      // Every read route, for the entity and its applications.
      await get('/entities/component/default/ledger/status');
      for (const name of ['ledger-dev', 'ledger-staging', 'ledger-prod']) {
        await get(`/applications/${name}`);
        await get(`/applications/${name}/history`);
      }
      await get('/fleet');

      // A manual sync of prod applies its Secret; its run is kept with what it did per resource.
      const run = await post('/applications/ledger-prod/sync', {});
      expect(run.status).toBe(202);
      await waitUntil(
        () => get('/applications/ledger-prod/syncs').then(res => res.body),
        runs => expect(runs.items[0].result).toBe('succeeded'),
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      await get('/applications/ledger-dev/syncs');

      // A change request whose edit sits next to the generator literal: previewed, opened, listed, merged.
      const change = {
        changes: [{ type: 'image', application: 'ledger-dev', tag: '3.3.0' }],
      };
      const preview = await post('/changes/preview', change);
      expect(preview.status).toBe(200);
      expect(preview.body.files[0].diff).toContain('api-key=***');
      const created = await post('/changes', {
        ...change,
        description: 'Bump ledger in dev',
      });
      expect(created.status).toBe(201);
      await get(`/changes/${created.body.id}`);
      await get('/changes?entityRef=component:default/ledger');
      await get('/changes');
      expect(
        (await post(`/changes/${created.body.id}/approve`, {}, BOB)).status,
      ).toBe(200);
      const merged = await post(`/changes/${created.body.id}/merge`, {}, ALICE);
      expect(merged.body.state).toBe('merged');
      expect(backend.notifications.map(n => n.payload.title)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/opened for review/),
          expect.stringMatching(/merged/),
        ]),
      );

      for (const { call, text } of answers) {
        expect({ call, leaks: leaks(text) }).toEqual({ call, leaks: [] });
      }
      expect(leaks(backend.logs.join('\n'))).toEqual([]);
      expect(leaks(JSON.stringify(backend.signals))).toEqual([]);
      expect(leaks(JSON.stringify(backend.notifications))).toEqual([]);
      const messages = await remote.git(
        remote.bareDir,
        'log',
        '--all',
        '--format=%B%n%N',
      );
      expect(messages).toContain(`Change-Request: ${created.body.id}`);
      expect(leaks(messages)).toEqual([]);
      // The live value is nowhere in the database (Git's may be, in a change request's stored files).
      for (const table of [
        'gitops_applications',
        'gitops_resources',
        'gitops_history',
        'gitops_change_requests',
        'gitops_sync_runs',
      ]) {
        const rows = JSON.stringify(await knex(table).select());
        expect({
          table,
          leaks: formsOf(LIVE_ONLY).filter(form => rows.includes(form)),
        }).toEqual({ table, leaks: [] });
      }
      // Only the Git files hold the values: the branch carries the kustomization with its literal.
      const branchFile = await remote.git(
        remote.bareDir,
        'show',
        `${created.body.pullRequest.branch}:apps/ledger/overlays/dev/kustomization.yaml`,
      );
      expect(leaks(branchFile)).toEqual([IN_GIT_LITERAL]);
    });
  },
);

describe('Secret values through the GitHub provider', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let skipReason: string | undefined;
  let bed: ChangeTestbed;

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason)
      console.warn(`skipping the GitHub Secret test: ${skipReason}`);
  });

  afterEach(async () => {
    await bed?.cleanup();
  });

  it('sends the Secret values to GitHub only inside the files of the commit, never in the PR, commit message or status', async () => {
    if (skipReason) return;
    const github = new FakeGithub();
    server.use(...github.handlers());
    const files = await configRepoWithSecrets();
    const fakeBase = github.commitFiles(files, { branch: 'main' });
    const provider = GithubScmProvider.fromConfig(
      new ConfigReader({
        integrations: { github: [{ host: 'github.com', token: 'ghp_test' }] },
      }),
      { logger: mockServices.logger.mock(), sleep: async () => {} },
    );
    // The config repo is read from a local remote; the forge behind it is the fake, which has its own shas.
    const onGithub: ScmRepository = {
      id: 'demo',
      url: 'https://github.com/acme/config.git',
      branch: 'main',
    };
    const viaGithub: ScmProvider = {
      type: 'github',
      supports: () => true,
      openPullRequest: proposal =>
        provider.openPullRequest({
          ...proposal,
          repository: onGithub,
          baseSha: fakeBase,
        }),
      getPullRequest: (_, handle) => provider.getPullRequest(onGithub, handle),
      mergePullRequest: (_, handle, options) =>
        provider.mergePullRequest(onGithub, handle, options),
      closePullRequest: (_, handle) =>
        provider.closePullRequest(onGithub, handle),
      setCommitStatus: (_, sha, status) =>
        provider.setCommitStatus(onGithub, sha, status),
    };
    const logs: string[] = [];
    const logger = {
      error: (m: string) => void logs.push(m),
      warn: (m: string) => void logs.push(m),
      info: (m: string) => void logs.push(m),
      debug: (m: string) => void logs.push(m),
      child: () => logger,
    };
    bed = await ChangeTestbed.create(databases, {
      providers: [viaGithub],
      logger,
    });
    await bed.commit('ledger with secrets', files);
    await bed.syncStatus();

    const { request } = await bed.service.submit(
      {
        changes: [{ type: 'image', application: 'ledger-dev', tag: '3.3.0' }],
        description: 'Bump ledger in dev',
      },
      alice,
    );
    expect(request.state).toBe('pr-open');

    const blobs = github.requestsTo('POST', /\/git\/blobs$/);
    const others = github.requests.filter(r => !blobs.includes(r));
    expect(others.map(r => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/POST .*\/pulls$/),
        expect.stringMatching(/POST .*\/git\/commits$/),
      ]),
    );
    for (const sent of others) {
      // A tree may carry file content inline: that is the commit's files, not a message.
      const body = sent.path.endsWith('/git/trees')
        ? { ...sent.body, tree: undefined }
        : sent.body;
      expect({
        call: `${sent.method} ${sent.path}`,
        leaks: leaks(JSON.stringify(body ?? {})),
      }).toEqual({
        call: `${sent.method} ${sent.path}`,
        leaks: [],
      });
    }
    expect(
      leaks(github.pulls.map(p => `${p.title}\n${p.body}`).join('\n')),
    ).toEqual([]);
    expect(
      leaks([...github.commits.values()].map(c => c.message).join('\n')),
    ).toEqual([]);
    expect(leaks(logs.join('\n'))).toEqual([]);
    expect(leaks(JSON.stringify(request))).toEqual([]);
    // The edited kustomization went up as a file, literal and all: Git holds what Git held.
    const content = [...blobs, ...github.requestsTo('POST', /\/git\/trees$/)]
      .map(r =>
        r.body?.encoding === 'base64'
          ? Buffer.from(r.body.content, 'base64').toString()
          : JSON.stringify(r.body),
      )
      .join('\n');
    expect(leaks(content)).toContain(IN_GIT_LITERAL);
  });
});
