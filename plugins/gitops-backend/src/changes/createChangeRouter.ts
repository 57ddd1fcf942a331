import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  gitopsChangeApprovePermission,
  gitopsChangeCreatePermission,
  gitopsEntityReadPermission,
  gitopsFleetReadPermission,
} from '@backstage-gitops/plugin-gitops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import express from 'express';
import Router from 'express-promise-router';
import { jsonBody } from '../api/jsonBody';
import { withoutProposal } from '../database/DatabaseChangeStore';
import type { ChangeActor, ChangeAuthorizer, ChangeService } from './ChangeService';
import {
  changeIdParams,
  changeListQuery,
  createChangeRequestSchema,
} from './changeSchemas';
import type { DatabaseChangeStore } from '../database/DatabaseChangeStore';
import { parseInput } from '../api/parseInput';

export interface ChangeRouterOptions {
  service: ChangeService;
  store: DatabaseChangeStore;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** Decides `gitops.change.create` and `gitops.change.approve` through the permission framework, per entity. */
export function permissionAuthorizer(permissions: PermissionsService): ChangeAuthorizer {
  return {
    async authorize(actor, action, entityRefs) {
      const permission = action === 'create' ? gitopsChangeCreatePermission : gitopsChangeApprovePermission;
      const decisions = await permissions.authorize(
        entityRefs.map(resourceRef => ({ permission, resourceRef })),
        { credentials: actor.credentials },
      );
      const denied = entityRefs.filter((_, i) => decisions[i].result !== AuthorizeResult.ALLOW);
      if (denied.length > 0) {
        throw new NotAllowedError(
          `${actor.userEntityRef} may not ${action === 'create' ? 'propose changes to' : 'approve changes to'} ${denied.join(', ')}`,
        );
      }
    },
  };
}

/** The change request API: preview, submit, follow, approve, merge, cancel. */
export async function createChangeRouter(options: ChangeRouterOptions): Promise<express.Router> {
  const { service, store, httpAuth, userInfo, permissions, auditor } = options;
  const router = Router();
  router.use('/changes', jsonBody(256 * 1024));

  const actorOf = async (req: express.Request): Promise<ChangeActor> => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    return {
      userEntityRef: credentials.principal.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      credentials,
    };
  };

  const authorizeRead = async (req: express.Request, entityRef: string) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed to read GitOps data of ${entityRef}`);
    }
  };

  /** Runs a mutation inside an auditor event that records success or the error. */
  const audited = async <T>(
    req: express.Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> => {
    const event = await auditor.createEvent({ eventId, request: req, severityLevel: 'medium', meta });
    try {
      const result = await fn();
      await event.success({ meta: summarize(result) });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };

  router.post('/changes/preview', async (req, res) => {
    const body = parseInput(createChangeRequestSchema, req.body, 'change request');
    const actor = await actorOf(req);
    res.json(await service.preview(body, actor));
  });

  router.post('/changes', async (req, res) => {
    const body = parseInput(createChangeRequestSchema, req.body, 'change request');
    const actor = await actorOf(req);
    const { created, request } = await audited(
      req,
      'change-request-create',
      { changes: body.changes.map(c => c.type), idempotencyKey: body.idempotencyKey ?? null },
      () => service.submit(body, actor),
    );
    res.status(created ? 201 : 200).json(request);
  });

  router.get('/changes', async (req, res) => {
    const query = parseInput(changeListQuery, req.query, 'query');
    if (query.entityRef) {
      await authorizeRead(req, query.entityRef);
      res.json(await store.list(query));
      return;
    }
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission: gitopsFleetReadPermission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('not allowed to list every change request; filter by entityRef');
    }
    // Reading the fleet is not reading every entity: requests on entities the caller may not read are left out.
    const page = await store.list(query);
    const entityRefs = [...new Set(page.items.map(item => item.entityRef))];
    const decisions = entityRefs.length
      ? await permissions.authorize(
          entityRefs.map(resourceRef => ({ permission: gitopsEntityReadPermission, resourceRef })),
          { credentials },
        )
      : [];
    const readable = new Set(entityRefs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW));
    res.json({ ...page, items: page.items.filter(item => readable.has(item.entityRef)) });
  });

  router.get('/changes/:id', async (req, res) => {
    const { id } = parseInput(changeIdParams, req.params, 'path');
    const request = await service.get(id);
    await authorizeRead(req, request.entityRef);
    res.json(withoutProposal(request));
  });

  router.post('/changes/:id/approve', async (req, res) => {
    const { id } = parseInput(changeIdParams, req.params, 'path');
    const actor = await actorOf(req);
    res.json(await audited(req, 'change-request-approve', { id }, () => service.approve(id, actor)));
  });

  router.post('/changes/:id/merge', async (req, res) => {
    const { id } = parseInput(changeIdParams, req.params, 'path');
    const actor = await actorOf(req);
    res.json(await audited(req, 'change-request-merge', { id }, () => service.merge(id, actor)));
  });

  router.post('/changes/:id/cancel', async (req, res) => {
    const { id } = parseInput(changeIdParams, req.params, 'path');
    const actor = await actorOf(req);
    res.json(await audited(req, 'change-request-cancel', { id }, () => service.cancel(id, actor)));
  });

  return router;
}

function summarize(result: unknown): JsonObject | undefined {
  const request = (result as { request?: { id: string; state: string } })?.request ?? (result as { id?: string; state?: string });
  return request && typeof request === 'object' && 'id' in request ? { id: request.id, state: request.state } : undefined;
}
