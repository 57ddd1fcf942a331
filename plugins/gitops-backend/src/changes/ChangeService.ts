import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  evaluatePolicies,
  KubeObject,
  Policy,
  loadPolicies,
  PolicyChange,
} from '@backstage-gitops/gitops-engine';
import {
  ApplicationPreview,
  ApplicationSpec,
  Approval,
  ApprovalRule,
  ChangePreview,
  ChangeRequest,
  ChangeRequestEvent,
  ChangeRequestState,
  ChangeSpec,
  ChangeWindowReport,
  CreateChangeRequestBody,
  FINAL_CHANGE_REQUEST_STATES,
  PolicyReport,
} from '@backstage-gitops/plugin-gitops-common';
import type {
  PullRequestHandle,
  PullRequestStatus,
  ScmProvider,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadApplications } from '../applications';
import {
  DatabaseChangeStore,
  StoredChangeRequest,
  withoutProposal,
} from '../database/DatabaseChangeStore';
import type { GitOpsStore } from '../database/GitOpsStore';
import { normalizeEntityRef } from '../database/normalizeEntityRef';
import { ConfigRepository, runGit, GitCommandError, RepoUnreachableError } from '../git';
import { ApplicationRenderer, RenderedApplication } from '../render';
import type { ForgeIdentity, ForgeIdentityResolver } from './ForgeIdentityResolver';
import { diffFiles, diffManifests } from './manifestDiff';
import {
  applicationsOf,
  planChange,
  PlanContext,
  verifyExpectations,
} from './planning/planChange';
import { WorkingTree } from './WorkingTree';

/** Who is acting, and what the permission framework lets them do on an entity. */
export interface ChangeActor {
  userEntityRef: string;
  /** The user and the groups they belong to, for approval rules that name a group. */
  ownershipEntityRefs: string[];
  credentials: BackstageCredentials;
}

export type ChangeAction = 'create' | 'approve';

/** Permission checks, answered by the permission framework in production. */
export interface ChangeAuthorizer {
  /** Throws `NotAllowedError` unless the actor may do `action` on every entity. */
  authorize(actor: ChangeActor, action: ChangeAction, entityRefs: string[]): Promise<void>;
}

/** Side effects observers see: signals, notifications, audit events. Each must not throw. */
export interface ChangeListener {
  onChange(request: ChangeRequest, previousState: ChangeRequestState | undefined): void;
}

export interface ChangeWindows {
  report(environment: string, at: Date): ChangeWindowReport;
}

export interface ChangeServiceOptions {
  changes: DatabaseChangeStore;
  status: GitOpsStore;
  repos: ConfigRepository[];
  providers: ScmProvider[];
  /** The reconciler's renderer: renders at the base commit come from its cache. */
  renderer: ApplicationRenderer;
  authorizer: ChangeAuthorizer;
  /**
   * Maps forge reviewers (GitHub logins) to catalog users and their groups, once per tracker pass. Without one,
   * a review counts as `user:default/<login>` with no groups.
   */
  forgeIdentities?: ForgeIdentityResolver;
  logger: LoggerService;
  workDir: string;
  clusterNames: string[];
  /** Ask the reconciler to fetch a config repo now (after a merge). */
  refreshRepo(repoId: string): void;
  /** Policies from app-config, on top of those in each config repo's `policies/` folder. */
  configPolicies?: Policy[];
  /** Approvals each environment needs before merge. */
  approvalRules?: Map<string, ApprovalRule>;
  windows?: ChangeWindows;
  listener?: ChangeListener;
  /** Link to a change request's page, for PR bodies and notifications. */
  changeUrl?(id: string): string | undefined;
  commitAuthor?: { name: string; email: string };
  now?: () => Date;
  /** A merged request that has not synced and turned healthy within this long fails. Default 30 min. */
  healthTimeoutMs?: number;
}

/** What one tracker pass read from the forges and the catalog before moving requests. */
interface TrackPass {
  /** Each open request's PR, read at the start of the pass, by request id (or why it could not be read). */
  pullRequests: Map<string, { handle: PullRequestHandle; status?: PullRequestStatus; error?: unknown }>;
  /** Every reviewer of those PRs, by lower-case login; `undefined` when the catalog could not answer. */
  identities: Map<string, ForgeIdentity> | undefined;
}

/** A preview plus what submit needs to act on it. */
interface Plan {
  preview: ChangePreview;
  repo: ConfigRepository;
  entityRef: string;
  applications: Array<{ name: string; environment: string }>;
  files: Array<{ path: string; content: string | null }>;
}

const POLICY_DIR = 'policies';
const CHANGE_ID_BYTES = 10;

/**
 * Change requests from proposal to running: a preview (patched files, rendered manifest diff per
 * environment, policy verdict, change windows) computed on a private copy of the config repo, then a
 * branch and PR through the repo's SCM provider, then merge, and tracking until the reconciler reports
 * the merge commit synced and healthy. Every step is stored before the next begins, and every provider
 * call is idempotent, so a restart resumes where it stopped and a retried submit opens no second PR.
 */
export class ChangeService {
  private readonly now: () => Date;
  private readonly previewRenderer = new ApplicationRenderer({ maxCacheEntries: 64 });
  private tracking: Promise<void> | undefined;
  private trackAgain = false;
  private following: Promise<void> | undefined;
  private followAgain = false;

