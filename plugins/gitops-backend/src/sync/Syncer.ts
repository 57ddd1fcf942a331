import type {
  AuditorService,
  AuditorServiceEvent,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  formatResourceKey,
  resourceKeyOf,
} from '@backstage-gitops/gitops-engine';
import type {
  SyncResourceResult,
  SyncRun,
  SyncTrigger,
} from '@backstage-gitops/plugin-gitops-common';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { ClusterLiveCache } from '../cluster/ClusterLiveCache';
import type { SyncStore } from '../database/DatabaseSyncStore';
import type { ApplicationVerdict } from '../database/GitOpsStore';
import type { DesiredState } from '../reconcile/Reconciler';
import type { EnvironmentPolicies } from './readEnvironmentPolicies';
import { keptFromPrune, runSync, type SyncClient } from './runSync';
import {
  DEFAULT_SELF_HEAL_BACKOFF,
  selfHealDelay,
  type SelfHealBackoff,
} from './selfHealDelay';

/** What the syncer reads from the reconciler, and tells it. */
export interface SyncSource {
  desiredState(name: string): DesiredState | undefined;
  /** A sync finished: `lastSyncedAt` goes out with the next verdict (the watch confirms the rest). */
  noteSynced(name: string, at: string): void;
}

/** The clusters a sync applies to (ClusterRegistry). */
export interface SyncClusters {
  client(name: string): SyncClient;
  get(name: string): Pick<ClusterLiveCache, 'objectsOf'>;
}

export interface SyncerOptions {
  source: SyncSource;
  clusters: SyncClusters;
  store: SyncStore;
  policies: Pick<EnvironmentPolicies, 'evaluate'>;
  auditor: AuditorService;
  logger: LoggerService;
  fieldManager: string;
  selfHealBackoff?: SelfHealBackoff;
  /**
   * Whether this replica syncs a cluster's applications (it holds the cluster's lease). Default: every
   * cluster. A "sync now" of another replica's cluster is queued for it, and runs left `running` are settled
   * by the replica holding their cluster ({@link Syncer.sweepRuns}).
   */
  owns?(cluster: string): boolean;
  /** Called whenever a run starts, finishes or is recorded as skipped. */
  onRun?(run: SyncRun): void;
  now?: () => Date;
}

export interface SyncNowOptions {
  /** Who asked (`user:default/alice`). */
  requestedBy?: string;
  /** The HTTP request that asked, so the audit event names its caller. */
  request?: Request;
}

interface ApplicationState {
  /** The latest verdict of an automated application. */
  verdict?: ApplicationVerdict;
  /** Self-heals in a row; starts over after a new revision, or once it stayed synced for `maxMs`. */
  selfHeals: number;
  /** Since when verdicts have shown nothing to sync (undefined while something is). */
  quietSince?: number;
  timer?: NodeJS.Timeout;
  /** A decision is being made; `again` asks for one more after it (a newer verdict came meanwhile). */
  deciding?: Promise<void>;
  again?: boolean;
}

/** Longest single timer; a window opening later is re-checked on the way. */
const MAX_TIMER_MS = 3_600_000;
const INTERRUPTED = 'the backend stopped before this sync finished';
/** Starts the message of a manual run another replica will execute; the replica holding the cluster looks for it. */
const QUEUED_PREFIX = 'Queued for the replica that watches cluster ';

/**
 * Applies applications to their clusters: automated sync of applications that opt in (once per new
 * revision, and on drift with `selfHeal`, backing off while something keeps reverting it), and "sync now".
 * Change windows hold back automated syncs, and manual ones unless the blocking windows allow them. Every
 * sync is recorded as a run and audited; its effect reaches the status only through the watch.
 */
