import { DatabaseService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  ChangeRequest,
  ChangeRequestListResponse,
  ChangeRequestState,
  FINAL_CHANGE_REQUEST_STATES,
} from '@backstage-gitops/plugin-gitops-common';
import { Knex } from 'knex';
import { normalizeEntityRef } from './normalizeEntityRef';
import { pageCursor } from './pageCursor';
import { migratedClient } from './migratedClient';

const TABLE = 'gitops_change_requests';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

/** A file of the proposal, relative to the config root; `null` deletes it. */
export interface ProposedChangeFile {
  path: string;
  content: string | null;
}

/** What the store keeps: the request as the API shows it, plus the exact files to propose. */
export interface StoredChangeRequest extends ChangeRequest {
  proposal: { files: ProposedChangeFile[] };
}

export interface ChangeListQuery {
  entityRef?: string;
  state?: ChangeRequestState | ChangeRequestState[];
  limit?: number;
  cursor?: string;
}

interface ChangeRow {
  id: string;
  entity_ref: string;
  repo: string;
  state: string;
  requested_by: string;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
  record: string;
}

/** Change requests in the plugin's database; every write is one transaction. */
export class DatabaseChangeStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseChangeStore> {
    const client = await migratedClient(options.database, options);
    return new DatabaseChangeStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Stores a new request. With an idempotency key already used by the same requester, stores nothing and
   * returns the earlier request: two concurrent retries race on the unique index and both get the winner.
   */
  async insert(
    request: StoredChangeRequest,
    idempotencyKey?: string,
  ): Promise<{ created: boolean; request: StoredChangeRequest }> {
    if (idempotencyKey) {
      const earlier = await this.findByIdempotencyKey(
        request.requestedBy,
        idempotencyKey,
      );
      if (earlier) return { created: false, request: earlier };
    }
    try {
      await this.db<ChangeRow>(TABLE).insert(
        this.toRow(request, idempotencyKey),
      );
      return { created: true, request };
    } catch (error) {
      if (idempotencyKey) {
        const earlier = await this.findByIdempotencyKey(
          request.requestedBy,
          idempotencyKey,
        );
        if (earlier) return { created: false, request: earlier };
      }
      throw error;
    }
  }

  async get(id: string): Promise<StoredChangeRequest | undefined> {
    const row = await this.db<ChangeRow>(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async findByIdempotencyKey(
    requestedBy: string,
    key: string,
  ): Promise<StoredChangeRequest | undefined> {
    const row = await this.db<ChangeRow>(TABLE)
      .where({ requested_by: requestedBy, idempotency_key: key })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Reads, changes and writes one request in a transaction (rows locked on PostgreSQL), so two replicas
   * or a webhook and a poll never overwrite each other's step. `mutate` returns `undefined` to write nothing.
   */
  async update(
    id: string,
    mutate: (request: StoredChangeRequest) => StoredChangeRequest | undefined,
  ): Promise<StoredChangeRequest> {
    return this.db.transaction(async tx => {
      let query = tx<ChangeRow>(TABLE).where({ id });
      if (
        tx.client.config.client !== 'better-sqlite3' &&
        tx.client.config.client !== 'sqlite3'
      ) {
        query = query.forUpdate();
      }
      const row = await query.first();
      if (!row) throw new NotFoundError(`no change request ${id}`);
      const current = fromRow(row);
      const next = mutate(current);
      if (!next) return current;
      const { idempotency_key: _key, ...columns } = this.toRow(next, undefined);
      await tx<ChangeRow>(TABLE).where({ id }).update(columns);
      return next;
    });
  }

  /** Newest first. */
  async list(query: ChangeListQuery = {}): Promise<ChangeRequestListResponse> {
    const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    let builder = this.db<ChangeRow>(TABLE)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    if (query.entityRef) {
      builder = builder.where(
        'entity_ref',
        normalizeEntityRef(query.entityRef),
      );
    }
    if (query.state) {
      builder = builder.whereIn('state', ([] as string[]).concat(query.state));
    }
    if (query.cursor) {
      const { createdAt, id } = pageCursor.decode(query.cursor);
      builder = builder.where(q =>
        q
          .where('created_at', '<', String(createdAt))
          .orWhere(q2 =>
            q2
              .where('created_at', String(createdAt))
              .andWhere('id', '<', String(id)),
          ),
      );
    }
    const rows = await builder;
    const items = rows
      .slice(0, limit)
      .map(row => withoutProposal(fromRow(row)));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items,
      ...(last
        ? {
            nextCursor: pageCursor.encode({
              createdAt: last.created_at,
              id: last.id,
            }),
          }
        : {}),
    };
  }

  /** Requests still moving (not in a final state), oldest first: what the tracker resumes after a restart. */
  async listActive(): Promise<StoredChangeRequest[]> {
    const rows = await this.db<ChangeRow>(TABLE)
      .whereNotIn('state', FINAL_CHANGE_REQUEST_STATES as string[])
      .orderBy('created_at', 'asc');
    return rows.map(fromRow);
  }

  private toRow(
    request: StoredChangeRequest,
    idempotencyKey: string | undefined,
  ): ChangeRow {
    return {
      id: request.id,
      entity_ref: normalizeEntityRef(request.entityRef),
      repo: request.repo,
      state: request.state,
      requested_by: request.requestedBy,
      idempotency_key: idempotencyKey ?? null,
      created_at: request.createdAt,
      updated_at: request.updatedAt,
      record: JSON.stringify(request),
    };
  }
}

function fromRow(row: ChangeRow): StoredChangeRequest {
  return JSON.parse(row.record);
}

/** The API never returns the proposed file contents; the preview's diffs show them. */
export function withoutProposal(request: StoredChangeRequest): ChangeRequest {
  const { proposal: _proposal, ...rest } = request;
  return rest;
}
