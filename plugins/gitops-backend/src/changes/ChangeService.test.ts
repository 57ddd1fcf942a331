import { ConfigReader } from '@backstage/config';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import { alice, bob, ChangeTestbed, kustomizeUnavailable } from './__testUtils__/changeTestbed';
import { GithubScmProvider } from './scm/GithubScmProvider';
import { LocalScmProvider } from './scm/LocalScmProvider';
import { missingApprovals } from './ChangeService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const PROD_KUSTOMIZATION = 'apps/shop-api/overlays/prod/kustomization.yaml';
const PROD_PATCH = 'apps/shop-api/overlays/prod/deployment-patch.yaml';

let skipReason: string | undefined;
beforeAll(async () => {
  skipReason = await kustomizeUnavailable();
  if (skipReason) console.warn(`skipping change request tests: ${skipReason}`);
});

describe('ChangeService on the example config repo (real Git, local provider)', () => {
  let bed: ChangeTestbed;

  beforeEach(async () => {
    if (skipReason) return;
    bed = await ChangeTestbed.create(databases);
  });
  afterEach(async () => {
    await bed?.cleanup();
  });

  const image = (application: string, tag: string): ChangeSpec => ({ type: 'image', application, container: 'web', tag });

  it('previews an image change: one overlay line, comments kept, the rendered Deployment diff and the policy verdict', async () => {

    if (skipReason) return;
    const preview = await bed.service.preview({ changes: [image('shop-api-prod', '1.5.0')] }, alice);

    expect(preview.baseSha).toBe(bed.baseSha);
    expect(preview.files.map(f => f.path)).toEqual([PROD_KUSTOMIZATION]);
    const diff = preview.files[0].diff;
    expect(diff).toContain('-    newTag: 1.4.1 # the deployed version in prod');
    expect(diff).toContain('+    newTag: 1.5.0 # the deployed version in prod');
    expect(diff.split('\n').filter(l => /^[-+][^-+]/.test(l))).toHaveLength(2);

    expect(preview.applications).toEqual([
      expect.objectContaining({ application: 'shop-api-prod', environment: 'prod' }),
    ]);
    const [manifest] = preview.applications[0].manifests;
    expect(manifest).toMatchObject({ action: 'update', ref: { kind: 'Deployment', name: 'shop-api', namespace: 'shop-prod' } });
    expect(manifest.diff).toContain('+          image: ghcr.io/acme/shop-api:1.5.0');
    expect(preview.policy.verdict).not.toBe('deny');
    expect(preview.windows).toEqual([{ environment: 'prod', open: true }]);
    // Nothing was pushed.
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
  });

  it('submits once: a branch whose parent is the base, main untouched, and a retry with the same key returns the same request', async () => {

    if (skipReason) return;
    const body = { changes: [image('shop-api-prod', '1.5.0')], idempotencyKey: 'form-123' };
    const first = await bed.service.submit(body, alice);
    expect(first.created).toBe(true);
    expect(first.request).toMatchObject({
      state: 'pr-open',
      entityRef: 'component:default/shop-api',
      requestedBy: 'user:default/alice',
      applications: [{ name: 'shop-api-prod', environment: 'prod' }],
      pullRequest: { provider: 'local', branch: `gitops/${first.request.id}` },
    });
    expect(first.request.events.map(e => e.state)).toEqual(['draft', 'checked', 'pr-open']);

    const again = await bed.service.submit(body, alice);
    expect(again).toEqual({ created: false, request: expect.objectContaining({ id: first.request.id }) });

    const branches = await bed.branches();
    expect([...branches.keys()].sort()).toEqual([`gitops/${first.request.id}`, 'main']);
    expect(branches.get('main')).toBe(bed.baseSha);
    const parent = await bed.remote.git(bed.remote.bareDir, 'rev-parse', `gitops/${first.request.id}^`);
    expect(parent.trim()).toBe(bed.baseSha);
    expect(await bed.show(`gitops/${first.request.id}`, PROD_KUSTOMIZATION)).toContain('newTag: 1.5.0 # the deployed version in prod');
    const message = await bed.remote.git(bed.remote.bareDir, 'log', '-1', '--format=%B', `gitops/${first.request.id}`);
    expect(message).toContain(`Change-Request: ${first.request.id}`);
    expect(message).toContain('Requested-by: user:default/alice');
  });

  it('merges into main with a merge commit and records it', async () => {

    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    const merged = await bed.service.merge(request.id, alice);
    expect(merged.state).toBe('merged');
    const main = (await bed.branches()).get('main')!;
    expect(merged.pullRequest?.mergeSha).toBe(main);
    const parents = await bed.remote.git(bed.remote.bareDir, 'rev-list', '--parents', '-n1', main);
    expect(parents.trim().split(' ')).toEqual([main, bed.baseSha, request.pullRequest!.headSha]);
    expect(await bed.show('main', PROD_KUSTOMIZATION)).toContain('newTag: 1.5.0');
    expect(bed.events.map(e => e.state)).toEqual(['checked', 'pr-open', 'merged']);
    // Merging again is a no-op, not a second merge.
    expect((await bed.service.merge(request.id, alice)).pullRequest?.mergeSha).toBe(main);
  });

  it('scales prod by editing the replicas its patch already sets', async () => {

    if (skipReason) return;
    const preview = await bed.service.preview({ changes: [{ type: 'replicas', application: 'shop-api-prod', replicas: 5 }] }, alice);
    expect(preview.files.map(f => f.path)).toEqual([PROD_PATCH]);
    expect(preview.files[0].diff).toContain('+  replicas: 5');
    expect(preview.applications[0].manifests[0].diff).toContain('+  replicas: 5');
  });

  it('sets and unsets environment variables in the overlay, with a strategic-merge delete for one from the base', async () => {

    if (skipReason) return;
    const set = await bed.service.preview(
      { changes: [{ type: 'env', application: 'shop-api-prod', container: 'web', name: 'FEATURE_X', value: 'on' }] },
      alice,
    );
    expect(set.files.map(f => f.path)).toEqual([PROD_PATCH]);
    // Quoted: a bare `on` is a boolean in YAML 1.1, and env values must be strings.
    expect(set.files[0].diff).toMatch(/\+\s+- name: FEATURE_X\n\+\s+value: "on"/);

    const unset = await bed.service.preview(
      { changes: [{ type: 'env', application: 'shop-api-prod', container: 'web', name: 'LOG_LEVEL', value: null }] },
      alice,
    );
    // LOG_LEVEL is in the shared base too: the overlay's own value goes and a delete directive takes its place.
    expect(unset.files[0].diff).toMatch(/\$patch: delete/);
    expect(unset.applications[0].manifests[0].diff).toMatch(/-\s+- name: LOG_LEVEL/);
    expect(unset.applications[0].manifests[0].diff).not.toMatch(/\+\s+- name: LOG_LEVEL/);

    await expect(
      bed.service.preview({ changes: [{ type: 'env', application: 'shop-api-prod', container: 'web', name: 'NOPE', value: null }] }, alice),
    ).rejects.toThrow(/has no variable NOPE to unset/);
  });

  it('sets resources through the overlay patch', async () => {

    if (skipReason) return;
    const preview = await bed.service.preview(
      { changes: [{ type: 'resources', application: 'shop-api-staging', container: 'web', limits: { memory: '1Gi' }, requests: { cpu: '300m' } }] },
      alice,
    );
    expect(preview.files.map(f => f.path)).toEqual(['apps/shop-api/overlays/staging/deployment-patch.yaml']);
    const manifest = preview.applications[0].manifests[0].diff;
    expect(manifest).toContain('memory: 1Gi');
    expect(manifest).toContain('cpu: 300m');
  });

  it('promotes the dev image to prod', async () => {

    if (skipReason) return;
    const devImage = await bed.show('main', 'apps/shop-api/overlays/dev/kustomization.yaml');
    const devTag = /newTag: "?([^\s"#]+)/.exec(devImage)![1];
    const preview = await bed.service.preview({ changes: [{ type: 'promote', from: 'shop-api-dev', to: 'shop-api-prod' }] }, alice);
    expect(preview.files.map(f => f.path)).toEqual([PROD_KUSTOMIZATION]);
    expect(preview.applications[0].manifests[0].diff).toContain(`+          image: ghcr.io/acme/shop-api:${devTag}`);
  });

  it('a policy deny is shown by the preview and refused at submit, leaving Git and the store untouched', async () => {

    if (skipReason) return;
    const body = { changes: [{ type: 'replicas' as const, application: 'shop-api-prod', replicas: 1 }] };
    const preview = await bed.service.preview(body, alice);
    expect(preview.policy.verdict).toBe('deny');
    expect(preview.policy.findings).toContainEqual(
      expect.objectContaining({ policy: 'prod-min-replicas', action: 'Deny', application: 'shop-api-prod' }),
    );
    await expect(bed.service.submit(body, alice)).rejects.toThrow(ConflictError);
    await expect(bed.service.submit(body, alice)).rejects.toThrow(/prod-min-replicas/);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('a closed change window blocks submit, naming the window', async () => {

    if (skipReason) return;
    bed.windows.set('prod', { environment: 'prod', open: false, reason: 'deny: release freeze', nextOpenAt: '2026-12-01T08:00:00.000Z' });
    await expect(bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice)).rejects.toThrow(
      /change window closed: prod \(deny: release freeze\), opens 2026-12-01/,
    );
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('refuses a stale base when the previewed file changed since, and accepts one when only other files did', async () => {

    if (skipReason) return;
    const preview = await bed.service.preview({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    await bed.commit('unrelated', { 'apps/ledger/overlays/dev/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ledger-dev\n' });
    const ok = await bed.service.preview({ changes: [image('shop-api-prod', '1.5.0')], baseSha: preview.baseSha }, alice);
    expect(ok.baseSha).not.toBe(preview.baseSha);

    const current = await bed.show('main', PROD_KUSTOMIZATION);
    await bed.commit('someone else bumps prod', { [PROD_KUSTOMIZATION]: current.replace('1.4.1', '1.4.2') });
    await expect(
      bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')], baseSha: preview.baseSha }, alice),
    ).rejects.toThrow(/changed apps\/shop-api\/overlays\/prod\/kustomization.yaml since the preview/);
    expect((await bed.changes.list()).items).toEqual([]);
  });

  it('names unknown applications, workloads and containers, and refuses a change that changes nothing', async () => {

    if (skipReason) return;
    await expect(bed.service.preview({ changes: [image('nope-prod', '1.0.0')] }, alice)).rejects.toThrow(NotFoundError);
    await expect(
      bed.service.preview({ changes: [{ type: 'image', application: 'shop-api-prod', container: 'sidecar', tag: '1' }] }, alice),
    ).rejects.toThrow(/has no container named "sidecar" \(it has: web, metrics-sidecar\)/);
    await expect(bed.service.preview({ changes: [image('shop-api-prod', '1.4.1')] }, alice)).rejects.toThrow(InputError);
  });

  it('rolls a merged change back as a revert of its files, keeping later edits elsewhere', async () => {

    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    await bed.service.merge(request.id, alice);
    await bed.syncStatus();
    const original = await bed.show(bed.baseSha, PROD_KUSTOMIZATION);

    const rollback = await bed.service.preview({ changes: [{ type: 'rollback', changeRequest: request.id }] }, alice);
    expect(rollback.files.map(f => f.path)).toEqual([PROD_KUSTOMIZATION]);
    const { request: revert } = await bed.service.submit({ changes: [{ type: 'rollback', changeRequest: request.id }] }, alice);
    await bed.service.merge(revert.id, alice);
    expect(await bed.show('main', PROD_KUSTOMIZATION)).toBe(original);
  });

  it('refuses to roll back a change that has not merged', async () => {

    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    await expect(
      bed.service.preview({ changes: [{ type: 'rollback', changeRequest: request.id }] }, alice),
    ).rejects.toThrow(/only a merged change can be rolled back/);
  });

  it('adds a new service: base, overlays and applications, previewed as created objects', async () => {

    if (skipReason) return;
    const preview = await bed.service.preview(
      {
        changes: [
          {
            type: 'application',
            name: 'payments',
            entityRef: 'component:default/payments',
            image: 'ghcr.io/acme/payments',
            tag: '0.1.0',
            port: 8080,
            environments: [
              { name: 'dev', namespace: 'payments-dev' },
              { name: 'prod', namespace: 'payments-prod', replicas: 2 },
            ],
          },
        ],
      },
      alice,
    );
    expect(preview.files.map(f => f.path)).toEqual([
      'applications/payments.yaml',
      'apps/payments/base/deployment.yaml',
      'apps/payments/base/kustomization.yaml',
      'apps/payments/base/service.yaml',
      'apps/payments/overlays/dev/kustomization.yaml',
      'apps/payments/overlays/dev/namespace.yaml',
      'apps/payments/overlays/prod/kustomization.yaml',
      'apps/payments/overlays/prod/namespace.yaml',
    ]);
    expect(preview.applications.map(a => [a.application, a.manifests.map(m => `${m.action} ${m.ref.kind}`).sort()])).toEqual([
      ['payments-dev', ['create Deployment', 'create Namespace', 'create Service']],
      ['payments-prod', ['create Deployment', 'create Namespace', 'create Service']],
    ]);
    expect(preview.policy.verdict).not.toBe('deny');

    await expect(
      bed.service.preview(
        { changes: [{ type: 'application', name: 'shop-api', entityRef: 'component:default/shop-api', image: 'ghcr.io/acme/x', tag: '1', port: 80, environments: [{ name: 'dev', namespace: 'x' }] }] },
        alice,
      ),
    ).rejects.toThrow(/already exists in the config repo/);
  });

  it('codifies a drifted image: the live tag is written to the overlay', async () => {

    if (skipReason) return;
    await bed.status.writeVerdict('shop-api-dev', {
      sync: 'OutOfSync',
      health: 'Healthy',
      observedAt: new Date().toISOString(),
      resources: [
        {
          ref: { group: 'apps', kind: 'Deployment', namespace: 'shop-dev', name: 'shop-api' },
          apiVersion: 'apps/v1',
          sync: 'OutOfSync',
          drifts: [
            {
              path: 'spec.template.spec.containers[name=web].image',
              type: 'changed',
              desired: 'ghcr.io/acme/shop-api:whatever',
              live: 'ghcr.io/acme/shop-api:9.9.9',
              manager: 'kubectl-set',
            },
          ],
        },
      ],
    });
    const preview = await bed.service.preview(
      {
        changes: [
          {
            type: 'codify',
            application: 'shop-api-dev',
            resource: { group: 'apps', kind: 'Deployment', namespace: 'shop-dev', name: 'shop-api' },
            path: 'spec.template.spec.containers[name=web].image',
          },
        ],
      },
      alice,
    );
    expect(preview.files.map(f => f.path)).toEqual(['apps/shop-api/overlays/dev/kustomization.yaml']);
    expect(preview.applications[0].manifests[0].diff).toContain('+          image: ghcr.io/acme/shop-api:9.9.9');
  });

  it('never codifies a drifted Secret value into Git', async () => {

    if (skipReason) return;
    const secret = { group: '', kind: 'Secret', namespace: 'ledger-dev', name: 'ledger-credentials' };
    await bed.status.writeVerdict('ledger-dev', {
      sync: 'OutOfSync',
      health: 'Healthy',
      observedAt: new Date().toISOString(),
      resources: [
        {
          ref: secret,
          apiVersion: 'v1',
          sync: 'OutOfSync',
          drifts: [{ path: 'data.password', type: 'changed', sensitive: true, manager: 'kubectl-edit' }],
        },
      ],
    });
    const codify = bed.service.submit(
      { changes: [{ type: 'codify', application: 'ledger-dev', resource: secret, path: 'data.password' }] },
      alice,
    );
    await expect(codify).rejects.toThrow(InputError);
    await expect(codify).rejects.toThrow('Secret/ledger-credentials data.password is a Secret value: codify it in Git by hand, never through the portal');
    expect((await bed.changes.list()).items).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
  });

  it('cancel closes the request and removes its branch', async () => {

    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    const closed = await bed.service.cancel(request.id, alice);
    expect(closed).toMatchObject({ state: 'closed', reason: 'cancelled by the requester' });
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(/is closed/);
  });

  it('approval rules: merge waits for an approver from the group, who is not the requester', async () => {

    if (skipReason) return;
    bed.service = bed.createService({
      approvalRules: new Map([['prod', { environment: 'prod', count: 1, from: ['group:default/platform-team'] }]]),
    });
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    expect(request.approvalsRequired).toEqual([{ environment: 'prod', count: 1, from: ['group:default/platform-team'] }]);
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(/still needs 1 more approval/);
    await expect(bed.service.approve(request.id, alice)).rejects.toThrow(NotAllowedError);

    bed.denied.set('user:default/bob:approve', new Set(['component:default/shop-api']));
    await expect(bed.service.approve(request.id, bob)).rejects.toThrow(/may not approve/);
    bed.denied.clear();

    const approved = await bed.service.approve(request.id, bob);
    expect(approved.approvals).toEqual([expect.objectContaining({ by: 'user:default/bob', source: 'backstage' })]);
    expect((await bed.service.merge(request.id, alice)).state).toBe('merged');
  });

  it('permission: someone who may not change the entity gets NotAllowedError and nothing is written', async () => {

    if (skipReason) return;
    bed.denied.set('user:default/alice:create', new Set(['component:default/shop-api']));
    await expect(bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice)).rejects.toThrow(NotAllowedError);
    expect((await bed.changes.list()).items).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
  });

  it('refuses to submit to a config repo no SCM provider serves, before storing anything', async () => {

    if (skipReason) return;
    // Only GitHub, for github.com: the local repo has no provider, and nothing may be sent anywhere.
    const github = GithubScmProvider.fromConfig(new ConfigReader({ integrations: { github: [{ host: 'github.com', token: 't' }] } }), {
      logger: mockServices.logger.mock(),
    });
    const openPullRequest = jest.spyOn(github, 'openPullRequest');
    bed.service = bed.createService({ providers: [github] });
    const submit = bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    await expect(submit).rejects.toThrow(InputError);
    await expect(submit).rejects.toThrow(/no SCM provider can open pull requests on config repo demo/);
    expect(openPullRequest).not.toHaveBeenCalled();
    expect((await bed.changes.list()).items).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
    // A preview needs no provider.
    await expect(bed.service.preview({ changes: [image('shop-api-prod', '1.5.0')] }, alice)).resolves.toBeDefined();
  });

  it('a forge outage at submit leaves the request checked; a restarted service opens exactly one PR', async () => {

    if (skipReason) return;
    const local = new LocalScmProvider();
    let calls = 0;
    const flaky = Object.assign(Object.create(LocalScmProvider.prototype), local, {
      openPullRequest: async () => {
        calls++;
        throw new ServiceUnavailableError('GitHub answered 503');
      },
    });
    bed.service = bed.createService({ providers: [flaky] });
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    expect(request.state).toBe('checked');
    expect(calls).toBe(1);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);

    const restarted = bed.createService();
    await restarted.track();
    await restarted.track();
    const resumed = await restarted.get(request.id);
    expect(resumed.state).toBe('pr-open');
    expect([...(await bed.branches()).keys()].sort()).toEqual([`gitops/${request.id}`, 'main']);
  });

  it('tracking: merged → synced → healthy once the store shows the merge commit synced and healthy', async () => {

    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('shop-api-prod', '1.5.0')] }, alice);
    const merged = await bed.service.merge(request.id, alice);
    const mergeSha = merged.pullRequest!.mergeSha!;
    await bed.syncStatus();

    const verdict = (sync: 'Synced' | 'OutOfSync', health: 'Healthy' | 'Progressing', sha: string) =>
      bed.status.writeVerdict('shop-api-prod', {
        sync,
        health,
        revision: { sha },
        resources: [],
        observedAt: new Date().toISOString(),
        problem: null,
      });
    // Still at the old commit: nothing moves.
    await verdict('Synced', 'Healthy', bed.baseSha);
    await bed.service.track();
    expect((await bed.service.get(request.id)).state).toBe('merged');

    await verdict('Synced', 'Progressing', mergeSha);
    await bed.service.track();
    expect((await bed.service.get(request.id)).state).toBe('synced');

    await verdict('Synced', 'Healthy', mergeSha);
    await bed.service.track();
    const done = await bed.service.get(request.id);
    expect(done.state).toBe('healthy');
    expect(done.events.map(e => e.state)).toEqual(['draft', 'checked', 'pr-open', 'merged', 'synced', 'healthy']);
  });
});

