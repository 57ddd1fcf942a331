import {
  type DatabaseService,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { migratedClient } from '../database/migratedClient';

const LEASES = 'gitops_cluster_leases';
const REPLICAS = 'gitops_replicas';
const DEFAULT_LEASE_SECONDS = 15;
/** Heartbeats of replicas gone this long are deleted; only the count of fresh ones matters. */
const FORGET_REPLICAS_AFTER_SECONDS = 3600;

/** Why a replica stopped acting on a cluster. */
export type ClusterReleaseReason = 'rebalance' | 'lost' | 'shutdown';

/** What a replica does when it gains or gives up a cluster. Calls for one cluster never overlap. */
export interface ClusterLeaseHandlers {
  /** This replica now holds the cluster: watch, reconcile and sync it. */
  onAcquire?(cluster: string): Promise<void> | void;
  /**
   * This replica no longer acts on the cluster (`owns` already says so): stop watching it and let running
   * syncs finish. A lease given up voluntarily is handed over only once this resolves.
   */
  onRelease?(
    cluster: string,
    reason: ClusterReleaseReason,
  ): Promise<void> | void;
  /** After each renewal round (every third of a lease, shared only): settle leftovers on the clusters held. */
  onRound?(): Promise<void> | void;
}

export interface ClusterLeasesOptions {
  /** The plugin's database. Only PostgreSQL is shared between replicas; on any other this replica owns every cluster. */
  db: Knex;
  /** The configured cluster names; every replica is expected to configure the same ones. */
  clusters: string[];
  logger: LoggerService;
  /** How long a lease lasts without renewal; renewed every third of it. Default 15 s. */
  leaseMs?: number;
  /** Default: host name, process id and a random suffix, so a restarted process is a new replica. */
  replicaId?: string;
  handlers?: ClusterLeaseHandlers;
}

/** One row of `gitops_cluster_leases`, as `snapshot` reports it. */
export interface ClusterLeaseRow {
  cluster: string;
  holder: string | null;
  expiresAt: string | null;
}

/**
 * Shares clusters between backend replicas on one PostgreSQL: each cluster is watched, reconciled and synced
 * by the one replica holding its lease. Every third of a lease, each replica renews its heartbeat and leases,
 * claims expired or released clusters up to its fair share (ceil(clusters / live replicas)) and gives back
 * what exceeds it, so a joining replica moves only the excess. Claims and renewals are conditional UPDATEs on
 * the holder and the database clock's expiry, so two replicas never hold one cluster; a replica that cannot
 * renew stops acting before its lease can expire. On SQLite (one process) it simply owns every cluster.
 */
export class ClusterLeases {
  readonly replicaId: string;
  /** Whether clusters are shared through the database (PostgreSQL), rather than all owned here. */
  readonly shared: boolean;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  /** Cluster → local time until which this replica may act on it (before the database's expiry, by a margin). */
  private readonly held = new Map<string, number>();
  /** Clusters being given up; a voluntary hand-over stays renewed until its release handler finished. */
  private readonly releasing = new Map<
    string,
    { reason: ClusterReleaseReason; done: Promise<void> }
  >();
  /** The chain of handler calls per cluster, so an acquire never overtakes a release. */
  private readonly transitions = new Map<string, Promise<void>>();
  private readonly clusters: string[];
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private rowsEnsured = false;
  private stopped = false;

  constructor(private readonly options: ClusterLeasesOptions) {
    this.clusters = [...new Set(options.clusters)].sort();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_SECONDS * 1000;
    if (!(this.leaseMs >= 1000)) {
      throw new InputError(
        `a cluster lease must last at least 1 s, got ${this.leaseMs} ms`,
      );
    }
    this.renewMs = Math.round(this.leaseMs / 3);
    this.replicaId =
      options.replicaId ??
      `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.shared = options.db.client.dialect === 'postgresql';
  }

  /** Reads `gitops.replicas.leaseSeconds` and migrates the database (unless migrations are skipped). */
  static async create(options: {
    database: DatabaseService;
    config: Config;
    clusters: string[];
    logger: LoggerService;
    handlers?: ClusterLeaseHandlers;
  }): Promise<ClusterLeases> {
    const { database, config } = options;
    const db = await migratedClient(database);
    const leaseSeconds =
      config.getOptionalNumber('gitops.replicas.leaseSeconds') ??
      DEFAULT_LEASE_SECONDS;
    return new ClusterLeases({
      db,
      clusters: options.clusters,
      logger: options.logger,
      leaseMs: leaseSeconds * 1000,
      handlers: options.handlers,
    });
  }

  /** Whether this replica may act on the cluster now: it holds an unexpired lease and is not handing it over. */
  owns(cluster: string): boolean {
    const until = this.held.get(cluster);
    return until !== undefined && Date.now() < until;
  }

  /** The clusters this replica acts on, sorted. */
  owned(): string[] {
    return this.clusters.filter(cluster => this.owns(cluster));
  }

  /**
   * Claims this replica's share (every cluster, unshared) and keeps renewing. Resolves once the first
   * round's acquire handlers ran, so a single replica starts as it did before clusters were shared.
   */
  async start(): Promise<void> {
    this.stopped = false;
    if (!this.shared) {
      if (!this.options.db.client.dialect?.includes('sqlite')) {
        this.options.logger.warn(
          `Clusters are shared between replicas only on PostgreSQL; on ${this.options.db.client.dialect} run a single replica`,
        );
      }
      for (const cluster of this.clusters) this.acquire(cluster, Infinity);
    } else {
      this.options.logger.info(
        `Replica ${this.replicaId} shares ${
          this.clusters.length
        } cluster(s) through the database, lease ${this.leaseMs / 1000} s`,
      );
      await this.tick();
      this.timer = setInterval(() => {
        this.dropLapsed();
        void this.tick();
      }, this.renewMs);
      this.timer.unref?.();
    }
    await Promise.all(this.transitions.values());
  }

  /** Gives every cluster back (the others take them over at their next round) and leaves the replica count. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    for (const cluster of [...this.held.keys()])
      this.release(cluster, 'shutdown');
    await Promise.all([...this.releasing.values()].map(entry => entry.done));
    await Promise.all(this.transitions.values());
    if (this.shared) {
      await this.options
        .db(REPLICAS)
        .where({ replica_id: this.replicaId })
        .delete()
        .catch(error =>
          this.options.logger.warn(
            `Removing replica ${this.replicaId} failed: ${error}`,
          ),
        );
    }
  }

  /** One round of heartbeat, renewal, rebalancing and claims; rounds never overlap. Exposed for tests. */
  tick(): Promise<void> {
    if (!this.shared || this.stopped) return Promise.resolve();
    this.round ??= this.runRound()
      .then(() => this.options.handlers?.onRound?.())
      .catch(error =>
        this.options.logger.warn(
          `Renewing the cluster leases of replica ${this.replicaId} failed: ${error}`,
        ),
      )
      .finally(() => {
        this.round = undefined;
      });
    return this.round;
  }

  /** Every lease row with its holder, for tests and operators. */
  async snapshot(): Promise<ClusterLeaseRow[]> {
    if (!this.shared) {
      return this.clusters.map(cluster => ({
        cluster,
        holder: this.replicaId,
        expiresAt: null,
      }));
    }
    const rows = await this.options
      .db(LEASES)
      .whereIn('cluster', this.clusters)
      .orderBy('cluster')
      .select('cluster', 'holder', 'expires_at');
    return rows.map(row => ({
      cluster: row.cluster,
      holder: row.holder,
      expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    }));
  }

  private async runRound(): Promise<void> {
    const { db } = this.options;
    // Local validity starts from before the statements, so it always ends before the database's expiry.
    const validUntil = Date.now() + this.leaseMs - this.renewMs / 2;
    const expiry = db.raw('now() + make_interval(secs => ?)', [
      this.leaseMs / 1000,
    ]);
    const expired = (query: Knex.QueryBuilder) =>
      query.whereNull('holder').orWhere('expires_at', '<', db.fn.now());

    if (!this.rowsEnsured && this.clusters.length > 0) {
      await db(LEASES)
        .insert(this.clusters.map(cluster => ({ cluster })))
        .onConflict('cluster')
        .ignore();
      this.rowsEnsured = true;
    }
    await db(REPLICAS)
      .insert({
        replica_id: this.replicaId,
        started_at: db.fn.now(),
        expires_at: expiry,
      })
      .onConflict('replica_id')
      .merge(['expires_at']);

    const handingOver = [...this.releasing]
      .filter(([, entry]) => entry.reason !== 'lost')
      .map(([cluster]) => cluster);
    const mine = [...this.held.keys(), ...handingOver];
    if (mine.length > 0) {
      const renewed = new Set<string>(
        (
          await db(LEASES)
            .whereIn('cluster', mine)
            .andWhere('holder', this.replicaId)
            .update({ expires_at: expiry }, ['cluster'])
        ).map((row: { cluster: string }) => row.cluster),
      );
      for (const cluster of [...this.held.keys()]) {
        if (renewed.has(cluster)) this.held.set(cluster, validUntil);
        else this.release(cluster, 'lost');
      }
    }
    if (this.stopped) return;

    const [{ count }] = await db(REPLICAS)
      .where('expires_at', '>', db.fn.now())
      .count({ count: '*' });
    const live = Math.max(1, Number(count));
    const share = Math.ceil(this.clusters.length / live);

    // Only the excess moves: the rest stays where its watches are warm.
    const holding = [...this.held.keys()].sort();
    for (const cluster of holding.slice(share))
      this.release(cluster, 'rebalance');

    let room = share - this.held.size;
    if (room > 0) {
      const free: string[] = (
        await db(LEASES)
          .whereIn('cluster', this.clusters)
          .whereNotIn('cluster', [...this.releasing.keys()])
          .where(expired)
          .select('cluster')
      ).map((row: { cluster: string }) => row.cluster);
      for (const cluster of shuffled(free)) {
        if (room <= 0 || this.stopped) break;
        const won = await db(LEASES).where({ cluster }).where(expired).update(
          {
            holder: this.replicaId,
            expires_at: expiry,
            acquired_at: db.fn.now(),
          },
          ['cluster'],
        );
        if (won.length > 0) {
          this.acquire(cluster, validUntil);
          room -= 1;
        }
      }
    }

    await db(REPLICAS)
      .where(
        'expires_at',
        '<',
        db.raw('now() - make_interval(secs => ?)', [
          FORGET_REPLICAS_AFTER_SECONDS,
        ]),
      )
      .delete();
  }

  /** Stops acting on leases this replica could not renew in time (the database may be out of reach). */
  private dropLapsed(): void {
    const now = Date.now();
    for (const [cluster, until] of this.held) {
      if (now >= until) this.release(cluster, 'lost');
    }
  }

  private acquire(cluster: string, validUntil: number): void {
    this.held.set(cluster, validUntil);
    this.options.logger.info(
      `Replica ${this.replicaId} now holds cluster ${cluster}`,
    );
    void this.transition(cluster, () =>
      this.options.handlers?.onAcquire?.(cluster),
    );
  }

  private release(cluster: string, reason: ClusterReleaseReason): void {
    if (!this.held.delete(cluster)) return;
    const log =
      reason === 'lost' ? this.options.logger.warn : this.options.logger.info;
    log.call(
      this.options.logger,
      `Replica ${this.replicaId} ${
        reason === 'lost' ? 'lost its lease on' : 'gives up'
      } cluster ${cluster} (${reason})`,
    );
    const done = this.transition(cluster, async () => {
      await this.options.handlers?.onRelease?.(cluster, reason);
      // Freed at once rather than at expiry; conditional on the holder, so a lease taken over meanwhile is left alone.
      if (this.shared) {
        await this.options
          .db(LEASES)
          .where({ cluster, holder: this.replicaId })
          .update({ holder: null, expires_at: null });
      }
    }).finally(() => {
      if (this.releasing.get(cluster)?.done === done)
        this.releasing.delete(cluster);
    });
    this.releasing.set(cluster, { reason, done });
  }

  private transition(
    cluster: string,
    step: () => Promise<void> | void,
  ): Promise<void> {
    const next = (this.transitions.get(cluster) ?? Promise.resolve())
      .then(step)
      .catch(error =>
        this.options.logger.warn(
          `Switching cluster ${cluster} failed: ${error}`,
        ),
      );
    this.transitions.set(cluster, next);
    return next;
  }
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
