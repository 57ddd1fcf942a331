import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
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

export interface RouterOptions {
  store: GitOpsStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Express decodes %2F and %3A in params: without these, `kind` or `name` could smuggle ref separators.
const ENTITY_KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const ENTITY_NAME = /^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/;

const entityParams = z.object({
  kind: z.string().regex(ENTITY_KIND).max(63),
  namespace: z.string().regex(DNS_NAME).max(253),
  name: z.string().regex(ENTITY_NAME).max(253),
});

const applicationParams = z.object({
  name: z.string().regex(DNS_NAME).max(253),
});

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

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .map(issue => `${issue.path.join('.') || what}: ${issue.message}`)
      .join('; ');
    throw new InputError(`Invalid ${what}: ${issues}`);
  }
  return result.data;
}

/** The read API: every answer comes from the store, never from a cluster. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { store, httpAuth, permissions } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  const authorizeEntity = async (req: express.Request, entityRef: string) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed to read the GitOps status of ${entityRef}`);
    }
  };

  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const { kind, namespace, name } = parse(entityParams, req.params, 'entity reference');
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
        foreign.map(resourceRef => ({ permission: gitopsEntityReadPermission, resourceRef })),
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
    const { name } = parse(applicationParams, req.params, 'application name');
    const detail = await store.getApplication(name);
    // Same answer for "absent" and "not yours" would leak nothing, but owners need the 404 to debug names.
    if (!detail) throw new NotFoundError(`No application named ${name}`);
    await authorizeEntity(req, detail.status.application.entityRef);
    res.json(detail);
  });

  router.get('/applications/:name/history', async (req, res) => {
    const { name } = parse(applicationParams, req.params, 'application name');
    const { limit, cursor } = parse(historyQuery, req.query, 'query');
    const detail = await store.getApplication(name);
    if (!detail) throw new NotFoundError(`No application named ${name}`);
    await authorizeEntity(req, detail.status.application.entityRef);
    res.json(await store.getHistory(name, { limit, cursor }));
  });

  router.get('/fleet', async (req, res) => {
    const query = parse(fleetQuery, req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    const [fleetDecision] = await permissions.authorize(
      [{ permission: gitopsFleetReadPermission }],
      { credentials },
    );
    if (fleetDecision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read the GitOps fleet');
    }
    // Rows are limited to entities the caller may read, decided per entity by the permission policy.
    const entityRefs = await store.listEntityRefs();
    const decisions = entityRefs.length
      ? await permissions.authorize(
          entityRefs.map(resourceRef => ({
            permission: gitopsEntityReadPermission,
            resourceRef,
          })),
          { credentials },
        )
      : [];
    const allowed = entityRefs.filter(
      (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
    );
    res.json(await store.listFleet({ ...query, entityRefs: allowed }));
  });

  return router;
}
