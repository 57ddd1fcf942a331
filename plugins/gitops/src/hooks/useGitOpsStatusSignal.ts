import {
  GITOPS_STATUS_SIGNAL_CHANNEL,
  type GitOpsStatusSignal,
} from '@backstage-gitops/plugin-gitops-common';
import { useSignal } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import { useEffect, useState } from 'react';
import { entityRefKey } from './entityRefKey';

/**
 * Counts `gitops:status` signals about one entity (and, when given, one of its applications).
 * Use the count as a fetch dependency: it changes exactly when the backend says the verdict changed.
 */
export function useGitOpsStatusSignal(scope: {
  entityRef: string;
  application?: string;
}): number {
  const { entityRef, application } = scope;
  const { lastSignal } = useSignal(GITOPS_STATUS_SIGNAL_CHANNEL);
  const [count, setCount] = useState(0);

  useEffect(() => {
    if (!isStatusSignal(lastSignal)) return;
    if (entityRefKey(lastSignal.entityRef) !== entityRefKey(entityRef)) return;
    if (application !== undefined && lastSignal.application !== application) {
      return;
    }
    setCount(previous => previous + 1);
  }, [lastSignal, entityRef, application]);

  return count;
}

function isStatusSignal(
  message: JsonObject | null,
): message is JsonObject & GitOpsStatusSignal {
  return (
    typeof message?.entityRef === 'string' &&
    typeof message?.application === 'string'
  );
}
