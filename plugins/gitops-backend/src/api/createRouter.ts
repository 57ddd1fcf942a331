import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  ApplicationStatus,
  ApplicationStatusSummary,
  ENTITY_STATUS_BATCH_LIMIT,
  EntityStatusBatchResponse,
  EnvironmentListResponse,
  HEALTH_STATUSES,
  SYNC_STATUSES,
  gitopsEntityReadPermission,
  gitopsFleetReadPermission,
} from '@backstage-gitops/plugin-gitops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { GitOpsStore } from '../database/GitOpsStore';
import { normalizeEntityRef } from '../database/normalizeEntityRef';
import { jsonBody } from './jsonBody';
import { parseInput } from './parseInput';
import { applicationParams, entityParams } from './pathParams';

export interface RouterOptions {
  store: GitOpsStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
};

const historyQuery = z.object(pageQuery);

const fleetQuery = z.object({
  ...pageQuery,
  owner: z.string().max(253).optional(),
  system: z.string().max(253).optional(),
  environment: z.string().max(63).optional(),
  sync: z.enum(SYNC_STATUSES).optional(),
  health: z.enum(HEALTH_STATUSES).optional(),
});

const statusBatchBody = z.object({
  entityRefs: z
    .array(z.string().min(1).max(1024))
    .max(ENTITY_STATUS_BATCH_LIMIT),
});

/** The read API: every answer comes from the store, never from a cluster. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, permissions } = options;
  const router = Router();
  // Not under /changes: change requests are larger, and their router parses them with its own limit.
  router.use(/^(?!\/changes(?:\/|$))/, jsonBody(64 * 1024));

  const authorizeEntity = async (req: express.Request, entityRef: string) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the GitOps status of ${entityRef}`,
      );
    }
  };

  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const { kind, namespace, name } = parseInput(
      entityParams,
      req.params,
      'entity reference',
    );
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    await authorizeEntity(req, entityRef);
    const applications = await store.getEntityStatus(entityRef);
    const own = normalizeEntityRef(entityRef);
    // Applications linked by this entity's annotation belong to other entities: each still needs read access
    // there, so editing an annotation cannot reveal another team's applications.
    const foreign = [
      ...new Set(
        applications
          .map(status => status.application.entityRef)
          .filter(ref => ref !== own),
      ),
    ];
    let allowedForeign = new Set<string>();
    if (foreign.length > 0) {
      const decisions = await permissions.authorize(
        foreign.map(resourceRef => ({
          permission: gitopsEntityReadPermission,
          resourceRef,
        })),
        { credentials: await httpAuth.credentials(req) },
      );
      allowedForeign = new Set(
        foreign.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
      );
    }
    res.json({
      entityRef,
      applications: applications.filter(
        status =>
          status.application.entityRef === own ||
          allowedForeign.has(status.application.entityRef),
      ),
    });
  });

  router.get('/applications/:name', async (req, res) => {
    const { name } = parseInput(
      applicationParams,
      req.params,
      'application name',
    );
    const detail = await store.getApplication(name);
    // Same answer for "absent" and "not yours" would leak nothing, but owners need the 404 to debug names.
    if (!detail) throw new NotFoundError(`No application named ${name}`);
    await authorizeEntity(req, detail.status.application.entityRef);
    res.json(detail);
  });

  router.get('/applications/:name/history', async (req, res) => {
    const { name } = parseInput(
      applicationParams,
      req.params,
      'application name',
    );
    const { limit, cursor } = parseInput(historyQuery, req.query, 'query');
    const detail = await store.getApplication(name);
    if (!detail) throw new NotFoundError(`No application named ${name}`);
    await authorizeEntity(req, detail.status.application.entityRef);
    res.json(await store.getHistory(name, { limit, cursor }));
  });

  /** Of these entity refs, those the caller may read; one permission request for all of them. */
  const readable = async (
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> => {
    if (entityRefs.length === 0) return new Set();
    const decisions = await permissions.authorize(
      entityRefs.map(resourceRef => ({
        permission: gitopsEntityReadPermission,
        resourceRef,
      })),
      { credentials },
    );
    return new Set(
      entityRefs.filter(
        (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
      ),
    );
  };

  /** Needs gitops.fleet.read; answers the entities of the fleet the caller may read. */
  const readableFleet = async (req: express.Request): Promise<string[]> => {
    const credentials = await httpAuth.credentials(req);
    const [fleetDecision] = await permissions.authorize(
      [{ permission: gitopsFleetReadPermission }],
      { credentials },
    );
    if (fleetDecision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read the GitOps fleet');
    }
    // Rows are limited to entities the caller may read, decided per entity by the permission policy.
    return [...(await readable(await store.listEntityRefs(), credentials))];
  };

  router.get('/fleet', async (req, res) => {
    const query = parseInput(fleetQuery, req.query, 'query');
    const allowed = await readableFleet(req);
    res.json(await store.listFleet({ ...query, entityRefs: allowed }));
  });

  router.get('/environments', async (req, res) => {
    const allowed = await readableFleet(req);
    const answer: EnvironmentListResponse = {
      items: await store.listEnvironments({ entityRefs: allowed }),
    };
    res.json(answer);
  });

  // `:batch` is a custom method on the collection, not a path parameter: hence the escaped colon.
  router.post('/entities/status\\:batch', async (req, res) => {
    const { entityRefs } = parseInput(
      statusBatchBody,
      req.body,
      'request body',
    );
    // Normalizing validates each ref, before the policy is asked anything.
    const spellings = new Map<string, string>();
    for (const entityRef of entityRefs) {
      const key = normalizeEntityRef(entityRef);
      if (!spellings.has(key)) spellings.set(key, entityRef);
    }
    const credentials = await httpAuth.credentials(req);
    const allowed = await readable([...spellings.keys()], credentials);
    if (spellings.size > 0 && allowed.size === 0) {
      throw new NotAllowedError(
        'Not allowed to read the GitOps status of any of these entities',
      );
    }
    const statuses = await store.getEntityStatuses([...allowed]);
    // As for one entity: an application linked from another entity needs read access to that entity too.
    const owners = new Set(
      [...statuses.values()].flatMap(list =>
        list.map(status => normalizeEntityRef(status.application.entityRef)),
      ),
    );
    const foreign = [...owners].filter(ref => !allowed.has(ref));
    const allowedForeign = await readable(foreign, credentials);
    const answer: EntityStatusBatchResponse = {
      items: [...allowed].map(key => ({
        entityRef: spellings.get(key)!,
        applications: (statuses.get(key) ?? [])
          .filter(status => {
            const owner = normalizeEntityRef(status.application.entityRef);
            return allowed.has(owner) || allowedForeign.has(owner);
          })
          .map(toSummary),
      })),
    };
    res.json(answer);
  });

  return router;
}

function toSummary(status: ApplicationStatus): ApplicationStatusSummary {
  return {
    name: status.application.name,
    environment: status.application.environment,
    sync: status.sync,
    health: status.health,
    driftCount: status.driftCount,
    ...(status.problem && { problem: status.problem }),
  };
}