describe('ChangeService lifecycle guards', () => {
  let bed: ChangeTestbed;
  beforeEach(async () => {
    if (skipReason) return;
    bed = await ChangeTestbed.create(databases);
  });
  afterEach(async () => {
    await bed?.cleanup();
  });
  const image = (tag: string): ChangeSpec => ({ type: 'image', application: 'shop-api-prod', container: 'web', tag });

  it('refuses a new service whose application names would take over existing ones', async () => {
    if (skipReason) return;
    await expect(
      bed.service.preview(
        {
          changes: [
            {
              type: 'application',
              name: 'shop',
              entityRef: 'component:default/ledger',
              image: 'ghcr.io/acme/x',
              tag: '1',
              port: 80,
              environments: [{ name: 'api-prod', namespace: 'shop-prod' }],
            },
          ],
        },
        alice,
      ),
    ).rejects.toThrow(/application shop-api-prod is already declared in applications\/shop-api.yaml for component:default\/shop-api/);
  });

  it('never moves a merged request backwards: a late cancel is refused and a stale tracker pass does nothing', async () => {
    if (skipReason) return;
    const { request } = await bed.service.submit({ changes: [image('1.5.0')] }, alice);
    const stale = await bed.changes.get(request.id);
    const staleChecked = { ...stale!, state: 'checked' as const };
    await bed.service.merge(request.id, alice);
    await expect(bed.service.cancel(request.id, alice)).rejects.toThrow(/already merged/);
    await (bed.service as any).trackOne(staleChecked);
    const after = await bed.service.get(request.id);
    expect(after.state).toBe('merged');
    expect(after.pullRequest?.mergeSha).toBeDefined();
    expect(after.events.map(e => e.state)).toEqual(['draft', 'checked', 'pr-open', 'merged']);
  });
});

