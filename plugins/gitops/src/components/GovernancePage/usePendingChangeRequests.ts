import { useApi } from '@backstage/frontend-plugin-api';
import { FINAL_CHANGE_REQUEST_STATES } from '@backstage-gitops/plugin-gitops-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';

const LIMIT = 100;
const CONCURRENCY = 4;

/** Open change requests per application of one entity; `more` when the entity has more than were read. */
export interface EntityPending {
  counts: Map<string, number>;
  more: boolean;
}

export type PendingResult = EntityPending | Error;

/**
 * Counts of change requests not yet in an end state, per application. The fleet route does not carry them,
 * so they are read per entity from `GET /changes`, only for the entities asked for (the visible page), a few
 * at a time, each once.
 */
export function usePendingChangeRequests(entityRefs: string[]) {
  const gitopsApi = useApi(gitopsApiRef);
  const [byEntity, setByEntity] = useState<Map<string, PendingResult>>(
    () => new Map(),
  );
  const requested = useRef(new Map<string, Promise<PendingResult>>());
  const limit = useRef(createLimiter(CONCURRENCY));

  /** Reads the entities not read yet; resolves to every asked entity's result. */
  const load = useCallback(
    async (refs: string[]): Promise<Map<string, PendingResult>> => {
      for (const ref of new Set(refs)) {
        if (requested.current.has(ref)) continue;
        const promise = limit
          .current(() => pendingOf(gitopsApi, ref))
          .then(result => {
            setByEntity(previous => new Map(previous).set(ref, result));
            return result;
          });
        requested.current.set(ref, promise);
      }
      const results = await Promise.all(
        refs.map(
          async ref => [ref, await requested.current.get(ref)!] as const,
        ),
      );
      return new Map(results);
    },
    [gitopsApi],
  );

  const key = [...new Set(entityRefs)].sort().join('\n');
  useEffect(() => {
    if (key) load(key.split('\n'));
  }, [load, key]);

  return { byEntity, load };
}

/** The pending count of one application from an entity's result: `undefined` while unknown. */
export function pendingCount(
  result: PendingResult | undefined,
  application: string,
): { count: number; more: boolean } | Error | undefined {
  if (!result || result instanceof Error) return result;
  return { count: result.counts.get(application) ?? 0, more: result.more };
}

async function pendingOf(
  gitopsApi: GitOpsApi,
  entityRef: string,
): Promise<PendingResult> {
  try {
    const { items, nextCursor } = await gitopsApi.listChangeRequests({
      entityRef,
      limit: LIMIT,
    });
    const counts = new Map<string, number>();
    for (const request of items) {
      if (FINAL_CHANGE_REQUEST_STATES.includes(request.state)) continue;
      for (const app of request.applications) {
        counts.set(app.name, (counts.get(app.name) ?? 0) + 1);
      }
    }
    return { counts, more: Boolean(nextCursor) };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Runs at most `concurrency` tasks at once; the others wait their turn. */
function createLimiter(concurrency: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) {
      await new Promise<void>(resolve => waiting.push(resolve));
    }
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