  constructor(private readonly options: ChangeServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Computes what a change would do. Nothing is written anywhere. */
  async preview(body: CreateChangeRequestBody, actor: ChangeActor): Promise<ChangePreview> {
    const plan = await this.plan(body, actor);
    return plan.preview;
  }

  /**
   * Opens a change request: stored, then proposed as a PR. A policy deny or a closed change window is a
   * `ConflictError` and nothing is written. With an idempotency key already used by this requester, the
   * earlier request is returned (`created: false`).
   */
  async submit(
    body: CreateChangeRequestBody,
    actor: ChangeActor,
  ): Promise<{ created: boolean; request: ChangeRequest }> {
    if (body.idempotencyKey) {
      const earlier = await this.options.changes.findByIdempotencyKey(
        actor.userEntityRef,
        body.idempotencyKey,
      );
      if (earlier) {
        // The requester may have lost access since: a retry must not hand the request back regardless.
        await this.options.authorizer.authorize(actor, 'create', [earlier.entityRef]);
        return { created: false, request: withoutProposal(earlier) };
      }
    }
    const plan = await this.plan(body, actor);
    const { preview } = plan;
    if (preview.policy.verdict === 'deny') {
      throw new ConflictError(
        `policy denies this change: ${preview.policy.findings
          .filter(f => f.action === 'Deny')
          .map(f => `${f.policy} on ${f.object} (${f.application}): ${f.message}`)
          .join('; ')}`,
      );
    }
    this.assertWindowsOpen(preview.windows);
    // A repo no provider serves is refused now: stored, it would stay `checked` and be retried forever.
    this.providerFor(plan.repo.id);

    const at = this.now().toISOString();
    const id = `cr-${randomBytes(CHANGE_ID_BYTES).toString('hex')}`;
    const request: StoredChangeRequest = {
      id,
      title: body.title?.trim() || describeChanges(body.changes, plan.applications),
      ...(body.description ? { description: body.description } : {}),
      entityRef: plan.entityRef,
      repo: plan.repo.id,
      changes: body.changes,
      applications: plan.applications,
      state: 'checked',
      requestedBy: actor.userEntityRef,
      createdAt: at,
      updatedAt: at,
      baseSha: preview.baseSha,
      policy: preview.policy,
      approvals: [],
      approvalsRequired: preview.approvalsRequired,
      events: [
        { at, state: 'draft', actor: actor.userEntityRef, message: 'requested' },
        { at, state: 'checked', message: policySummary(preview.policy) },
      ],
      proposal: { files: plan.files },
    };
    const inserted = await this.options.changes.insert(request, body.idempotencyKey);
    if (!inserted.created) {
      return { created: false, request: withoutProposal(inserted.request) };
    }
    this.emit(inserted.request, undefined);
    const proposed = await this.propose(inserted.request);
    return { created: true, request: withoutProposal(proposed) };
  }

  async get(id: string): Promise<StoredChangeRequest> {
    const request = await this.options.changes.get(id);
    if (!request) throw new NotFoundError(`no change request ${id}`);
    return request;
  }

  /** Records an approval by someone other than the requester, who may approve on the entity. */
  async approve(id: string, actor: ChangeActor): Promise<ChangeRequest> {
    const request = await this.get(id);
    await this.options.authorizer.authorize(actor, 'approve', [request.entityRef]);
    if (request.state !== 'pr-open') {
      throw new ConflictError(`change request ${id} is ${request.state}; only an open request can be approved`);
    }
    if (normalizeEntityRef(request.requestedBy) === normalizeEntityRef(actor.userEntityRef)) {
      throw new NotAllowedError('you cannot approve your own change request');
    }
    let movedOn: ChangeRequestState | undefined;
    const updated = await this.options.changes.update(id, current => {
      if (current.state !== 'pr-open') {
        movedOn = current.state;
        return undefined;
      }
      if (current.approvals.some(a => a.by === actor.userEntityRef && a.source === 'backstage')) return undefined;
      const at = this.now().toISOString();
      return {
        ...current,
        updatedAt: at,
        approvals: [
          ...current.approvals,
          { by: actor.userEntityRef, at, source: 'backstage', groups: actor.ownershipEntityRefs },
        ],
        events: [...current.events, { at, state: current.state, actor: actor.userEntityRef, message: 'approved' }],
      };
    });
    if (movedOn) {
      throw new ConflictError(`change request ${id} is ${movedOn}; only an open request can be approved`);
    }
    this.emit(updated, request.state);
    return withoutProposal(updated);
  }

  /** Merges an open request once its approvals are in, its policy allows it and its windows are open. */
  async merge(id: string, actor: ChangeActor): Promise<ChangeRequest> {
    let request = await this.get(id);
    await this.options.authorizer.authorize(actor, 'create', [request.entityRef]);
    if (request.state === 'merged' || request.state === 'synced' || request.state === 'healthy') {
      return withoutProposal(request);
    }
    if (request.state !== 'pr-open' || !request.pullRequest) {
      throw new ConflictError(`change request ${id} is ${request.state}; only an open request can be merged`);
    }
    const missing = missingApprovals(request);
    if (missing.length > 0) {
      throw new ConflictError(`change request ${id} still needs ${missing.join('; ')}`);
    }
    this.assertWindowsOpen(request.applications.map(app => this.windowReport(app.environment)));
    const { provider, repository } = this.providerFor(request.repo);
    const { mergeSha } = await provider.mergePullRequest(repository, request.pullRequest, {
      commitTitle: `${request.title} (${request.id})`,
    });
    request = await this.transition(id, 'merged', {
      actor: actor.userEntityRef,
      message: `merged as ${mergeSha.slice(0, 12)}`,
      patch: current => ({ pullRequest: { ...current.pullRequest!, mergeSha } }),
    });
    this.options.refreshRepo(request.repo);
    return withoutProposal(request);
  }

  /** Closes a request that has not merged yet, and its PR. */
  async cancel(id: string, actor: ChangeActor): Promise<ChangeRequest> {
    const request = await this.get(id);
    await this.options.authorizer.authorize(actor, 'create', [request.entityRef]);
    if (FINAL_CHANGE_REQUEST_STATES.includes(request.state)) return withoutProposal(request);
    if (request.state !== 'draft' && request.state !== 'checked' && request.state !== 'pr-open') {
      throw new ConflictError(`change request ${id} is already ${request.state}; propose a rollback instead`);
    }
    if (request.pullRequest) {
      const { provider, repository } = this.providerFor(request.repo);
      await provider.closePullRequest(repository, request.pullRequest);
    }
    const closed = await this.transition(id, 'closed', {
      actor: actor.userEntityRef,
      message: 'cancelled',
      reason: 'cancelled by the requester',
    });
    if (closed.state !== 'closed') {
      throw new ConflictError(`change request ${id} is already ${closed.state}; propose a rollback instead`);
    }
    return withoutProposal(closed);
  }

  /**
   * Moves every unfinished request one step if it can: proposes the ones a restart interrupted, reads PR
   * state from the forge, and checks merged ones against the reconciler's verdicts. Runs one at a time.
   */
  track(): Promise<void> {
    if (this.tracking) {
      this.trackAgain = true;
      return this.tracking;
    }
    this.tracking = (async () => {
      do {
        this.trackAgain = false;
        const active = await this.options.changes.listActive();
        const pass = await this.readForges(active);
        for (const request of active) {
          try {
            await this.trackOne(request, pass);
          } catch (error) {
            this.options.logger.warn(`Tracking change request ${request.id} failed: ${error}`);
          }
        }
      } while (this.trackAgain);
    })().finally(() => {
      this.tracking = undefined;
    });
    return this.tracking;
  }

  /**
   * Checks merged requests against the verdicts, without asking any forge: cheap enough to run on every
   * verdict change, so a request turns synced and healthy seconds after the reconciler sees it.
   */
  followDeployments(): void {
    if (this.following) {
      this.followAgain = true;
      return;
    }
    this.following = (async () => {
      do {
        this.followAgain = false;
        const active = await this.options.changes.listActive();
        for (const request of active) {
          if ((request.state === 'merged' || request.state === 'synced') && request.pullRequest?.mergeSha) {
            try {
              await this.followDeployment(request, request.pullRequest.mergeSha);
            } catch (error) {
              this.options.logger.warn(`Following change request ${request.id} failed: ${error}`);
            }
          }
        }
      } while (this.followAgain);
    })()
      .catch(error => this.options.logger.warn(`Following merged change requests failed: ${error}`))
      .finally(() => {
        this.following = undefined;
      });
  }

  /**
   * Reads the PR of every open request, then resolves all their reviewers in one catalog query: a pass asks
   * the catalog once however many requests and reviews there are.
   */
  private async readForges(active: StoredChangeRequest[]): Promise<TrackPass> {
    const pullRequests: TrackPass['pullRequests'] = new Map();
    for (const request of active) {
      if (request.state !== 'pr-open' || !request.pullRequest) continue;
      const handle = request.pullRequest;
      try {
        const { provider, repository } = this.providerFor(request.repo);
        pullRequests.set(request.id, { handle, status: await provider.getPullRequest(repository, handle) });
      } catch (error) {
        // Reported by trackOne, like any other failure of this request.
        pullRequests.set(request.id, { handle, error });
      }
    }
    const logins = [...pullRequests.values()].flatMap(pr => pr.status?.approvals.map(a => a.by) ?? []);
    return { pullRequests, identities: await this.resolveForgeLogins(logins) };
  }

  /** The catalog users behind forge logins; `undefined` (and a warning) when the catalog cannot answer. */
  private async resolveForgeLogins(logins: string[]): Promise<Map<string, ForgeIdentity> | undefined> {
    const resolver = this.options.forgeIdentities;
    if (!resolver || logins.length === 0) return new Map();
    try {
      return await resolver.resolve(logins);
    } catch (error) {
      this.options.logger.warn(
        `Resolving forge reviewers ${[...new Set(logins)].join(', ')} in the catalog failed; their approvals keep their previous resolution: ${error}`,
      );
      return undefined;
    }
  }

  private async trackOne(listed: StoredChangeRequest, pass?: TrackPass): Promise<void> {
    // The list may be stale: another replica or an API call may have moved the request meanwhile.
    const request = (await this.options.changes.get(listed.id)) ?? listed;
    if (request.state === 'draft' || request.state === 'checked') {
      await this.propose(request);
      return;
    }
    if (request.state === 'pr-open' && request.pullRequest) {
      const { provider, repository } = this.providerFor(request.repo);
      const read = pass?.pullRequests.get(request.id);
      let pr: PullRequestStatus;
      let identities: Map<string, ForgeIdentity> | undefined;
      if (read && read.handle.id === request.pullRequest.id) {
        if (!read.status) throw read.error;
        pr = read.status;
        identities = pass!.identities;
      } else {
        pr = await provider.getPullRequest(repository, request.pullRequest);
        identities = await this.resolveForgeLogins(pr.approvals.map(a => a.by));
      }
      if (pr.state === 'merged' && pr.mergeSha) {
        await this.transition(request.id, 'merged', {
          message: `merged as ${pr.mergeSha.slice(0, 12)}`,
          patch: current => ({ pullRequest: { ...current.pullRequest!, mergeSha: pr.mergeSha, checks: pr.checks } }),
        });
        this.options.refreshRepo(request.repo);
      } else if (pr.state === 'closed') {
        await this.transition(request.id, 'closed', { message: 'the pull request was closed', reason: 'the pull request was closed without merging' });
      } else {
        await this.options.changes.update(request.id, current => {
          const approvals = mergeApprovals(current.approvals, pr.approvals, identities);
          if (
            current.state !== 'pr-open' ||
            (current.pullRequest?.checks === pr.checks &&
              JSON.stringify(approvals) === JSON.stringify(current.approvals))
          ) {
            return undefined;
          }
          return { ...current, approvals, pullRequest: { ...current.pullRequest!, checks: pr.checks } };
        });
      }
      return;
    }
    if ((request.state === 'merged' || request.state === 'synced') && request.pullRequest?.mergeSha) {
      await this.followDeployment(request, request.pullRequest.mergeSha);
    }
  }

  /** merged → synced when every application reports Synced at the merge commit or later; → healthy after. */
  private async followDeployment(request: StoredChangeRequest, mergeSha: string): Promise<void> {
    const repo = this.repo(request.repo);
    let synced = true;
    let healthy = true;
    const degraded: string[] = [];
    for (const app of request.applications) {
      const detail = await this.options.status.getApplication(app.name);
      const status = detail?.status;
      const revision = status?.revision?.sha;
      const atMerge = revision !== undefined && (await repo.isAncestor(mergeSha, revision).catch(() => false));
      if (!status || !atMerge || status.problem || status.sync !== 'Synced') {
        synced = false;
        healthy = false;
        continue;
      }
      if (status.health !== 'Healthy') healthy = false;
      if (status.health === 'Degraded') degraded.push(`${app.name}: ${status.healthMessage ?? 'Degraded'}`);
    }
    let current = request;
    if (synced && current.state === 'merged') {
      current = await this.transition(request.id, 'synced', { message: 'applied to every environment' });
    }
    if (healthy && current.state === 'synced') {
      await this.transition(request.id, 'healthy', { message: 'every environment is healthy' });
      return;
    }
    const mergedAt = current.events.find(e => e.state === 'merged')?.at;
    const timeout = this.options.healthTimeoutMs ?? 30 * 60_000;
    if (mergedAt && this.now().getTime() - Date.parse(mergedAt) > timeout) {
      let why = synced ? 'not healthy in time' : 'not synced in time';
      if (degraded.length > 0) why = degraded.join('; ');
      await this.transition(request.id, 'failed', { message: why, reason: why });
    }
  }

  /** Opens (or finds, on a retry) the PR of a stored request. Forge outages leave it for the tracker. */
  private async propose(stored: StoredChangeRequest): Promise<StoredChangeRequest> {
    const request = (await this.options.changes.get(stored.id)) ?? stored;
    if (request.state !== 'draft' && request.state !== 'checked') return request;
    const { provider, repository } = this.providerFor(request.repo);
    const repo = this.repo(request.repo);
    let handle: PullRequestHandle;
    try {
      handle = await provider.openPullRequest({
        repository,
        baseSha: request.baseSha,
        branch: `gitops/${request.id}`,
        title: request.title,
        body: this.pullRequestBody(request),
        commitMessage: `${request.title}\n\n${request.description ?? ''}\n\nChange-Request: ${request.id}\nRequested-by: ${request.requestedBy}\n`.replace(/\n{3,}/g, '\n\n'),
        author: this.options.commitAuthor ?? { name: 'Backstage GitOps', email: 'gitops@backstage.invalid' },
        files: request.proposal.files.map(file => ({ path: repo.repoPathOf(file.path), content: file.content })),
        labels: ['gitops', ...new Set(request.applications.map(app => `env:${app.environment}`))],
        reviewers: [],
      });
    } catch (error) {
      if (error instanceof ServiceUnavailableError || error instanceof GitCommandError) {
        this.options.logger.warn(`Opening the PR of ${request.id} failed, will retry: ${error.message}`);
        return request;
      }
      return this.transition(request.id, 'failed', {
        message: `opening the pull request failed: ${(error as Error).message}`,
        reason: (error as Error).message,
      });
    }
    const opened = await this.transition(request.id, 'pr-open', {
      message: handle.url ? `pull request ${handle.url}` : `branch ${handle.branch}`,
      patch: () => ({ pullRequest: { provider: provider.type, ...handle, checks: 'none' } }),
    });
    if (opened.state !== 'pr-open') {
      // Cancelled while the PR was being opened: nobody tracks it any more, so it must not stay open.
      await provider
        .closePullRequest(repository, handle)
        .catch(error => this.options.logger.warn(`Closing the PR of cancelled ${request.id} failed: ${error}`));
      return opened;
    }
    await provider
      .setCommitStatus(repository, handle.headSha, {
        context: 'gitops/policy',
        state: opened.policy.verdict === 'deny' ? 'failure' : 'success',
        description: policySummary(opened.policy).slice(0, 140),
        targetUrl: this.options.changeUrl?.(opened.id),
      })
      .catch(error => this.options.logger.warn(`Publishing the policy status of ${request.id} failed: ${error}`));
    return opened;
  }

  /** Moves a request to `state` (only forward, and never out of a final state) and tells the listener. */
  private async transition(
    id: string,
    state: ChangeRequestState,
    step: {
      actor?: string;
      message?: string;
      reason?: string;
      patch?: (current: StoredChangeRequest) => Partial<StoredChangeRequest>;
    },
  ): Promise<StoredChangeRequest> {
    let previous: ChangeRequestState | undefined;
    const updated = await this.options.changes.update(id, current => {
      if (!canMove(current.state, state)) return undefined;
      previous = current.state;
      const at = this.now().toISOString();
      const event: ChangeRequestEvent = {
        at,
        state,
        ...(step.actor ? { actor: step.actor } : {}),
        ...(step.message ? { message: step.message } : {}),
      };
      return {
        ...current,
        ...step.patch?.(current),
        state,
        updatedAt: at,
        ...(step.reason ? { reason: step.reason } : {}),
        events: [...current.events, event],
      };
    });
    if (previous !== undefined) this.emit(updated, previous);
    return updated;
  }

  private emit(request: StoredChangeRequest, previous: ChangeRequestState | undefined): void {
    try {
      this.options.listener?.onChange(withoutProposal(request), previous);
    } catch (error) {
      this.options.logger.warn(`Announcing change request ${request.id} failed: ${error}`);
    }
  }

  private async plan(body: CreateChangeRequestBody, actor: ChangeActor): Promise<Plan> {
    if (body.changes.length === 0) throw new InputError('a change request needs at least one change');
    const { repo, entityRefs } = await this.repoOf(body.changes);
    // Entities known before any Git work are checked first: a refusal costs nothing and reveals no render.
    await this.options.authorizer.authorize(actor, 'create', [...entityRefs]);
    const head = await repo.fetch().catch(error => {
      throw error instanceof RepoUnreachableError
        ? new ServiceUnavailableError(`config repo ${repo.id} is unreachable, so the change cannot be computed: ${error.message}`)
        : error;
    });
    const baseSha = head.sha;
    const parent = join(this.options.workDir, 'changes');
    await fs.mkdir(parent, { recursive: true });
    const dir = await repo.checkoutWritable(baseSha, parent);
    try {
      return await this.planIn(body, actor, repo, baseSha, dir);
    } finally {
      await fs.rm(dirname(dir), { recursive: true, force: true });
    }
  }

  private async planIn(
    body: CreateChangeRequestBody,
    actor: ChangeActor,
    repo: ConfigRepository,
    baseSha: string,
    dir: string,
  ): Promise<Plan> {
    const tree = new WorkingTree(dir);
    const declared = await loadApplications(dir, repo.id);
    const specs = new Map(declared.applications.map(spec => [spec.name, spec]));
    const ctx: PlanContext = {
      tree,
      application: name => {
        const spec = specs.get(name);
        if (!spec) {
          const broken = declared.errors.find(e => e.application === name);
          throw broken
            ? new InputError(`application ${name} cannot be changed: ${broken.file}: ${broken.message}`)
            : new NotFoundError(`config repo ${repo.id} declares no application ${name}`);
        }
        return spec;
      },
      render: spec => this.renderWorking(spec, dir),
      mergedChange: async id => {
        const earlier = await this.get(id);
        if (!earlier.pullRequest?.mergeSha || !['merged', 'synced', 'healthy', 'failed'].includes(earlier.state)) {
          throw new ConflictError(`change request ${id} is ${earlier.state}: only a merged change can be rolled back`);
        }
        if (earlier.repo !== repo.id) throw new InputError(`change request ${id} changed another config repo`);
        // The merge commit against its first parent is exactly what the merge changed, however the forge merged
        // (merge commit, squash or rebase); the PR's own head may never have been fetched.
        const { mergeSha } = earlier.pullRequest;
        const parent = await repo.parentOf(mergeSha);
        if (!parent) {
          throw new ConflictError(`the merge commit ${mergeSha.slice(0, 12)} of change request ${id} is not on ${repo.branch}`);
        }
        return {
          entityRef: earlier.entityRef,
          files: earlier.proposal.files.map(f => f.path),
          baseSha: parent,
          headSha: mergeSha,
        };
      },
      readAtCommit: (sha, path) => repo.readFile(sha, path),
      drift: async (application, resource, path) => {
        const detail = await this.options.status.getApplication(application);
        const found = detail?.resources.find(
          r => r.ref.kind === resource.kind && r.ref.name === resource.name &&
            (r.ref.namespace ?? '') === (resource.namespace ?? r.ref.namespace ?? ''),
        );
        return found?.drifts.find(d => d.path === path);
      },
      clusterNames: () => this.options.clusterNames,
      mergeFile: (current, base, other, path) => mergeFile(current, base, other, path, this.options.workDir),
    };

    // Touched applications are collected before planning: a rollback learns its entity from the earlier request.
    const touched = new Set(body.changes.flatMap(applicationsOf));
    const expectations = [];
    for (const change of body.changes) {
      expectations.push(...(await planChange(change, ctx)));
    }
    await verifyExpectations(ctx, expectations);
    const edits = await tree.edits();
    if (edits.length === 0) {
      throw new InputError('the change leaves every file as it is: nothing to propose');
    }
    if (body.baseSha && body.baseSha !== baseSha) {
      const moved = await repo.changedPaths(body.baseSha, baseSha).catch(() => undefined);
      const clash = edits.map(e => e.path).filter(path => moved === undefined || moved.includes(path));
      if (clash.length > 0) {
        throw new ConflictError(
          `the config repo moved from ${body.baseSha.slice(0, 12)} to ${baseSha.slice(0, 12)} and changed ${clash.join(', ')} since the preview; preview again`,
        );
      }
    }

    // Every application whose render reads an edited file, or whose declaration changed.
    const after = await loadApplications(dir, repo.id);
    const afterSpecs = new Map(after.applications.map(spec => [spec.name, spec]));
    for (const change of body.changes) {
      if (change.type !== 'application') continue;
      // A new service must not redeclare (and so take over) an application someone else already declares.
      for (const environment of change.environments) {
        const existing = specs.get(`${change.name}-${environment.name}`);
        if (existing) {
          throw new ConflictError(
            `application ${existing.name} is already declared in ${existing.declaredIn} for ${existing.entityRef}; choose another name`,
          );
        }
      }
    }
    const broken = after.errors.filter(error => edits.some(edit => edit.path === error.file));
    if (broken.length > 0) {
      throw new InputError(
        `after this change the config repo's applications do not load: ${broken.map(e => `${e.file}: ${e.message}`).join('; ')}`,
      );
    }
    const baseDir = await repo.checkout(baseSha);
    const baseTree = { dir: baseDir, sha: baseSha, treeHash: (path: string) => repo.treeHash(baseSha, path) };
    const editedPaths = edits.map(e => e.path);
    const previews: ApplicationPreview[] = [];
    const affected: ApplicationSpec[] = [];
    const policyChanges: PolicyChange[] = [];
    for (const name of [...new Set([...specs.keys(), ...afterSpecs.keys()])].sort()) {
      const before = specs.get(name);
      const next = afterSpecs.get(name);
      let beforeRender: RenderedApplication | undefined;
      if (before) {
        beforeRender = await this.options.renderer.renderApplication(before, baseTree);
        const reads = beforeRender.dependencies;
        const specChanged = JSON.stringify(before) !== JSON.stringify(next);
        if (!specChanged && !touched.has(name) && !editedPaths.some(p => reads.some(d => d === '.' || p === d || p.startsWith(`${d}/`)))) {
          continue;
        }
      }
      const spec = next ?? before!;
      const beforeObjects = beforeRender?.objects ?? [];
      const afterObjects = next ? await this.renderWorking(next, dir) : [];
      const manifests = diffManifests(beforeObjects, afterObjects);
      if (manifests.length === 0 && !touched.has(name)) continue;
      affected.push(spec);
      previews.push({ application: name, environment: spec.environment, manifests });
      const index = new Map(beforeObjects.map(o => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      for (const object of afterObjects) {
        const key = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
        const old = index.get(key);
        index.delete(key);
        if (old && JSON.stringify(old) === JSON.stringify(object)) continue;
        policyChanges.push({ object, oldObject: old ?? null, environment: spec.environment, application: name });
      }
      for (const old of index.values()) {
        policyChanges.push({ object: null, oldObject: old, environment: spec.environment, application: name });
      }
    }
    if (affected.length === 0) {
      throw new InputError('the change renders to the same manifests in every environment: nothing to propose');
    }

    // An application whose declaration moves to another entity concerns both: the old owner must agree too.
    const entityRefs = [
      ...new Set(
        affected.flatMap(spec =>
          [spec.entityRef, specs.get(spec.name)?.entityRef].filter((ref): ref is string => Boolean(ref)),
        ).map(normalizeEntityRef),
      ),
    ];
    const newApp = body.changes.find(c => c.type === 'application');
    const entityRef = newApp?.type === 'application' ? normalizeEntityRef(newApp.entityRef) : entityRefs[0];
    await this.options.authorizer.authorize(actor, 'create', [...new Set([entityRef, ...entityRefs])]);
    // Approve, merge and cancel are decided on one entity: a request may not span several.
    const others = entityRefs.filter(ref => ref !== entityRef);
    if (others.length > 0) {
      throw new InputError(
        `this change touches applications of ${[entityRef, ...others].join(', ')}: propose one change request per entity`,
      );
    }

    const policies = [...(await this.repoPolicies(baseDir)), ...(this.options.configPolicies ?? [])];
    const verdict = evaluatePolicies(policies, policyChanges, { timeBudgetMs: 2000, now: () => performance.now() });
    const policy: PolicyReport = {
      verdict: verdict.verdict,
      findings: verdict.results
        .filter(r => !r.allowed || r.error)
        .map(r => ({
          policy: r.policy,
          object: r.object,
          application: applicationOfObject(r.object, policyChanges),
          action: r.action,
          // The result's message already carries the error's; the code says which kind it is.
          message: r.error ? `${r.error.code}: ${r.message}` : r.message,
        })),
    };
    const environments = [...new Set(affected.map(spec => spec.environment))];
    const preview: ChangePreview = {
      baseSha,
      files: diffFiles(edits, path => repo.repoPathOf(path)),
      applications: previews,
      policy,
      windows: environments.map(env => this.windowReport(env)),
      approvalsRequired: environments
        .map(env => this.options.approvalRules?.get(env))
        .filter((rule): rule is ApprovalRule => rule !== undefined),
    };
    return {
      preview,
      repo,
      entityRef,
      applications: affected.map(spec => ({ name: spec.name, environment: spec.environment })),
      files: await Promise.all(edits.map(async e => ({ path: e.path, content: e.after }))),
    };
  }

  /** Renders from the working copy; a render failure is the requester's problem to see. */
  private async renderWorking(spec: ApplicationSpec, dir: string): Promise<KubeObject[]> {
    const rendered = await this.previewRenderer.renderApplication(spec, {
      dir,
      sha: 'working-copy',
      // A fresh id per call: the working copy changes between renders, so nothing may come from the cache.
      treeHash: async path => ((await exists(join(dir, path))) ? `${Date.now()}-${Math.random()}` : undefined),
    });
    if (rendered.problem) {
      throw new InputError(`after this change, ${spec.name} does not render: ${rendered.problem.message}`);
    }
    return rendered.objects as KubeObject[];
  }

  private async repoPolicies(baseDir: string): Promise<Policy[]> {
    const dir = join(baseDir, POLICY_DIR);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const policies: Policy[] = [];
    for (const name of names.filter(n => /\.ya?ml$/.test(n)).sort()) {
      const text = await fs.readFile(join(dir, name), 'utf8');
      try {
        policies.push(...loadPolicies(text, `${POLICY_DIR}/${name}`));
      } catch (error) {
        // A broken policy must not silently allow everything: it blocks until fixed.
        throw new ConflictError(`policy file ${POLICY_DIR}/${name} is invalid, so no change can be checked: ${(error as Error).message}`);
      }
    }
    return policies;
  }

  private windowReport(environment: string): ChangeWindowReport {
    return this.options.windows?.report(environment, this.now()) ?? { environment, open: true };
  }

  private assertWindowsOpen(windows: ChangeWindowReport[]): void {
    const closed = windows.filter(w => !w.open);
    if (closed.length > 0) {
      throw new ConflictError(
        `change window closed: ${closed
          .map(w => `${w.environment}${w.reason ? ` (${w.reason})` : ''}${w.nextOpenAt ? `, opens ${w.nextOpenAt}` : ''}`)
          .join('; ')}`,
      );
    }
  }

  /** The one config repo the changes touch, and the entities they name (the plan may find more). */
  private async repoOf(changes: ChangeSpec[]): Promise<{ repo: ConfigRepository; entityRefs: Set<string> }> {
    const { repos } = this.options;
    const ids = new Set<string>();
    const entityRefs = new Set<string>();
    for (const change of changes) {
      if (change.type === 'application') {
        entityRefs.add(normalizeEntityRef(change.entityRef));
        if (change.repo) ids.add(change.repo);
        else if (repos.length === 1) ids.add(repos[0].id);
        else throw new InputError('several config repos are configured: name one in "repo"');
        continue;
      }
      if (change.type === 'rollback') {
        const earlier = await this.get(change.changeRequest);
        ids.add(earlier.repo);
        entityRefs.add(normalizeEntityRef(earlier.entityRef));
        continue;
      }
      for (const name of applicationsOf(change)) {
        const detail = await this.options.status.getApplication(name);
        if (!detail) throw new NotFoundError(`no application named ${name}`);
        ids.add(detail.status.application.source.repo);
        entityRefs.add(normalizeEntityRef(detail.status.application.entityRef));
      }
      if (change.type === 'promote') {
        const source = await this.options.status.getApplication(change.from);
        if (!source) throw new NotFoundError(`no application named ${change.from}`);
      }
    }
    if (ids.size !== 1) {
      throw new InputError(`one change request changes one config repo; these changes touch ${[...ids].join(', ')}`);
    }
    return { repo: this.repo([...ids][0]), entityRefs };
  }

  private repo(id: string): ConfigRepository {
    const repo = this.options.repos.find(r => r.id === id);
    if (!repo) throw new NotFoundError(`no config repo ${id} is configured`);
    return repo;
  }

  private providerFor(repoId: string): { provider: ScmProvider; repository: ScmRepository } {
    const repo = this.repo(repoId);
    const repository = { id: repo.id, url: repo.url, branch: repo.branch };
    const provider = this.options.providers.find(p => p.supports(repository));
    if (!provider) {
      throw new InputError(`no SCM provider can open pull requests on config repo ${repo.id} (${repo.url})`);
    }
    return { provider, repository };
  }

  private pullRequestBody(request: StoredChangeRequest): string {
    const link = this.options.changeUrl?.(request.id);
    const lines = [
      request.description ?? '',
      '',
      `Requested by \`${request.requestedBy}\` for \`${request.entityRef}\` through Backstage GitOps.`,
      '',
      '| application | environment |',
      '|---|---|',
      ...request.applications.map(app => `| ${app.name} | ${app.environment} |`),
      '',
      `**Policy:** ${policySummary(request.policy)}`,
      ...request.policy.findings.map(f => `- ${f.action} \`${f.policy}\` on \`${f.object}\`: ${f.message}`),
      '',
      ...(request.approvalsRequired.length > 0
        ? [`**Approvals required:** ${request.approvalsRequired.map(describeRule).join('; ')}`, '']
        : []),
      ...(link ? [`Follow it in Backstage: ${link}`] : []),
      `<!-- gitops-change-request: ${request.id} -->`,
    ];
    return lines.join('\n').trim();
  }
}

// The lifecycle only moves forward: a late tracker pass or a racing cancel must never undo a merge.
const RANK: Record<ChangeRequestState, number> = {
  draft: 0,
  checked: 1,
  'pr-open': 2,
  merged: 3,
  synced: 4,
  healthy: 5,
  rejected: 6,
  closed: 6,
  failed: 6,
};

function canMove(from: ChangeRequestState, to: ChangeRequestState): boolean {
  if (FINAL_CHANGE_REQUEST_STATES.includes(from) || from === to) return false;
  // Closing or rejecting is for requests that have not merged; failing can happen at any step.
  if (to === 'closed' || to === 'rejected') return RANK[from] <= RANK['pr-open'];
  return RANK[to] > RANK[from];
}

function applicationOfObject(object: string, changes: PolicyChange[]): string {
  const [, kind, namespace, name] = object.split('/');
  const hit = changes.find(c => {
    const o = c.object ?? c.oldObject;
    return o?.kind === kind && (o.metadata.namespace ?? '') === (namespace ?? '') && o.metadata.name === name;
  });
  return hit?.application ?? '';
}

function policySummary(policy: PolicyReport): string {
  const count = (action: string) => policy.findings.filter(f => f.action === action).length;
  if (policy.verdict === 'allow') return 'every policy allows this change';
  if (policy.verdict === 'warn') return `allowed with ${count('Warn')} warning(s)`;
  return `denied by ${count('Deny')} finding(s)`;
}

function describeRule(rule: ApprovalRule): string {
  return `${rule.environment}: ${rule.count}${rule.from ? ` from ${rule.from.join(' or ')}` : ''}`;
}

/** What is still missing before merge, per environment rule; the forge's and Backstage's approvals both count. */
export function missingApprovals(request: ChangeRequest): string[] {
  // One vote per person, whichever way they gave it, and never the requester's own. A person who approved both
  // ways is one vote, with the refs (user and groups) of both approvals.
  const requester = normalizeEntityRef(request.requestedBy);
  const votes = new Map<string, Set<string>>();
  for (const approval of request.approvals) {
    const who = approverIdentity(approval);
    if (who === requester) continue;
    const refs = votes.get(who) ?? new Set([who]);
    for (const group of approval.groups ?? []) refs.add(normalizeEntityRef(group));
    votes.set(who, refs);
  }
  return request.approvalsRequired.flatMap(rule => {
    const counted = [...votes.values()].filter(
      refs => !rule.from || rule.from.some(f => refs.has(normalizeEntityRef(f))),
    );
    return counted.length >= rule.count ? [] : [`${rule.count - counted.length} more approval(s) for ${describeRule(rule)}`];
  });
}

/**
 * The catalog user who approved. A forge review counts as the user its login resolved to (`user`); one stored
 * before reviewers were resolved counts as `user:default/<login>`.
 */
function approverIdentity(approval: Approval): string {
  if (approval.source === 'forge') {
    return normalizeEntityRef(approval.user ?? `user:default/${approval.by}`);
  }
  return normalizeEntityRef(approval.by);
}

/**
 * The forge's current reviews, each with the catalog user and groups its login resolves to. Without an answer
 * from the catalog (`identities` undefined, or a login it was not asked about), a review keeps the resolution
 * stored with the same login before, so an outage never takes an approval's groups away.
 */
function mergeApprovals(
  ours: Approval[],
  forge: Array<{ by: string; at: string }>,
  identities: Map<string, ForgeIdentity> | undefined,
): Approval[] {
  const kept = ours.filter(a => a.source === 'backstage');
  const previous = new Map(
    ours.filter(a => a.source === 'forge' && a.user).map(a => [a.by.toLowerCase(), a]),
  );
  return [
    ...kept,
    ...forge.map((f): Approval => {
      const identity = identities?.get(f.by.toLowerCase()) ?? previous.get(f.by.toLowerCase());
      return {
        by: f.by,
        at: f.at,
        source: 'forge',
        ...(identity?.user ? { user: identity.user, groups: identity.groups ?? [identity.user] } : {}),
      };
    }),
  ];
}

function describeChanges(changes: ChangeSpec[], applications: Array<{ name: string }>): string {
  const first = changes[0];
  const where = applications.map(a => a.name).join(', ');
  switch (first.type) {
    case 'image':
      return `Set image tag ${first.tag} in ${where}`;
    case 'replicas':
      return `Scale ${where} to ${first.replicas} replicas`;
    case 'env':
      return first.value === null ? `Unset ${first.name} in ${where}` : `Set ${first.name} in ${where}`;
    case 'resources':
      return `Change resources in ${where}`;
    case 'promote':
      return `Promote ${first.from} to ${first.to}`;
    case 'rollback':
      return `Roll back ${first.changeRequest}`;
    case 'codify':
      return `Codify live ${first.path} of ${first.resource.kind}/${first.resource.name} in ${first.application}`;
    case 'application':
      return `Add ${first.name} (${first.environments.map(e => e.name).join(', ')})`;
    default:
      return 'Change';
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(() => true, () => false);
}

/** `git merge-file`: a three-way merge of contents, no repository needed. */
async function mergeFile(current: string, base: string, other: string, path: string, workDir: string): Promise<string> {
  const dir = await fs.mkdtemp(join(workDir, 'merge-'));
  try {
    const files = ['current', 'base', 'other'].map(name => join(dir, name));
    await Promise.all([current, base, other].map((text, i) => fs.writeFile(files[i], text)));
    const { stdout, exitCode } = await runGit(['merge-file', '-p', ...files], { okExitCodes: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    if (exitCode !== 0) {
      throw new ConflictError(`${path} changed since; reverting it conflicts with those later edits`);
    }
    return stdout;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