describe('ChangeService: GitHub reviews count as their catalog user and groups', () => {
  let bed: ChangeTestbed;
  const PLATFORM_RULE = { environment: 'prod', count: 1, from: ['group:default/platform-team'] };
  beforeEach(async () => {
    if (skipReason) return;
    bed = await ChangeTestbed.create(databases, { approvalRules: new Map([['prod', PLATFORM_RULE]]) });
  });
  afterEach(async () => {
    await bed?.cleanup();
  });
  const image = (tag: string): ChangeSpec => ({ type: 'image', application: 'shop-api-prod', container: 'web', tag });
  const submit = async (tag = '1.5.0') => (await bed.service.submit({ changes: [image(tag)] }, alice)).request;

  it('a review by a login annotated on a platform-team member satisfies the group rule', async () => {
    if (skipReason) return;
    const request = await submit();
    // bob's GitHub login is not his catalog name: only the annotation says who he is.
    bed.review(request.id, 'bobby-gh');
    await bed.service.track();

    const tracked = await bed.service.get(request.id);
    expect(tracked.approvals).toEqual([
      {
        by: 'bobby-gh',
        at: expect.any(String),
        source: 'forge',
        user: 'user:default/bob',
        groups: ['user:default/bob', 'group:default/platform-team'],
      },
    ]);
    expect(missingApprovals(tracked)).toEqual([]);
    expect((await bed.service.merge(request.id, alice)).state).toBe('merged');
  });

  it('a login no catalog user claims counts as the user of that name, without groups, even when that user is in the group', async () => {
    if (skipReason) return;
    const request = await submit();
    bed.review(request.id, 'stranger');
    await bed.service.track();
    let tracked = await bed.service.get(request.id);
    expect(tracked.approvals).toEqual([
      expect.objectContaining({ by: 'stranger', user: 'user:default/stranger', groups: ['user:default/stranger'] }),
    ]);
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(/still needs 1 more approval/);

    // dave is in platform-team but claims no GitHub login: whoever holds the login dave is not known to be him.
    bed.review(request.id, 'stranger', 'dave');
    await bed.service.track();
    tracked = await bed.service.get(request.id);
    expect(tracked.approvals[1]).toMatchObject({ by: 'dave', user: 'user:default/dave', groups: ['user:default/dave'] });
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(/still needs 1 more approval/);

    // carol's annotation names her login: her review counts with her groups.
    bed.review(request.id, 'stranger', 'dave', 'carol');
    await bed.service.track();
    tracked = await bed.service.get(request.id);
    expect(tracked.approvals[2]).toMatchObject({
      by: 'carol',
      user: 'user:default/carol',
      groups: ['user:default/carol', 'group:default/platform-team'],
    });
    expect((await bed.service.merge(request.id, alice)).state).toBe('merged');
  });

  it('never counts the requester\'s own GitHub review, under a login other than their name', async () => {
    if (skipReason) return;
    // Even a rule anyone may satisfy.
    bed.service = bed.createService({ approvalRules: new Map([['prod', { environment: 'prod', count: 1 }]]) });
    const request = await submit();
    bed.review(request.id, 'alice-gh');
    await bed.service.track();
    const tracked = await bed.service.get(request.id);
    expect(tracked.approvals).toEqual([expect.objectContaining({ by: 'alice-gh', user: 'user:default/alice' })]);
    expect(missingApprovals(tracked)).toEqual(['1 more approval(s) for prod: 1']);
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(/still needs 1 more approval/);
  });

  it('counts a person who approved in Backstage and on GitHub once', async () => {
    if (skipReason) return;
    bed.service = bed.createService({ approvalRules: new Map([['prod', { ...PLATFORM_RULE, count: 2 }]]) });
    const request = await submit();
    await bed.service.approve(request.id, bob);
    bed.review(request.id, 'bobby-gh');
    await bed.service.track();
    const tracked = await bed.service.get(request.id);
    expect(tracked.approvals.map(a => [a.source, a.by])).toEqual([
      ['backstage', 'user:default/bob'],
      ['forge', 'bobby-gh'],
    ]);
    await expect(bed.service.merge(request.id, alice)).rejects.toThrow(
      /still needs 1 more approval\(s\) for prod: 2 from group:default\/platform-team/,
    );

    bed.review(request.id, 'bobby-gh', 'carol');
    await bed.service.track();
    expect((await bed.service.merge(request.id, alice)).state).toBe('merged');
  });

  it('asks the catalog once per tracker pass for the reviewers of every open request', async () => {
    if (skipReason) return;
    const first = await submit('1.5.0');
    const second = (
      await bed.service.submit({ changes: [{ type: 'replicas', application: 'shop-api-dev', replicas: 2 }] }, alice)
    ).request;
    bed.review(first.id, 'bobby-gh');
    bed.review(second.id, 'carol', 'stranger');
    const getEntities = jest.spyOn(bed.catalog, 'getEntities');
    const getEntitiesByRefs = jest.spyOn(bed.catalog, 'getEntitiesByRefs');

    await bed.service.track();
    expect(getEntities).toHaveBeenCalledTimes(1);
    const filter = getEntities.mock.calls[0][0]?.filter as Record<string, string[]>;
    expect(filter.kind).toBe('User');
    expect([...filter['metadata.annotations.github.com/user-login']].sort()).toEqual(['bobby-gh', 'carol', 'stranger']);
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
    expect((await bed.service.get(first.id)).approvals[0].user).toBe('user:default/bob');
    expect((await bed.service.get(second.id)).approvals.map(a => a.user)).toEqual([
      'user:default/carol',
      'user:default/stranger',
    ]);
  });

  it('keeps approvals and their resolution while the catalog is unreachable, and warns', async () => {
    if (skipReason) return;
    const request = await submit();
    bed.review(request.id, 'bobby-gh');
    await bed.service.track();
    const resolved = (await bed.service.get(request.id)).approvals;

    const getEntities = jest
      .spyOn(bed.catalog, 'getEntities')
      .mockRejectedValue(new ServiceUnavailableError('catalog answered 503'));
    // bob renews his review and carol joins while the catalog is down.
    bed.review(request.id, 'carol', 'bobby-gh');
    await bed.service.track();
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(bed.logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/Resolving forge reviewers carol, bobby-gh in the catalog failed.*catalog answered 503/),
    );
    const during = await bed.service.get(request.id);
    expect(during.approvals).toEqual([
      // Not resolved yet: counts as user:default/carol, without groups, until the catalog answers.
      { by: 'carol', at: expect.any(String), source: 'forge' },
      { ...resolved[0], at: expect.any(String) },
    ]);
    expect(missingApprovals(during)).toEqual([]);

    getEntities.mockRestore();
    await bed.service.track();
    expect((await bed.service.get(request.id)).approvals[0]).toMatchObject({
      by: 'carol',
      user: 'user:default/carol',
      groups: ['user:default/carol', 'group:default/platform-team'],
    });
    expect((await bed.service.merge(request.id, alice)).state).toBe('merged');
  });
});