export class Syncer {
  private readonly states = new Map<string, ApplicationState>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly backoff: SelfHealBackoff;
  private readonly now: () => Date;
  private stopped = false;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly options: SyncerOptions) {
    this.backoff = options.selfHealBackoff ?? DEFAULT_SELF_HEAL_BACKOFF;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Marks runs a stopped process left `running` as failed. With `failInterrupted: false` (replicas sharing a
   * database, where a running run may be another replica's) they are left to {@link Syncer.sweepRuns}.
   */
  async start(options: { failInterrupted?: boolean } = {}): Promise<void> {
    this.stopped = false;
    if (options.failInterrupted === false) return;
    const count = await this.options.store.failInterruptedRuns(
      this.timestamp(),
      INTERRUPTED,
    );
    if (count > 0) {
      this.options.logger.warn(
        `Marked ${count} interrupted sync run(s) as failed`,
      );
    }
  }

  /** Stops deciding and clears timers; running syncs finish (see {@link Syncer.whenIdle}). */
  stop(): void {
    this.stopped = true;
    for (const state of this.states.values()) clearTimeout(state.timer);
  }

  /** Resolves when no sync is running and no decision is pending. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [
        ...this.running.values(),
        ...[...this.states.values()].flatMap(s =>
          s.deciding ? [s.deciding] : [],
        ),
      ];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  /** The reconciler's hook: every stored verdict, changed or not. */
  onVerdict(name: string, verdict: ApplicationVerdict): void {
    const desired = this.options.source.desiredState(name);
    if (!desired?.spec.syncPolicy.automated) {
      const state = this.states.get(name);
      if (state) clearTimeout(state.timer);
      this.states.delete(name);
      return;
    }
    this.state(name).verdict = verdict;
    this.decide(name);
  }

  /**
   * "Sync now": starts a manual sync and returns its run, `running`. `NotFoundError` for an unknown
   * application; `ConflictError` when a change window blocks it, the desired state cannot be trusted, or
   * a sync of it is already running.
   */
  async syncNow(name: string, options: SyncNowOptions = {}): Promise<SyncRun> {
    const desired = this.options.source.desiredState(name);
    if (!desired) throw new NotFoundError(`No application named ${name}`);
    const { spec } = desired;
    const refuse = async (message: string): Promise<never> => {
      const error = new ConflictError(message);
      const event = await this.audit(
        'manual',
        name,
        desired.revision.sha,
        options,
      );
      await event.fail({ error, meta: { result: 'refused' } });
      throw error;
    };
    if (desired.problem) {
      return refuse(`Cannot sync ${name}: ${desired.problem.message}`);
    }
    const windows = this.options.policies.evaluate(
      spec.environment,
      this.now(),
    );
    if (!windows.open && !windows.manualSyncAllowed) {
      return refuse(
        `A change window blocks syncing ${name} in ${spec.environment}: ${
          windows.reason
        }${windows.nextOpenAt ? `; it opens at ${windows.nextOpenAt}` : ''}`,
      );
    }
    const run = this.ownsCluster(spec.destination.cluster)
      ? await this.startSync(name, desired, 'manual', options)
      : await this.queueForOwner(name, desired, options);
    if (!run) return refuse(`A sync of ${name} is already running`);
    return run;
  }

  /**
   * Settles the runs left `running` on clusters this replica holds: a run another replica queued is
   * executed, one whose replica is gone (its lease expired) is marked failed. Runs one at a time; called
   * on every lease renewal.
   */
  sweepRuns(): Promise<void> {
    if (!this.options.owns || this.stopped) return Promise.resolve();
    this.sweeping ??= this.sweep()
      .catch(error =>
        this.options.logger.warn(`Settling running syncs failed: ${error}`),
      )
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  /** Resolves once no sync of the cluster's applications runs here (before its lease is handed over). */
  async whenClusterIdle(cluster: string): Promise<void> {
    for (;;) {
      const pending = [...this.running]
        .filter(
          ([name]) =>
            this.options.source.desiredState(name)?.spec.destination.cluster ===
            cluster,
        )
        .map(([, work]) => work);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  private ownsCluster(cluster: string): boolean {
    return this.options.owns?.(cluster) ?? true;
  }

  private async sweep(): Promise<void> {
    const orphans: SyncRun[] = [];
    for (const run of await this.options.store.listRunning()) {
      if (this.stopped) return;
      if (this.running.has(run.application)) continue;
      const desired = this.options.source.desiredState(run.application);
      // Not rendered here yet, or not ours: the next sweep, or the replica holding the cluster, decides.
      if (!desired || !this.ownsCluster(desired.spec.destination.cluster)) {
        continue;
      }
      if (!run.message?.startsWith(QUEUED_PREFIX)) {
        orphans.push(run);
      } else if (await this.options.store.claimRun(run.id, run.message)) {
        // Claimed: should this replica die while it runs, the next holder fails it like any other.
        this.adopt(run, desired);
      }
    }
    if (orphans.length === 0) return;
    const count = await this.options.store.failInterruptedRuns(
      this.timestamp(),
      INTERRUPTED,
      orphans.map(run => run.id),
    );
    if (count > 0) {
      this.options.logger.warn(
        `Marked ${count} sync run(s) interrupted by another replica as failed`,
      );
    }
  }

  /** A manual sync asked of a replica that does not hold the cluster: recorded, run by the one that does. */
  private async queueForOwner(
    name: string,
    desired: DesiredState,
    options: SyncNowOptions,
  ): Promise<SyncRun | undefined> {
    const revision = desired.revision.sha;
    const run = await this.options.store.startRun({
      application: name,
      trigger: 'manual',
      revision,
      startedAt: this.timestamp(),
      message: `${QUEUED_PREFIX}${desired.spec.destination.cluster}`,
      ...(options.requestedBy && { requestedBy: options.requestedBy }),
    });
    if (!run) return undefined;
    const event = await this.audit('manual', name, revision, options, run.id);
    await event.success({ meta: { result: 'queued', runId: run.id } });
    this.options.onRun?.(run);
    return run;
  }

  /** Executes a run another replica queued for this one. */
  private adopt(run: SyncRun, desired: DesiredState): void {
    const name = run.application;
    let release!: () => void;
    this.running.set(name, new Promise<void>(resolve => (release = resolve)));
    if (run.revision !== desired.revision.sha) {
      // The replica that queued it saw another commit: applying this one would record the wrong revision.
      const work = this.options.store
        .finishRun(run.id, {
          finishedAt: this.timestamp(),
          result: 'failed',
          message: `the config repo moved on to ${desired.revision.sha.slice(
            0,
            12,
          )} before this sync ran; sync again`,
          resources: [],
        })
        .then(finished => this.options.onRun?.(finished))
        .finally(() => {
          this.running.delete(name);
          release();
        });
      this.running.set(name, work);
      return;
    }
    this.launch(run, desired, { requestedBy: run.requestedBy }, release);
  }

  private state(name: string): ApplicationState {
    let state = this.states.get(name);
    if (!state) {
      state = { selfHeals: 0 };
      this.states.set(name, state);
    }
    return state;
  }

  /** Runs one decision at a time per application; a verdict arriving meanwhile asks for one more. */
  private decide(name: string): void {
    const state = this.state(name);
    if (state.deciding) {
      state.again = true;
      return;
    }
    state.deciding = this.considerAutomated(name)
      .catch(error =>
        this.options.logger.warn(
          `Deciding whether to sync ${name} failed: ${error}`,
        ),
      )
      .finally(() => {
        state.deciding = undefined;
        if (state.again) {
          state.again = false;
          this.decide(name);
        }
      });
  }

  private async considerAutomated(name: string): Promise<void> {
    const state = this.states.get(name);
    const verdict = state?.verdict;
    const desired = this.options.source.desiredState(name);
    if (this.stopped || !state || !verdict || !desired) return;
    const { spec, revision } = desired;
    if (!spec.syncPolicy.automated || desired.problem || verdict.problem)
      return;
    if (!this.ownsCluster(spec.destination.cluster)) return;
    // A verdict of an older render: the verdict of the new one follows.
    if (verdict.revision?.sha !== revision.sha) return;
    // Decided again once the running sync ends.
    if (this.running.has(name)) return;
    const nowMs = this.now().getTime();
    if (!this.needsSync(name, verdict, desired)) {
      state.quietSince ??= nowMs;
      return;
    }
    // A fight with another controller reverts within moments; drift after a long quiet spell starts over.
    if (
      state.quietSince !== undefined &&
      nowMs - state.quietSince >= this.backoff.maxMs
    ) {
      state.selfHeals = 0;
    }
    state.quietSince = undefined;

    const { store } = this.options;
    const attempted = await store.latestRun(name, { attempted: true });
    let trigger: SyncTrigger;
    if (!attempted || attempted.revision !== revision.sha) {
      trigger = 'automated';
    } else if (!spec.syncPolicy.selfHeal || attempted.result !== 'succeeded') {
      // As Argo CD: a revision syncs automatically once; only self-heal syncs it again, and never after a failure.
      return;
    } else {
      trigger = 'self-heal';
    }

    const now = this.now();
    const windows = this.options.policies.evaluate(spec.environment, now);
    if (!windows.open) {
      await this.recordSkipped(
        name,
        trigger,
        revision.sha,
        windows.reason ?? 'closed',
      );
      this.recheckAt(
        name,
        windows.nextOpenAt ? Date.parse(windows.nextOpenAt) : undefined,
      );
      return;
    }
    if (trigger === 'self-heal') {
      const last = Date.parse(attempted!.finishedAt ?? attempted!.startedAt);
      const due = last + selfHealDelay(state.selfHeals, this.backoff);
      if (now.getTime() < due) {
        this.recheckAt(name, due);
        return;
      }
    }
    await this.startSync(name, desired, trigger, {});
  }

  /** Something to apply: a resource differs or is missing, or (with prune) one no longer in Git may go. */
  private needsSync(
    name: string,
    verdict: ApplicationVerdict,
    desired: DesiredState,
  ): boolean {
    if (
      verdict.resources.some(
        r => r.sync === 'OutOfSync' || r.sync === 'Missing',
      )
    ) {
      return true;
    }
    if (!desired.spec.syncPolicy.prune) return false;
    const extraneous = new Set(
      verdict.resources
        .filter(r => r.sync === 'Extraneous')
        .map(r => formatResourceKey(r.ref)),
    );
    if (extraneous.size === 0) return false;
    const live = this.options.clusters
      .get(desired.spec.destination.cluster)
      .objectsOf(name);
    return live.some(
      object =>
        extraneous.has(formatResourceKey(resourceKeyOf(object))) &&
        !keptFromPrune(object),
    );
  }

  /** A skipped automated sync is recorded once per revision and window, not at every verdict. */
  private async recordSkipped(
    name: string,
    trigger: SyncTrigger,
    revision: string,
    reason: string,
  ): Promise<void> {
    const message = `A change window holds back automated sync: ${reason}`;
    const latest = await this.options.store.latestRun(name);
    if (
      latest?.result === 'skipped' &&
      latest.revision === revision &&
      latest.message === message
    ) {
      return;
    }
    const run = await this.options.store.recordSkipped({
      application: name,
      trigger,
      revision,
      startedAt: this.timestamp(),
      message,
    });
    const event = await this.audit(trigger, name, revision, {});
    await event.success({
      meta: { result: 'skipped', runId: run.id, message },
    });
    this.options.logger.info(
      `Sync of ${name} at ${revision} skipped: ${reason}`,
    );
    this.options.onRun?.(run);
  }

  /** Decides again at `at` (or in an hour when unknown), within one timer's reach. */
  private recheckAt(name: string, at: number | undefined): void {
    const state = this.state(name);
    clearTimeout(state.timer);
    if (this.stopped) return;
    const wait =
      at === undefined
        ? MAX_TIMER_MS
        : Math.min(MAX_TIMER_MS, at - this.now().getTime());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.decide(name);
    }, Math.max(0, wait) + 5);
    state.timer.unref?.();
  }

  /** Claims the run (one per application across replicas) and applies in the background. */
  private async startSync(
    name: string,
    desired: DesiredState,
    trigger: SyncTrigger,
    options: SyncNowOptions,
  ): Promise<SyncRun | undefined> {
    // Checked synchronously before claiming, so a cluster being handed over starts no new sync.
    if (
      this.running.has(name) ||
      !this.ownsCluster(desired.spec.destination.cluster)
    ) {
      return undefined;
    }
    const revision = desired.revision.sha;
    // Claimed synchronously first, so two callers in this process cannot both reach the store.
    let release!: () => void;
    this.running.set(name, new Promise<void>(resolve => (release = resolve)));
    let run: SyncRun | undefined;
    try {
      run = await this.options.store.startRun({
        application: name,
        trigger,
        revision,
        startedAt: this.timestamp(),
        ...(options.requestedBy && { requestedBy: options.requestedBy }),
      });
    } finally {
      if (!run) {
        this.running.delete(name);
        release();
      }
    }
    if (!run) return undefined;
    this.launch(run, desired, options, release);
    return run;
  }

  /** Applies a claimed run in the background; `release` ends the claim. */
  private launch(
    run: SyncRun,
    desired: DesiredState,
    options: SyncNowOptions,
    release: () => void,
  ): void {
    const name = run.application;
    const state = this.state(name);
    state.selfHeals = run.trigger === 'self-heal' ? state.selfHeals + 1 : 0;
    this.options.onRun?.(run);
    const started = run;
    const revision = run.revision ?? desired.revision.sha;
    const work = this.audit(run.trigger, name, revision, options, started.id)
      .then(event => this.execute(started, desired, event))
      .catch(error =>
        this.options.logger.error(
          `Sync ${started.id} of ${name} failed: ${error}`,
        ),
      )
      .finally(() => {
        this.running.delete(name);
        release();
        // Whatever changed while it ran (a new revision, new drift) is decided now.
        if (this.states.has(name)) this.decide(name);
      });
    this.running.set(name, work);
  }

  private async execute(
    run: SyncRun,
    desired: DesiredState,
    event: AuditorServiceEvent,
  ) {
    const { spec } = desired;
    const name = spec.name;
    let resources: SyncResourceResult[] = [];
    let error: unknown;
    try {
      const cluster = spec.destination.cluster;
      resources = await runSync({
        client: this.options.clusters.client(cluster),
        application: name,
        desired: desired.objects,
        live: this.options.clusters.get(cluster).objectsOf(name),
        defaultNamespace: spec.destination.namespace,
        fieldManager: this.options.fieldManager,
        prune: spec.syncPolicy.prune,
      });
    } catch (caught) {
      error = caught;
    }
    const failures = resources.filter(r => r.action === 'failed');
    const result = error || failures.length > 0 ? 'failed' : 'succeeded';
    const message = error
      ? `${error instanceof Error ? error.message : String(error)}`
      : summarize(resources, failures);
    const finishedAt = this.timestamp();
    const finished = await this.options.store.finishRun(run.id, {
      finishedAt,
      result,
      message,
      resources,
    });
    if (result === 'succeeded')
      this.options.source.noteSynced(name, finishedAt);
    const counts = countActions(resources);
    const meta = { result, runId: run.id, ...counts };
    if (result === 'succeeded') await event.success({ meta });
    else await event.fail({ meta, error: new Error(message) });
    const log =
      result === 'succeeded'
        ? this.options.logger.info
        : this.options.logger.warn;
    log.call(
      this.options.logger,
      `Sync of ${name} at ${run.revision} (${run.trigger}) ${result}: ${message}`,
    );
    this.options.onRun?.(finished);
  }

  private audit(
    trigger: SyncTrigger,
    application: string,
    revision: string,
    options: SyncNowOptions,
    runId?: string,
  ): Promise<AuditorServiceEvent> {
    const meta: JsonObject = { application, revision, trigger };
    if (runId) meta.runId = runId;
    if (options.requestedBy) meta.requestedBy = options.requestedBy;
    return this.options.auditor.createEvent({
      eventId: 'sync',
      severityLevel: 'medium',
      ...(options.request && { request: options.request }),
      meta,
    });
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

function countActions(resources: SyncResourceResult[]): Record<string, number> {
  const counts: Record<string, number> = {
    applied: 0,
    unchanged: 0,
    pruned: 0,
    failed: 0,
  };
  for (const resource of resources) counts[resource.action] += 1;
  return counts;
}

function describe(resource: SyncResourceResult): string {
  const { kind, namespace, name } = resource.ref;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function summarize(
  resources: SyncResourceResult[],
  failures: SyncResourceResult[],
): string {
  if (failures.length > 0) {
    return `${failures.length} of ${
      resources.length
    } resources failed: ${failures
      .map(failure => `${describe(failure)}: ${failure.message}`)
      .join('; ')}`;
  }
  const { applied, unchanged, pruned } = countActions(resources);
  return `${applied} applied, ${unchanged} unchanged, ${pruned} pruned`;
}
