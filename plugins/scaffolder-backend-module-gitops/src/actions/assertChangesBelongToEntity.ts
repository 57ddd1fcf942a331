import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import type { GitOpsChangesClient } from '../client/GitOpsChangesClient';

function applicationsNamedBy(change: ChangeSpec): string[] {
  switch (change.type) {
    case 'promote':
      return [change.from, change.to];
    case 'rollback':
    case 'application':
      return [];
    default:
      return [change.application];
  }
}

/**
 * Refuses changes to applications the step's entity does not deploy, before anything is previewed or pushed:
 * a template run for one service must not edit another's (the backend still checks permissions on its own).
 */
export async function assertChangesBelongToEntity(options: {
  client: GitOpsChangesClient;
  entityRef: string;
  changes: ChangeSpec[];
  credentials: BackstageCredentials;
}): Promise<void> {
  const { client, entityRef, changes, credentials } = options;
  const own = entityRef.toLocaleLowerCase('en-US');

  const named = [...new Set(changes.flatMap(applicationsNamedBy))];
  if (named.length > 0) {
    const status = await client.getEntityStatus(entityRef, { credentials });
    const known = status.applications.map(a => a.application.name);
    const unknown = named.filter(name => !known.includes(name));
    if (unknown.length > 0) {
      throw new InputError(
        `${unknown.join(', ')} ${
          unknown.length === 1
            ? 'is not an application'
            : 'are not applications'
        } of ${entityRef}; its applications are: ${known.join(', ') || 'none'}`,
      );
    }
  }

  for (const change of changes) {
    if (change.type === 'rollback') {
      const earlier = await client.getChange(change.changeRequest, {
        credentials,
      });
      if (earlier.entityRef.toLocaleLowerCase('en-US') !== own) {
        throw new InputError(
          `Change request ${change.changeRequest} belongs to ${earlier.entityRef}, not ${entityRef}`,
        );
      }
    }
  }
}
