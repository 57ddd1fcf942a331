import { DatabaseService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  SyncResourceResult,
  SyncResult,
  SyncRun,
  SyncRunListResponse,
  SyncTrigger,
} from '@backstage-gitops/plugin-gitops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { isoTimestamp } from './isoTimestamp';
import { pageCursor } from './pageCursor';
import { migratedClient } from './migratedClient';

const RUNS = 'gitops_sync_runs';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** A message is for people: an API server's answer can be long, the history need not keep all of it. */
const MAX_MESSAGE_LENGTH = 4000;
const TRIGGERS: readonly SyncTrigger[] = ['automated', 'self-heal', 'manual'];
const FINISHED_RESULTS: readonly SyncResult[] = ['succeeded', 'failed'];

interface SyncRunRow {
  id: string;
  application: string;
  trigger: string;
  requested_by: string | null;
  revision: string | null;
  started_at: string;
  finished_at: string | null;
  result: string;
  message: string | null;
  resources: string;
}

/** What is known when a sync starts (or is skipped). */
export interface NewSyncRun {
  application: string;
  trigger: SyncTrigger;
  requestedBy?: string;
  revision?: string;
  startedAt: string;
  message?: string;
}

/** How a sync ended. */
export interface SyncRunOutcome {
  finishedAt: string;
  result: 'succeeded' | 'failed';
  message?: string;
  resources: SyncResourceResult[];
}

/** The history of syncs, one run per sync of one application. */
export interface SyncStore {
  /**
   * Records a sync as `running`; `undefined` when another run of the application is still running
   * (in this process or another replica), so two syncs of one application never overlap.
   */
  startRun(run: NewSyncRun): Promise<SyncRun | undefined>;
  /** Ends a run with its result; the run must exist. */
  finishRun(id: string, outcome: SyncRunOutcome): Promise<SyncRun>;
  /** Records a sync that did not happen (a change window), finished as soon as it started. */
  recordSkipped(run: NewSyncRun & { message: string }): Promise<SyncRun>;
  getRun(id: string): Promise<SyncRun | undefined>;
  /** Newest first; kept after the application is removed. */
  listRuns(
    application: string,
    page?: { limit?: number; cursor?: string },
  ): Promise<SyncRunListResponse>;
  /** The newest run of the application, or with `attempted` the newest that applied something (succeeded or failed). */
  latestRun(
    application: string,
    options?: { attempted?: boolean },
  ): Promise<SyncRun | undefined>;
  /** Marks every run still `running` (or those of `ids` still running) as failed: their process is gone. Returns how many. */
  failInterruptedRuns(
    at: string,
    message: string,
    ids?: string[],
  ): Promise<number>;
  /** Every run still `running`, whichever replica started it, oldest first. */
  listRunning(): Promise<SyncRun[]>;
  /**
   * Takes on a run queued for another replica: clears its message if it is still `running` with `message`.
   * True for the one caller that did.
   */
  claimRun(id: string, message: string): Promise<boolean>;
}

