import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DiffResult,
  KubeObject,
  aggregateHealth,
  assessHealth,
  autoscaledTargets,
  computeInventory,
  containerImagesOf,
  diffObjects,
  formatResourceKey,
  resourceKeyOf,
  resourceSyncOf,
  summarizeSync,
} from '@backstage-gitops/gitops-engine';
import {
  ApplicationSpec,
  ApplicationStatus,
  Revision,
  StatusProblem,
} from '@backstage-gitops/plugin-gitops-common';
import {
  ApplicationVerdict,
  CatalogInfo,
  GitOpsStore,
} from '../database/GitOpsStore';
import { ConfigRepository, RepoUnreachableError } from '../git';
import {
  loadApplications,
  formatApplicationError,
  type ParsedApplicationFiles,
} from '../applications';
import { applicationsListedBy } from '../applications/applicationsForEntity';
import { ApplicationRenderer, RenderedApplication } from '../render';
import { ClusterLiveCache, WatchedKind } from '../cluster/ClusterLiveCache';
import { WorkPriority, WorkQueue } from './WorkQueue';

/** What the reconciler asks the catalog, once per config repo refresh (never per page view). */
export interface CatalogLookup {
  /** Owner and system of the entities applications point at. */
  info(entityRefs: string[]): Promise<Map<string, CatalogInfo>>;
  /** The entities carrying a `gitops.backstage.io/applications` annotation, with its value. */
  annotatedEntities(): Promise<
    Array<{ entityRef: string; annotation: string }>
  >;
}

export interface ReconcilerOptions {
  store: GitOpsStore;
  repos: ConfigRepository[];
  clusters: Map<string, ClusterLiveCache>;
  renderer: ApplicationRenderer;
  catalog: CatalogLookup;
  logger: LoggerService;
  /** Called when an application's visible status changed (publish a signal). */
  onStatusChange?(status: ApplicationStatus): void;
  /** Called after each verdict is stored, changed or not (automated sync decides from it). */
  onVerdict?(name: string, verdict: ApplicationVerdict): void;
  fieldManager: string;
  diffMode: 'assert' | 'strict';
  /** Whether this replica writes the verdicts of a cluster's applications (it holds the cluster's lease). Default: every cluster. */
  owns?(cluster: string): boolean;
  concurrency?: number;
  now?: () => Date;
}

/** What an application deploys at the revision the reconciler holds, for a sync to apply. */
export interface DesiredState {
  spec: ApplicationSpec;
  revision: Revision;
  /** Rendered, with namespaces filled in and the tracking label set; deeply frozen. */
  objects: readonly KubeObject[];
  /** Why the objects cannot be trusted (render failed, declaration broken): a sync must not apply them. */
  problem?: Omit<StatusProblem, 'since'>;
}

interface TrackedApplication {
  spec: ApplicationSpec;
  revision: Revision;
  rendered: RenderedApplication;
}

interface CachedDiff {
  desired: KubeObject;
  liveVersion: string | undefined;
  result: DiffResult;
}

function healthOf(status: string, live: KubeObject | undefined) {
  if (status === 'Missing') {
    return { status: 'Missing' as const, message: 'Not found in the cluster' };
  }
  return live ? assessHealth(live) : undefined;
}

/**
 * Turns config repo commits and live cluster changes into stored verdicts. Git and clusters push keys
 * into one coalescing queue; each run diffs one application against the live cache, never the cluster.
 */