describe('missingApprovals', () => {
  const rule = { environment: 'prod', count: 2, from: ['group:default/platform-team', 'user:default/carol'] };
  const base = {
    requestedBy: 'user:default/alice',
    approvalsRequired: [rule],
  } as any;

  it('counts each person once, never the requester, and forge reviews only for the users a rule names', () => {
    expect(
      missingApprovals({
        ...base,
        approvals: [
          { by: 'user:default/bob', at: 'x', source: 'backstage', groups: ['user:default/bob', 'group:default/platform-team'] },
          // The same bob, reviewing on GitHub: not a second vote.
          { by: 'bob', at: 'x', source: 'forge' },
          // The requester's own GitHub review: not a vote.
          { by: 'alice', at: 'x', source: 'forge' },
          // A reviewer the rule does not name, without groups: not counted for a group rule.
          { by: 'dave', at: 'x', source: 'forge' },
        ],
      }),
    ).toEqual(['1 more approval(s) for prod: 2 from group:default/platform-team or user:default/carol']);
    expect(
      missingApprovals({
        ...base,
        approvals: [
          { by: 'user:default/bob', at: 'x', source: 'backstage', groups: ['group:default/platform-team'] },
          { by: 'Carol', at: 'x', source: 'forge' },
        ],
      }),
    ).toEqual([]);
  });

  it('counts a forge review as the user it resolved to, with that user\'s groups', () => {
    const platform = { environment: 'prod', count: 1, from: ['group:default/platform-team'] };
    const review = (by: string, user: string, groups: string[]) =>
      ({ by, at: 'x', source: 'forge', user, groups: [user, ...groups] }) as const;
    expect(
      missingApprovals({
        ...base,
        approvalsRequired: [platform],
        approvals: [review('bobby-gh', 'user:default/bob', ['group:default/platform-team'])],
      }),
    ).toEqual([]);
    // The requester under another login, even in the group: not a vote.
    expect(
      missingApprovals({
        ...base,
        approvalsRequired: [platform],
        approvals: [review('alice-gh', 'User:default/Alice', ['group:default/platform-team'])],
      }),
    ).toEqual(['1 more approval(s) for prod: 1 from group:default/platform-team']);
    // bob in Backstage (before he joined the team) and on GitHub: one vote, with the groups of both.
    expect(
      missingApprovals({
        ...base,
        approvalsRequired: [{ ...platform, count: 2 }],
        approvals: [
          { by: 'user:default/bob', at: 'x', source: 'backstage', groups: ['user:default/bob'] },
          review('bobby-gh', 'user:default/bob', ['group:default/platform-team']),
        ],
      }),
    ).toEqual(['1 more approval(s) for prod: 2 from group:default/platform-team']);
    // A login resolved to a user of another name is not the user of the login's name.
    expect(
      missingApprovals({
        ...base,
        approvalsRequired: [{ environment: 'prod', count: 1, from: ['user:default/carol'] }],
        approvals: [review('carol', 'user:default/carol.jones', [])],
      }),
    ).toEqual(['1 more approval(s) for prod: 1 from user:default/carol']);
  });
});

describe('ChangeService without a configured repo for the change', () => {
  it('is an InputError to mix config repos or to pass no change', async () => {
    if (skipReason) return;
    const bed = await ChangeTestbed.create(databases);
    try {
      await expect(bed.service.preview({ changes: [] }, alice)).rejects.toThrow(InputError);
    } finally {
      await bed.cleanup();
    }
  });
});
