import {
  GITOPS_CHANGE_SIGNAL_CHANNEL,
  type GitOpsChangeSignal,
} from '@backstage-gitops/plugin-gitops-common';
import { useSignal } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import { useEffect, useState } from 'react';
import { entityRefKey } from './entityRefKey';

/**
 * Counts `gitops:change` signals about one change request (`id`) or about any change request of one entity.
 * Use the count as a fetch dependency: it changes exactly when the backend says a request moved.
 */
export function useChangeRequestSignal(
  scope: { id: string } | { entityRef: string },
): number {
  const id = 'id' in scope ? scope.id : undefined;
  const entityRef = 'entityRef' in scope ? scope.entityRef : undefined;
  const { lastSignal } = useSignal(GITOPS_CHANGE_SIGNAL_CHANNEL);
  const [count, setCount] = useState(0);

  useEffect(() => {
    if (!isChangeSignal(lastSignal)) return;
    if (id !== undefined && lastSignal.id !== id) return;
    if (
      entityRef !== undefined &&
      entityRefKey(lastSignal.entityRef) !== entityRefKey(entityRef)
    ) {
      return;
    }
    setCount(previous => previous + 1);
  }, [lastSignal, id, entityRef]);

  return count;
}

function isChangeSignal(
  message: JsonObject | null,
): message is JsonObject & GitOpsChangeSignal {
  return (
    typeof message?.id === 'string' && typeof message?.entityRef === 'string'
  );
}
