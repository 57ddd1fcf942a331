import { useRouteRef } from '@backstage/core-plugin-api';
import { useMemo } from 'react';
import {
  prefillToSearch,
  type ChangePrefill,
} from '../components/ChangeRequestPage/changePrefill';
import { changeRequestRouteRef, newChangeRequestRouteRef } from '../routes';

/** Paths to the change request pages; a link is `undefined` when the app has not mounted that page. */
export interface GitOpsLinks {
  newChangeRequest?: (prefill: ChangePrefill) => string;
  changeRequest?: (id: string) => string;
}

export function useGitOpsLinks(): GitOpsLinks {
  const newChange = useOptionalRouteRef(newChangeRequestRouteRef);
  const request = useOptionalRouteRef(changeRequestRouteRef);
  return useMemo(
    () => ({
      newChangeRequest: newChange
        ? prefill => {
            const search = prefillToSearch(prefill);
            return search ? `${newChange()}?${search}` : newChange();
          }
        : undefined,
      changeRequest: request ? id => request({ id }) : undefined,
    }),
    [newChange, request],
  );
}

// useRouteRef throws for a ref the app did not mount (after running all its hooks), and a tab must not
// break because an app left out a page.
function useOptionalRouteRef<T extends (...args: any[]) => string>(
  ref: Parameters<typeof useRouteRef>[0],
): T | undefined {
  try {
    return useRouteRef(ref) as unknown as T | undefined;
  } catch {
    return undefined;
  }
}
