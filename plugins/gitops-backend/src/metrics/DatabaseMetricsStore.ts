import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  AuditEntry,
  AuditLogResponse,
  ChangeRequest,
  HealthStatus,
  Revision,
  SyncResult,
  SyncStatus,
  SyncTrigger,
} from '@backstage-gitops/plugin-gitops-common';
import { Knex } from 'knex';
import { normalizeEntityRef } from '../database/normalizeEntityRef';
import {
  AuditPosition,
  SYNC_ENTRY_PREFIX,
  auditPage,
  changeRequestAuditEntries,
  compareAuditEntries,
  decodeAuditCursor,
  isAfter,
  syncRunAuditEntry,
} from './auditEntries';
import type {
  ApplicationStart,
  DoraInput,
  HistoryPoint,
  MetricsHistory,
  TimeRange,
} from './types';
import { migratedClient } from '../database/migratedClient';

const APPLICATIONS = 'gitops_applications';
const HISTORY = 'gitops_history';
const CHANGE_REQUESTS = 'gitops_change_requests';
const SYNC_RUNS = 'gitops_sync_runs';
const HOUR_MS = 3_600_000;
// Well under SQLite's and PostgreSQL's limits of bound parameters per statement.
const IDS_PER_STATEMENT = 500;
/** Change requests read per step of the audit log's scan. */
const AUDIT_SCAN_BATCH = 50;

/** Narrows metrics to one entity's applications, or one environment's. */
export interface MetricsFilter {
  entityRef?: string;
  environment?: string;
}

export interface AuditQuery {
  limit: number;
  cursor?: string;
  entityRef?: string;
  actor?: string;
}

/** The reads behind delivery metrics and the audit log, each bounded by its time range or page. */
export interface MetricsStore {
  /** Verdict history of the range, from each application's state at its start to `until` (default: the range end). */
  readHistory(
    range: TimeRange,
    filter: MetricsFilter,
    until?: number,
  ): Promise<MetricsHistory>;
  /** Change requests with an event between `from` and `to`, without their proposed files. */
  readChangeRequests(
    range: TimeRange,
    filter: MetricsFilter,
  ): Promise<ChangeRequest[]>;
  /** Commit times of the revisions the applications run now: the only commit times the store keeps. */
  readCommitTimes(filter: MetricsFilter): Promise<Map<string, string>>;
  /** Everything the DORA figures of a range need, failure window after its end included. */
  readDoraInput(
    range: TimeRange,
    filter: MetricsFilter,
    failureWindowHours: number,
  ): Promise<DoraInput>;
  listAudit(query: AuditQuery): Promise<AuditLogResponse>;
}

interface HistoryRow {
  id: number | string;
  application: string;
  at: string;
  sync: string;
  health: string;
  revision: string | null;
  drift_count: number | string;
}

interface StartRow {
  name: string;
  last_id: number | string | null;
  synced_revision: string | null;
  degraded_since: string | null;
}

interface SyncRunRow {
  id: string;
  application: string;
  trigger: string;
  requested_by: string | null;
  revision: string | null;
  started_at: string;
  result: string;
  message: string | null;
  entity_ref: string | null;
}

/** {@link MetricsStore} over the tables the verdict, change and sync stores write. */
export class DatabaseMetricsStore implements MetricsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseMetricsStore> {
    const { database } = options;
    const client = await migratedClient(database, options);
    return new DatabaseMetricsStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async readDoraInput(
    range: TimeRange,
    filter: MetricsFilter,
    failureWindowHours: number,
  ): Promise<DoraInput> {
    // A deployment near the end of the range can still fail within the window after it.
    const until = range.to + failureWindowHours * HOUR_MS;
    const [history, changeRequests, commitTimes] = await Promise.all([
      this.readHistory(range, filter, until),
      this.readChangeRequests({ from: range.from, to: until }, filter),
      this.readCommitTimes(filter),
    ]);
    return { range, history, changeRequests, commitTimes, failureWindowHours };
  }

