import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  DoraMetricsResponse,
  DriftMetricsResponse,
  gitopsEntityReadPermission,
  gitopsFleetReadPermission,
} from '@backstage-gitops/plugin-gitops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { normalizeEntityRef } from '../database/normalizeEntityRef';
import { computeDoraMetrics } from './computeDoraMetrics';
import type { MetricsStore } from './DatabaseMetricsStore';
import { driftOverTime } from './driftOverTime';
import { resolveMetricsRange } from './resolveMetricsRange';
import { parseInput } from '../api/parseInput';

export interface MetricsRouterOptions {
  store: MetricsStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** The clock that the default range ends at. */
  now?: () => Date;
}

const DEFAULT_FAILURE_WINDOW_HOURS = 24;

const timestamp = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error:
    'must be an ISO 8601 date (2026-11-01) or timestamp (2026-11-01T00:00:00Z)',
});
const entityRef = z
  .string()
  .max(255)
  .refine(ref => {
    try {
      normalizeEntityRef(ref);
      return true;
    } catch {
      return false;
    }
  }, 'must be an entity ref such as component:default/shop-api');
const environment = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be an environment name')
  .max(63);
const range = { from: timestamp.optional(), to: timestamp.optional() };

const doraQuery = z.object({
  ...range,
  entityRef: entityRef.optional(),
  environment: environment.optional(),
  failureWindowHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(168)
    .default(DEFAULT_FAILURE_WINDOW_HOURS),
});

const driftQuery = z.object({ ...range, environment: environment.optional() });

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
  entityRef: entityRef.optional(),
  actor: z.string().min(1).max(255).optional(),
});

/** Delivery metrics (DORA), drift over time and the audit log: fleet-wide, or for one entity. */
export async function createMetricsRouter(
  options: MetricsRouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, permissions } = options;
  const now = options.now ?? (() => new Date());
  const router = Router();

  /** Fleet-wide needs `gitops.fleet.read`; one entity needs `gitops.entity.read` on it. */
  const authorize = async (req: express.Request, ref: string | undefined) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [
        ref
          ? { permission: gitopsEntityReadPermission, resourceRef: ref }
          : { permission: gitopsFleetReadPermission },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        ref
          ? `Not allowed to read the GitOps data of ${ref}`
          : 'Not allowed to read GitOps data of the whole fleet; filter by entityRef',
      );
    }
  };

  router.get('/metrics/dora', async (req, res) => {
    const query = parseInput(doraQuery, req.query, 'query');
    const ref = query.entityRef && normalizeEntityRef(query.entityRef);
    await authorize(req, ref);
    const timeRange = resolveMetricsRange(query, now());
    const filter = {
      ...(ref && { entityRef: ref }),
      ...(query.environment && { environment: query.environment }),
    };
    const input = await store.readDoraInput(
      timeRange,
      filter,
      query.failureWindowHours,
    );
    const body: DoraMetricsResponse = {
      ...computeDoraMetrics(input),
      ...filter,
    };
    res.json(body);
  });

  router.get('/metrics/drift', async (req, res) => {
    const query = parseInput(driftQuery, req.query, 'query');
    await authorize(req, undefined);
    const timeRange = resolveMetricsRange(query, now());
    const filter = query.environment ? { environment: query.environment } : {};
    const history = await store.readHistory(timeRange, filter);
    const body: DriftMetricsResponse = {
      from: new Date(timeRange.from).toISOString(),
      to: new Date(timeRange.to).toISOString(),
      ...filter,
      days: driftOverTime(history, timeRange),
    };
    res.json(body);
  });

  router.get('/audit', async (req, res) => {
    const query = parseInput(auditQuery, req.query, 'query');
    const ref = query.entityRef && normalizeEntityRef(query.entityRef);
    await authorize(req, ref);
    res.json(await store.listAudit({ ...query, entityRef: ref || undefined }));
  });

  return router;
}