/** {@link SyncStore} on Backstage's database service: SQLite by default, PostgreSQL in production. */
export class DatabaseSyncStore implements SyncStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseSyncStore> {
    const { database } = options;
    const client = await migratedClient(database, options);
    return new DatabaseSyncStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async startRun(run: NewSyncRun): Promise<SyncRun | undefined> {
    const row = newRow(run, 'running');
    try {
      await this.db<SyncRunRow>(RUNS).insert(row);
    } catch (error) {
      // The partial unique index on running runs: someone else is syncing this application.
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    return toSyncRun(row);
  }

  async finishRun(id: string, outcome: SyncRunOutcome): Promise<SyncRun> {
    if (!FINISHED_RESULTS.includes(outcome.result)) {
      throw new InputError(`A sync cannot finish as '${outcome.result}'`);
    }
    const update: Partial<SyncRunRow> = {
      finished_at: isoTimestamp(outcome.finishedAt, 'finishedAt'),
      result: outcome.result,
      message: truncate(outcome.message),
      resources: JSON.stringify(outcome.resources),
    };
    // The true outcome wins even over a run another replica's start marked as interrupted.
    const updated = await this.db<SyncRunRow>(RUNS)
      .where({ id })
      .update(update);
    if (!updated) throw new NotFoundError(`No sync run with id '${id}'`);
    return (await this.getRun(id))!;
  }

  async recordSkipped(run: NewSyncRun & { message: string }): Promise<SyncRun> {
    const row = newRow(run, 'skipped');
    row.finished_at = row.started_at;
    await this.db<SyncRunRow>(RUNS).insert(row);
    return toSyncRun(row);
  }

  async getRun(id: string): Promise<SyncRun | undefined> {
    const row = await this.db<SyncRunRow>(RUNS).where({ id }).first();
    return row ? toSyncRun(row) : undefined;
  }

  async listRuns(
    application: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<SyncRunListResponse> {
    const limit = pageSize(page.limit);
    const query = this.db<SyncRunRow>(RUNS)
      .where({ application })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    if (page.cursor) {
      const { startedAt, id } = pageCursor.decode(page.cursor);
      if (typeof startedAt !== 'string' || typeof id !== 'string') {
        throw new InputError('Malformed page cursor');
      }
      query.where(before =>
        before
          .where('started_at', '<', startedAt)
          .orWhere(sameTime =>
            sameTime.where('started_at', startedAt).andWhere('id', '<', id),
          ),
      );
    }
    const rows = await query;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toSyncRun),
      ...(rows.length > limit && {
        nextCursor: pageCursor.encode({
          startedAt: last.started_at,
          id: last.id,
        }),
      }),
    };
  }

  async latestRun(
    application: string,
    options: { attempted?: boolean } = {},
  ): Promise<SyncRun | undefined> {
    const query = this.db<SyncRunRow>(RUNS)
      .where({ application })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (options.attempted) query.whereIn('result', FINISHED_RESULTS);
    const row = await query;
    return row ? toSyncRun(row) : undefined;
  }

  async listRunning(): Promise<SyncRun[]> {
    const rows = await this.db<SyncRunRow>(RUNS)
      .where({ result: 'running' })
      .orderBy([
        { column: 'started_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(toSyncRun);
  }

  async claimRun(id: string, message: string): Promise<boolean> {
    const updated = await this.db<SyncRunRow>(RUNS)
      .where({ id, result: 'running', message })
      .update({ message: null });
    return updated === 1;
  }

  async failInterruptedRuns(
    at: string,
    message: string,
    ids?: string[],
  ): Promise<number> {
    const query = this.db<SyncRunRow>(RUNS).where({ result: 'running' });
    if (ids) query.whereIn('id', ids);
    return query.update({
      result: 'failed',
      finished_at: isoTimestamp(at, 'at'),
      message: truncate(message),
    });
  }
}

function newRow(run: NewSyncRun, result: SyncResult): SyncRunRow {
  if (!TRIGGERS.includes(run.trigger)) {
    throw new InputError(`Unknown sync trigger '${run.trigger}'`);
  }
  if (!run.application) {
    throw new InputError('A sync run needs an application');
  }
  return {
    id: randomUUID(),
    application: run.application,
    trigger: run.trigger,
    requested_by: run.requestedBy ?? null,
    revision: run.revision ?? null,
    started_at: isoTimestamp(run.startedAt, 'startedAt'),
    finished_at: null,
    result,
    message: truncate(run.message),
    resources: '[]',
  };
}

function toSyncRun(row: SyncRunRow): SyncRun {
  return {
    id: row.id,
    application: row.application,
    trigger: row.trigger as SyncTrigger,
    ...(row.requested_by !== null && { requestedBy: row.requested_by }),
    ...(row.revision !== null && { revision: row.revision }),
    startedAt: row.started_at,
    ...(row.finished_at !== null && { finishedAt: row.finished_at }),
    result: row.result as SyncResult,
    ...(row.message !== null && { message: row.message }),
    resources: JSON.parse(row.resources),
  };
}

function truncate(message: string | undefined): string | null {
  if (message === undefined) return null;
  return message.length > MAX_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
    : message;
}

/** SQLite says SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505; errors from the drivers may come from another realm. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`Page size must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}