export class Reconciler {
  private readonly queue: WorkQueue;
  private readonly applications = new Map<string, TrackedApplication>();
  private readonly heads = new Map<string, string>();
  /** Each config repo's application files as last parsed, so a commit parses only the files it changed. */
  private readonly parsedFiles = new Map<string, ParsedApplicationFiles>();
  /** Why each unreachable config repo failed; its applications keep the problem until a fetch works. */
  private readonly unreachableRepos = new Map<string, string>();
  private readonly diffCache = new Map<string, Map<string, CachedDiff>>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly refreshes = new Map<string, Promise<void>>();
  /** Applications whose declaring file no longer parses: kept as last known, with this problem. */
  private readonly invalidApplications = new Map<
    string,
    Omit<StatusProblem, 'since'>
  >();
  /** When each application was last synced, written with its next verdict. */
  private readonly syncedAt = new Map<string, string>();
  private readonly now: () => Date;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.queue = new WorkQueue({
      concurrency: options.concurrency ?? 4,
      coalesceMs: 50,
      process: name => this.reconcile(name),
      onError: (name, error, attempt) =>
        options.logger.warn(
          `Reconciling ${name} failed (attempt ${attempt}): ${error}`,
        ),
    });
  }

  start(): void {
    for (const cluster of this.options.clusters.values()) {
      this.unsubscribe.push(
        cluster.onChange(change =>
          this.queue.enqueue(change.application, 'watch'),
        ),
        cluster.onStateChange(() =>
          this.enqueueCluster(cluster.name, 'periodic'),
        ),
      );
    }
  }

  stop(): void {
    this.unsubscribe.splice(0).forEach(fn => fn());
    this.queue.stop();
  }

  /** Resolves when no reconcile is pending or running. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** Reconciles one application soon, ahead of background work (a user asked). */
  requestReconcile(name: string): void {
    this.queue.enqueue(name, 'user');
  }

  /** What an application deploys now, or undefined when no config repo declares it (or it is not rendered yet). */
  desiredState(name: string): DesiredState | undefined {
    const tracked = this.applications.get(name);
    if (!tracked) return undefined;
    const problem =
      this.invalidApplications.get(name) ?? tracked.rendered.problem;
    return {
      spec: tracked.spec,
      revision: tracked.revision,
      objects: tracked.rendered.objects,
      ...(problem && {
        problem: { code: problem.code, message: problem.message },
      }),
    };
  }

  /** The commit a config repo was last rendered at, or undefined before its first fetch. */
  headOf(repoId: string): string | undefined {
    return this.heads.get(repoId);
  }

  /** Records that a sync finished: stored as `lastSyncedAt` with the next verdict, reconciled soon. */
  noteSynced(name: string, at: string): void {
    this.syncedAt.set(name, at);
    this.queue.enqueue(name, 'user');
  }

  /** The cheap probe: `ls-remote`, then a fetch and re-render only when the branch moved. */
  async poll(repoId: string): Promise<void> {
    const repo = this.repo(repoId);
    let sha: string;
    try {
      sha = await repo.probe();
    } catch (error) {
      await this.repoUnreachable(repo, error);
      return;
    }
    if (sha !== this.heads.get(repoId) || this.unreachableRepos.has(repoId)) {
      await this.refresh(repoId);
    }
  }

  /** Fetches a config repo and re-renders the applications whose inputs changed. */
  refresh(repoId: string): Promise<void> {
    // A webhook and a poll may ask at once: refreshes of one repo run one after the other.
    const previous = this.refreshes.get(repoId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.refreshNow(repoId));
    this.refreshes.set(repoId, next);
    return next;
  }

  private async refreshNow(repoId: string): Promise<void> {
    const repo = this.repo(repoId);
    const { logger, store, renderer } = this.options;
    let head;
    try {
      head = await repo.fetch();
    } catch (error) {
      await this.repoUnreachable(repo, error);
      return;
    }
    // Reachable again: each reconcile replaces the problem with its verdict (other problems stand meanwhile).
    if (this.unreachableRepos.delete(repoId)) this.enqueueRepo(repoId);
    if (head.sha === this.heads.get(repoId)) return;

    const dir = await repo.checkout(head.sha);
    // Only the application files this commit changed are parsed again.
    const loaded = await loadApplications(dir, repoId, {
      contentId: file => repo.treeHash(head.sha, file),
      previous: this.parsedFiles.get(repoId),
    });
    this.parsedFiles.set(repoId, loaded.files);
    const { errors } = loaded;
    for (const error of errors) {
      logger.warn(`Config repo ${repoId}: ${formatApplicationError(error)}`);
    }
    // A file that stopped parsing must not delete the applications it declared: keep them as last known.
    const brokenFiles = new Map(
      errors.map(error => [error.file, formatApplicationError(error)]),
    );
    const declared = new Set(loaded.applications.map(app => app.name));
    const kept = [...this.applications.values()]
      .map(tracked => tracked.spec)
      .filter(
        spec =>
          spec.source.repo === repoId &&
          brokenFiles.has(spec.declaredIn) &&
          !declared.has(spec.name),
      );
    const wasInvalid = new Set(this.invalidApplications.keys());
    this.invalidApplications.clear();
    for (const spec of kept) {
      this.invalidApplications.set(spec.name, {
        code: 'INVALID_APPLICATION',
        message: brokenFiles.get(spec.declaredIn)!,
      });
    }
    const applications = [...loaded.applications, ...kept];
    const keptNames = new Set(kept.map(spec => spec.name));
    const catalogInfo = await this.options.catalog.info([
      ...new Set(applications.map(app => app.entityRef)),
    ]);
    const { removed, conflicts } = await store.syncApplications(
      repoId,
      applications,
      catalogInfo,
    );
    for (const conflict of conflicts) {
      logger.warn(
        `Config repo ${repoId}: application ${conflict.name} is already declared by ${conflict.declaredByRepo}; ignored here`,
      );
    }
    // Entities that list this repo's applications in their annotation: stored so a page stays one query.
    const conflictedNames = new Set(conflicts.map(c => c.name));
    const linkable = applications.filter(
      spec => !conflictedNames.has(spec.name),
    );
    const links = (await this.options.catalog.annotatedEntities()).flatMap(
      ({ entityRef, annotation }) =>
        applicationsListedBy(annotation, linkable).map(spec => ({
          entityRef,
          application: spec.name,
        })),
    );
    await store.linkEntities(repoId, links);
    for (const name of removed) {
      this.applications.delete(name);
      this.diffCache.delete(name);
      this.syncedAt.delete(name);
    }

    const tree = {
      dir,
      sha: head.sha,
      treeHash: (path: string) => repo.treeHash(head.sha, path),
    };
    const conflicted = new Set(conflicts.map(c => c.name));
    const kindsByCluster = new Map<string, Map<string, WatchedKind>>();
    const renders: Array<{
      spec: ApplicationSpec;
      rendered: RenderedApplication;
      changed: boolean;
    }> = [];
    for (const spec of applications) {
      if (conflicted.has(spec.name)) continue;
      if (keptNames.has(spec.name)) {
        this.queue.enqueue(spec.name, 'commit');
        continue;
      }
      const previous = this.applications.get(spec.name);
      const rendered = await renderer.renderApplication(spec, tree);
      const kinds = kindsByCluster.get(spec.destination.cluster) ?? new Map();
      for (const object of rendered.objects) {
        kinds.set(`${object.apiVersion}/${object.kind}`, {
          apiVersion: object.apiVersion,
          kind: object.kind,
        });
      }
      kindsByCluster.set(spec.destination.cluster, kinds);
      // An unrelated commit leaves the render key unchanged: only the revision shown moves on.
      const changed =
        !previous ||
        previous.rendered.cacheKey !== rendered.cacheKey ||
        JSON.stringify(previous.spec) !== JSON.stringify(spec);
      renders.push({ spec, rendered, changed });
    }
    // A new render is diffed only once its kinds are listed: before, its live objects would read as Missing.
    await Promise.all(
      [...kindsByCluster].map(async ([clusterName, kinds]) => {
        const cluster = this.options.clusters.get(clusterName);
        if (cluster) await cluster.watchKinds([...kinds.values()]);
      }),
    );
    for (const { spec, rendered, changed } of renders) {
      const previous = this.applications.get(spec.name);
      // The revision shown is the commit that last changed what this application deploys: an unrelated
      // commit neither moves it nor costs a reconcile, a history entry or a signal.
      const revision = changed || !previous ? head.revision : previous.revision;
      this.applications.set(spec.name, { spec, revision, rendered });
      if (changed || wasInvalid.has(spec.name))
        this.queue.enqueue(spec.name, 'commit');
    }
    this.heads.set(repoId, head.sha);
  }

  private async reconcile(name: string): Promise<void> {
    const tracked = this.applications.get(name);
    if (!tracked) return;
    const { store } = this.options;
    const { spec, rendered, revision } = tracked;
    const at = this.now().toISOString();
    const notify = (statuses: ApplicationStatus[]) =>
      statuses.forEach(status => this.options.onStatusChange?.(status));

    const cluster = this.options.clusters.get(spec.destination.cluster);
    if (!cluster) {
      notify(
        await store.markProblem(
          { application: name },
          {
            code: 'INVALID_APPLICATION',
            message: `${spec.declaredIn}: no cluster named "${spec.destination.cluster}" is configured`,
          },
          at,
        ),
      );
      return;
    }
    // Another replica holds this cluster's lease: only it writes these verdicts.
    if (this.options.owns && !this.options.owns(cluster.name)) return;
    if (rendered.problem) {
      notify(
        await store.markProblem({ application: name }, rendered.problem, at),
      );
      return;
    }
    const state = cluster.state();
    if (state.state === 'unreachable') {
      notify(
        await store.markProblem(
          { application: name },
          {
            code: 'CLUSTER_UNREACHABLE',
            message: `cluster ${cluster.name}: ${
              state.message ?? 'unreachable'
            }`,
          },
          at,
        ),
      );
      return;
    }
    // Until the first LIST completed, missing objects would be reported wrongly: wait for `ready`.
    if (state.state !== 'ready') return;

    const verdict = this.verdict(tracked, cluster.objectsOf(name), at);
    const syncedAt = this.syncedAt.get(name);
    const written: ApplicationVerdict = {
      ...verdict,
      revision,
      problem: this.problemOf(spec, at),
      ...(syncedAt && { syncedAt }),
    };
    const result = await store.writeVerdict(name, written);
    if (syncedAt && this.syncedAt.get(name) === syncedAt)
      this.syncedAt.delete(name);
    if (result.changed) this.options.onStatusChange?.(result.status);
    try {
      this.options.onVerdict?.(name, written);
    } catch (error) {
      this.options.logger.warn(
        `Handling the verdict of ${name} failed: ${error}`,
      );
    }
  }

  private verdict(
    tracked: TrackedApplication,
    live: KubeObject[],
    at: string,
  ): Omit<ApplicationVerdict, 'revision'> {
    const { spec, rendered } = tracked;
    const defaultNamespace = spec.destination.namespace;
    const desiredByKey = new Map<string, KubeObject>();
    for (const object of rendered.objects) {
      desiredByKey.set(formatResourceKey(resourceKeyOf(object)), object);
    }
    const autoscaled = autoscaledTargets(rendered.objects);
    const previous =
      this.diffCache.get(spec.name) ?? new Map<string, CachedDiff>();
    const next = new Map<string, CachedDiff>();

    const inventory = computeInventory(
      rendered.objects.map(resourceKeyOf),
      live,
      { application: spec.name, defaultNamespace },
    );
    const resources = inventory.map(entry => {
      const key = formatResourceKey(entry.key);
      const desired = desiredByKey.get(key);
      let diff: DiffResult | undefined;
      if (entry.status === 'Present' && desired && entry.live) {
        const liveVersion = entry.live.metadata.resourceVersion;
        const cached = previous.get(key);
        // Same desired object (renders are cached and frozen) and same resourceVersion: same verdict.
        diff =
          cached &&
          cached.desired === desired &&
          cached.liveVersion === liveVersion
            ? cached.result
            : diffObjects(desired, entry.live, {
                fieldManager: this.options.fieldManager,
                mode: this.options.diffMode,
                defaultNamespace,
                scaledByAutoscaler: autoscaled.has(key),
              });
        next.set(key, { desired, liveVersion, result: diff });
      }
      const health = healthOf(entry.status, entry.live);
      // Git's images, also for a workload not applied yet; the live image, when it differs, is a drift.
      const images = desired ? containerImagesOf(desired) : [];
      return {
        ref: entry.key,
        apiVersion: (desired ?? entry.live)?.apiVersion ?? '',
        sync: resourceSyncOf(entry, diff).status,
        health: health?.status,
        healthMessage: health?.message,
        drifts: (diff?.diffs ?? []).map(drift => ({
          path: drift.path,
          type: drift.type,
          desired: drift.sensitive ? undefined : drift.desired,
          live: drift.sensitive ? undefined : drift.live,
          sensitive: drift.sensitive,
          manager: drift.manager,
        })),
        ...(images.length > 0 && { images }),
        prune: entry.prune,
      };
    });
    this.diffCache.set(spec.name, next);

    const health = aggregateHealth(resources.map(r => r.health));
    const worst = resources.find(r => r.health === health && r.healthMessage);
    return {
      sync: summarizeSync(
        resources.map(r => ({ status: r.sync, prune: r.prune })),
      ),
      health,
      healthMessage: worst
        ? `${worst.ref.kind} ${worst.ref.name}: ${worst.healthMessage}`
        : undefined,
      resources: resources.map(({ prune: _prune, ...resource }) => resource),
      problem: null,
      observedAt: at,
    };
  }

  private enqueueCluster(clusterName: string, priority: WorkPriority): void {
    for (const [name, tracked] of this.applications) {
      if (tracked.spec.destination.cluster === clusterName) {
        this.queue.enqueue(name, priority);
      }
    }
  }

  private enqueueRepo(repoId: string): void {
    for (const [name, tracked] of this.applications) {
      if (tracked.spec.source.repo === repoId)
        this.queue.enqueue(name, 'periodic');
    }
  }

  /** A live-side verdict must not clear a problem on the Git side: a broken declaration or an outage. */
  private problemOf(spec: ApplicationSpec, at: string): StatusProblem | null {
    const invalid = this.invalidApplications.get(spec.name);
    if (invalid) return { ...invalid, since: at };
    return this.repoProblem(spec.source.repo, at);
  }

  /** A live-side verdict must not clear a config repo's outage: Git may have moved on meanwhile. */
  private repoProblem(repoId: string, at: string): StatusProblem | null {
    const message = this.unreachableRepos.get(repoId);
    return message === undefined
      ? null
      : { code: 'REPO_UNREACHABLE', message, since: at };
  }

  private async repoUnreachable(repo: ConfigRepository, error: unknown) {
    if (!(error instanceof RepoUnreachableError)) throw error;
    this.unreachableRepos.set(repo.id, error.message);
    this.options.logger.warn(
      `Config repo ${repo.id} is unreachable: ${error.message}`,
    );
    const statuses = await this.options.store.markProblem(
      { repo: repo.id },
      { code: 'REPO_UNREACHABLE', message: error.message },
      this.now().toISOString(),
    );
    statuses.forEach(status => this.options.onStatusChange?.(status));
  }

  private repo(repoId: string): ConfigRepository {
    const repo = this.options.repos.find(r => r.id === repoId);
    if (!repo) throw new Error(`No config repo with id ${repoId}`);
    return repo;
  }
}