  async readHistory(
    range: TimeRange,
    filter: MetricsFilter,
    until: number = range.to,
  ): Promise<MetricsHistory> {
    const from = iso(range.from);
    const end = iso(Math.max(until, range.to));
    const names = this.applicationNames(filter);

    const points = this.db<HistoryRow>(HISTORY)
      .select(
        'id',
        'application',
        'at',
        'sync',
        'health',
        'revision',
        'drift_count',
      )
      .where('at', '>=', from)
      .andWhere('at', '<', end)
      .orderBy([
        { column: 'at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (names) points.whereIn('application', names);

    // Every application declared now (or, fleet-wide, with history in the range), with where it stood at `from`.
    const subjects =
      names?.clone() ??
      this.db(APPLICATIONS)
        .select('name')
        .union(inRange =>
          inRange
            .select({ name: 'application' })
            .from(HISTORY)
            .where('at', '>=', from)
            .andWhere('at', '<', end),
        );
    const latestBefore = (column: string, condition = '') =>
      this.db.raw(
        `(select p.${column} from ${HISTORY} p where p.application = s.name and p.at < ?${condition} order by p.application desc, p.at desc, p.id desc limit 1)`,
        [from],
      );
    const starts: StartRow[] = await this.db
      .select(
        's.name',
        this.db.raw('? as last_id', [latestBefore('id')]),
        this.db.raw('? as synced_revision', [
          latestBefore('revision', ` and p.sync = 'Synced'`),
        ]),
        // The first Degraded after the last Healthy: when an ongoing Degraded spell began. Each subquery
        // orders like the (application, at, id) index, so the planner walks that index for one application.
        this.db.raw(
          `(select d.at from ${HISTORY} d where d.application = s.name and d.at < ? and d.health = 'Degraded' and d.at > coalesce(?, '') order by d.application, d.at, d.id limit 1) as degraded_since`,
          [from, latestBefore('at', ` and p.health = 'Healthy'`)],
        ),
      )
      .from(subjects.as('s'));

    const lastIds = starts
      .map(row => row.last_id)
      .filter((id): id is number | string => id !== null)
      .map(Number);
    const lastRows = new Map<number, HistoryRow>();
    for (let i = 0; i < lastIds.length; i += IDS_PER_STATEMENT) {
      for (const row of await this.db<HistoryRow>(HISTORY).whereIn(
        'id',
        lastIds.slice(i, i + IDS_PER_STATEMENT),
      )) {
        lastRows.set(Number(row.id), row);
      }
    }

    const start = new Map<string, ApplicationStart>();
    for (const row of starts) {
      const last =
        row.last_id !== null ? lastRows.get(Number(row.last_id)) : undefined;
      start.set(row.name, {
        ...(last && { last: toPoint(last) }),
        ...(row.synced_revision !== null && {
          syncedRevision: row.synced_revision,
        }),
        ...(row.degraded_since !== null &&
          last?.health !== 'Healthy' && { degradedSince: row.degraded_since }),
      });
    }
    return { start, points: (await points).map(toPoint) };
  }

  async readChangeRequests(
    range: TimeRange,
    filter: MetricsFilter,
  ): Promise<ChangeRequest[]> {
    // Every event of a request lies between its creation and its last update.
    const query = this.db(CHANGE_REQUESTS)
      .select('record')
      .where('updated_at', '>=', iso(range.from))
      .andWhere('created_at', '<', iso(range.to))
      // Leads SQLite, which keeps no statistics, to the index on the last update.
      .orderBy('updated_at');
    if (filter.entityRef) {
      query.where('entity_ref', normalizeEntityRef(filter.entityRef));
    }
    const requests: ChangeRequest[] = [];
    for (const row of (await query) as Array<{ record: string }>) {
      const { proposal: _proposal, ...request } = JSON.parse(row.record);
      const applications = (request as ChangeRequest).applications.filter(
        app => !filter.environment || app.environment === filter.environment,
      );
      if (applications.length > 0) requests.push({ ...request, applications });
    }
    return requests;
  }

  async readCommitTimes(filter: MetricsFilter): Promise<Map<string, string>> {
    const query = this.db(APPLICATIONS)
      .select('revision')
      .whereNotNull('revision');
    if (filter.entityRef) {
      query.where('entity_ref', normalizeEntityRef(filter.entityRef));
    }
    if (filter.environment) query.where('environment', filter.environment);
    const times = new Map<string, string>();
    for (const row of (await query) as Array<{ revision: string }>) {
      const revision: Revision = JSON.parse(row.revision);
      if (revision.committedAt) times.set(revision.sha, revision.committedAt);
    }
    return times;
  }

  async listAudit(query: AuditQuery): Promise<AuditLogResponse> {
    const position = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    const [requests, syncs] = await Promise.all([
      this.changeRequestEntries(query, position),
      this.syncEntries(query, position),
    ]);
    return auditPage([...requests, ...syncs], query.limit);
  }

  /**
   * The newest `limit + 1` change request steps after the position. Requests are read newest update first;
   * since no step is later than its request's last update, the scan stops once a request's last update is
   * older than every step it would have to beat.
   */
  private async changeRequestEntries(
    query: AuditQuery,
    position: AuditPosition | undefined,
  ): Promise<AuditEntry[]> {
    const wanted = query.limit + 1;
    const actor = query.actor?.toLocaleLowerCase('en-US');
    let entries: AuditEntry[] = [];
    let scanned: { updatedAt: string; id: string } | undefined;
    for (;;) {
      const batch = this.db(CHANGE_REQUESTS)
        .select('id', 'updated_at', 'record')
        .orderBy([
          { column: 'updated_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(AUDIT_SCAN_BATCH);
      // No step comes before its request was created.
      if (position) batch.where('created_at', '<=', position.at);
      if (query.entityRef) {
        batch.where('entity_ref', normalizeEntityRef(query.entityRef));
      }
      if (actor) {
        // A coarse filter in the database; the exact match on the step's actor follows.
        batch.whereRaw(`lower(record) like ? escape '!'`, [
          `%${likeEscape(`"actor":${JSON.stringify(actor)}`)}%`,
        ]);
      }
      if (scanned) {
        const { updatedAt, id } = scanned;
        batch.where(older =>
          older
            .where('updated_at', '<', updatedAt)
            .orWhere(tie =>
              tie.where('updated_at', updatedAt).andWhere('id', '<', id),
            ),
        );
      }
      const rows = (await batch) as Array<{
        id: string;
        updated_at: string;
        record: string;
      }>;
      for (const row of rows) {
        for (const entry of changeRequestAuditEntries(JSON.parse(row.record))) {
          if (
            isAfter(entry, position) &&
            (!actor || entry.actor.toLocaleLowerCase('en-US') === actor)
          ) {
            entries.push(entry);
          }
        }
      }
      entries = entries.sort(compareAuditEntries).slice(0, wanted);
      if (rows.length < AUDIT_SCAN_BATCH) return entries;
      const last = rows[rows.length - 1];
      scanned = { updatedAt: last.updated_at, id: last.id };
      if (
        entries.length === wanted &&
        last.updated_at < entries[wanted - 1].at
      ) {
        return entries;
      }
    }
  }

  /** The newest `limit + 1` syncs people asked for, after the position. */
  private async syncEntries(
    query: AuditQuery,
    position: AuditPosition | undefined,
  ): Promise<AuditEntry[]> {
    const runs = this.db({ r: SYNC_RUNS })
      .leftJoin({ a: APPLICATIONS }, 'a.name', 'r.application')
      .select(
        'r.id',
        'r.application',
        'r.trigger',
        'r.requested_by',
        'r.revision',
        'r.started_at',
        'r.result',
        'r.message',
        'a.entity_ref',
      )
      .where('r.trigger', 'manual')
      .whereNotNull('r.requested_by')
      .orderBy([
        { column: 'r.started_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(query.limit + 1);
    if (query.actor) {
      runs.whereRaw('lower(r.requested_by) = ?', [
        query.actor.toLocaleLowerCase('en-US'),
      ]);
    }
    if (query.entityRef) {
      runs.where('a.entity_ref', normalizeEntityRef(query.entityRef));
    }
    if (position) {
      // Entry ids are the run id behind a prefix: compare the run id, or settle a tie by the prefix alone.
      const runId = position.id.startsWith(SYNC_ENTRY_PREFIX)
        ? position.id.slice(SYNC_ENTRY_PREFIX.length)
        : undefined;
      runs.where(older => {
        older.where('r.started_at', '<', position.at);
        if (runId !== undefined) {
          older.orWhere(tie =>
            tie.where('r.started_at', position.at).andWhere('r.id', '<', runId),
          );
        } else if (SYNC_ENTRY_PREFIX < position.id) {
          older.orWhere('r.started_at', position.at);
        }
      });
    }
    const entries: AuditEntry[] = [];
    for (const row of (await runs) as SyncRunRow[]) {
      const entry = syncRunAuditEntry(
        {
          id: row.id,
          application: row.application,
          trigger: row.trigger as SyncTrigger,
          ...(row.requested_by !== null && { requestedBy: row.requested_by }),
          ...(row.revision !== null && { revision: row.revision }),
          startedAt: row.started_at,
          result: row.result as SyncResult,
          ...(row.message !== null && { message: row.message }),
        },
        row.entity_ref ?? undefined,
      );
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** The names of the applications a filter keeps, as a subquery; `undefined` for the whole fleet. */
  private applicationNames(
    filter: MetricsFilter,
  ): Knex.QueryBuilder | undefined {
    if (!filter.entityRef && !filter.environment) return undefined;
    const query = this.db(APPLICATIONS).select('name');
    if (filter.entityRef) {
      query.where('entity_ref', normalizeEntityRef(filter.entityRef));
    }
    if (filter.environment) query.where('environment', filter.environment);
    return query;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toPoint(row: HistoryRow): HistoryPoint {
  return {
    application: row.application,
    at: row.at,
    sync: row.sync as SyncStatus,
    health: row.health as HealthStatus,
    ...(row.revision !== null && { revision: row.revision }),
    driftCount: Number(row.drift_count),
  };
}

/** Escapes LIKE's wildcards with `!`, the escape character the query names. */
function likeEscape(text: string): string {
  return text.replace(/[!%_]/g, char => `!${char}`);
}
