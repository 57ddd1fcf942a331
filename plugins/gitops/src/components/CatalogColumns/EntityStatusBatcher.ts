import { ResponseError } from '@backstage/errors';
import {
  ENTITY_STATUS_BATCH_LIMIT,
  type EntityStatusSummary,
} from '@backstage-gitops/plugin-gitops-common';
import type { GitOpsApi } from '../../api/GitOpsApi';
import { entityRefKey } from '../../hooks/entityRefKey';

/** How long an answer is reused: paging back and forth in the catalog does not ask again. */
const DEFAULT_MAX_AGE_MS = 30_000;

interface Waiter {
  entityRef: string;
  resolve: (summary: EntityStatusSummary | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * Gathers the status requests of the rows rendered together (one page of the catalog table) into one
 * `POST /entities/status:batch` per 200 entities. `undefined` for an entity the caller may not read.
 */
export class EntityStatusBatcher {
  private readonly api: Pick<GitOpsApi, 'getEntityStatuses'>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly answers = new Map<
    string,
    { at: number; answer: Promise<EntityStatusSummary | undefined> }
  >();
  private waiting = new Map<string, Waiter>();
  private flushing?: ReturnType<typeof setTimeout>;

  constructor(
    api: Pick<GitOpsApi, 'getEntityStatuses'>,
    options: { maxAgeMs?: number; now?: () => number } = {},
  ) {
    this.api = api;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  load(entityRef: string): Promise<EntityStatusSummary | undefined> {
    const key = entityRefKey(entityRef);
    const known = this.answers.get(key);
    if (known && this.now() - known.at < this.maxAgeMs) {
      return known.answer;
    }
    const answer = new Promise<EntityStatusSummary | undefined>(
      (resolve, reject) => {
        this.waiting.set(key, { entityRef, resolve, reject });
      },
    );
    this.answers.set(key, { at: this.now(), answer });
    // A failed answer is not kept: the next render asks again.
    answer.catch(() => {
      if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
    });
    // Rows of one page mount in one commit: their effects all run before this timer fires.
    this.flushing ??= setTimeout(() => this.flush(), 0);
    return answer;
  }

  private flush() {
    const waiters = [...this.waiting.values()];
    this.waiting = new Map();
    this.flushing = undefined;
    for (let i = 0; i < waiters.length; i += ENTITY_STATUS_BATCH_LIMIT) {
      void this.ask(waiters.slice(i, i + ENTITY_STATUS_BATCH_LIMIT));
    }
  }

  private async ask(waiters: Waiter[]) {
    try {
      const { items } = await this.api.getEntityStatuses(
        waiters.map(waiter => waiter.entityRef),
      );
      const byKey = new Map(
        items.map(item => [entityRefKey(item.entityRef), item]),
      );
      for (const waiter of waiters) {
        waiter.resolve(byKey.get(entityRefKey(waiter.entityRef)));
      }
    } catch (error) {
      // 403: the policy denies every entity asked about; for a table that is simply nothing to show.
      if (error instanceof ResponseError && error.statusCode === 403) {
        for (const waiter of waiters) waiter.resolve(undefined);
        return;
      }
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }
}
