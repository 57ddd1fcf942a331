import { InputError } from '@backstage/errors';
import type {
  AuditAction,
  AuditEntry,
  AuditLogResponse,
  ChangeRequest,
  ChangeRequestEvent,
  SyncRun,
} from '@backstage-gitops/plugin-gitops-common';
import { pageCursor } from '../database/pageCursor';

/** Where a page of the audit log ends: the last entry shown. */
export interface AuditPosition {
  at: string;
  id: string;
}

/** Prefix of a sync entry's id; change request entries start with `cr-`, which sorts before it. */
export const SYNC_ENTRY_PREFIX = 'sync:';

function actionOf(event: ChangeRequestEvent): AuditAction | undefined {
  if (event.message === 'approved') return 'approved';
  switch (event.state) {
    case 'draft':
      return 'requested';
    case 'merged':
      return 'merged';
    case 'closed':
      return 'cancelled';
    default:
      return undefined;
  }
}

/** The steps of a change request a person took: requested, approved, merged, cancelled. */
export function changeRequestAuditEntries(
  request: ChangeRequest,
): AuditEntry[] {
  const entries: AuditEntry[] = [];
  request.events.forEach((event, i) => {
    const action = actionOf(event);
    if (!event.actor || !action) return;
    entries.push({
      id: `${request.id}:${String(i).padStart(4, '0')}`,
      at: event.at,
      actor: event.actor,
      action,
      entityRef: request.entityRef,
      changeRequest: { id: request.id, title: request.title },
      ...(event.message && { message: event.message }),
    });
  });
  return entries;
}

/** A sync someone asked for; automated and self-heal syncs are no one's action. */
export function syncRunAuditEntry(
  run: Omit<SyncRun, 'resources'>,
  entityRef?: string,
): AuditEntry | undefined {
  if (run.trigger !== 'manual' || !run.requestedBy) return undefined;
  return {
    id: `${SYNC_ENTRY_PREFIX}${run.id}`,
    at: run.startedAt,
    actor: run.requestedBy,
    action: 'synced',
    ...(entityRef && { entityRef }),
    application: run.application,
    ...(run.revision && { revision: run.revision }),
    result: run.result,
    ...(run.message && { message: run.message }),
  };
}

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Newest first; entries of the same instant by id, descending. Timestamps are fixed-length ISO 8601. */
export function compareAuditEntries(
  a: AuditPosition,
  b: AuditPosition,
): number {
  return compareStrings(b.at, a.at) || compareStrings(b.id, a.id);
}

/** Whether an entry comes after the position in the log (is older). */
export function isAfter(
  entry: AuditPosition,
  position: AuditPosition | undefined,
): boolean {
  return !position || compareAuditEntries(position, entry) < 0;
}

export function decodeAuditCursor(cursor: string): AuditPosition {
  const { at, id } = pageCursor.decode(cursor);
  if (
    typeof at !== 'string' ||
    typeof id !== 'string' ||
    Number.isNaN(Date.parse(at))
  ) {
    throw new InputError('Malformed page cursor');
  }
  return { at, id };
}

/** The first `limit` of the candidates, in log order, with a cursor when more follow. */
export function auditPage(
  candidates: AuditEntry[],
  limit: number,
): AuditLogResponse {
  const sorted = [...candidates].sort(compareAuditEntries);
  const items = sorted.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    ...(sorted.length > limit &&
      last && { nextCursor: pageCursor.encode({ at: last.at, id: last.id }) }),
  };
}
