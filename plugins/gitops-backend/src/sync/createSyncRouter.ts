import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  gitopsEntityReadPermission,
  gitopsSyncTriggerPermission,
} from '@backstage-gitops/plugin-gitops-common';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { SyncStore } from '../database/DatabaseSyncStore';
import type { GitOpsStore } from '../database/GitOpsStore';
import type { Syncer } from './Syncer';
import { parseInput } from '../api/parseInput';

export interface SyncRouterOptions {
  store: Pick<GitOpsStore, 'getApplication'>;
  syncStore: Pick<SyncStore, 'listRuns'>;
  syncer: Pick<Syncer, 'syncNow'>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

const applicationParams = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    .max(253),
});

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
});

/** Who asked for a sync, as kept on the run: a user's entity ref, or the calling service. */
function requesterOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return principal.userEntityRef;
  if (principal.type === 'service') return principal.subject;
  return undefined;
}

/** Sync history and "sync now", each checked against the application's catalog entity. */
export async function createSyncRouter(
  options: SyncRouterOptions,
): Promise<express.Router> {
  const { store, syncStore, syncer, httpAuth, permissions } = options;
  const router = Router();

  /** The application's entity, once the caller may do `permission` on it. */
  const authorize = async (
    req: express.Request,
    name: string,
    permission: ResourcePermission,
    refusal: string,
  ) => {
    const credentials = await httpAuth.credentials(req);
    const detail = await store.getApplication(name);
    if (!detail) throw new NotFoundError(`No application named ${name}`);
    const entityRef = detail.status.application.entityRef;
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${refusal} ${entityRef}`);
    }
    return credentials;
  };

  router.get('/applications/:name/syncs', async (req, res) => {
    const { name } = parseInput(
      applicationParams,
      req.params,
      'application name',
    );
    const { limit, cursor } = parseInput(pageQuery, req.query, 'query');
    await authorize(
      req,
      name,
      gitopsEntityReadPermission,
      'Not allowed to read the GitOps status of',
    );
    res.json(await syncStore.listRuns(name, { limit, cursor }));
  });

  router.post('/applications/:name/sync', async (req, res) => {
    const { name } = parseInput(
      applicationParams,
      req.params,
      'application name',
    );
    const credentials = await authorize(
      req,
      name,
      gitopsSyncTriggerPermission,
      'Not allowed to sync the applications of',
    );
    const run = await syncer.syncNow(name, {
      requestedBy: requesterOf(credentials),
      request: req,
    });
    res.status(202).json(run);
  });

  return router;
}
