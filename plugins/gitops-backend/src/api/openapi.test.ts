import type { AuditorService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  HEALTH_STATUSES,
  RESOURCE_SYNC_STATUSES,
  SYNC_STATUSES,
} from '@backstage-gitops/plugin-gitops-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { GitOpsStore } from '../database/GitOpsStore';
import { createRouter } from './createRouter';
import type { SyncStore } from '../database/DatabaseSyncStore';
import { createSyncRouter } from '../sync/createSyncRouter';
import { createChangeRouter } from '../changes/createChangeRouter';
import type { ChangeService } from '../changes/ChangeService';
import type { DatabaseChangeStore } from '../database/DatabaseChangeStore';
import type { Syncer } from '../sync/Syncer';
import { createMetricsRouter } from '../metrics/createMetricsRouter';
import type { MetricsStore } from '../metrics/DatabaseMetricsStore';

const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
];

interface Operation {
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  responses: Record<string, unknown>;
  security?: unknown[];
}

interface OpenApiDocument {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    parameters: Record<string, { name: string; in: string }>;
    schemas: Record<string, { enum?: string[] }>;
  };
}

async function loadSpec(): Promise<OpenApiDocument> {
  const text = await fs.readFile(path.join(__dirname, 'openapi.yaml'), 'utf8');
  return parse(text);
}

/** `METHOD /path/{param}` for every route the plugin's express routers serve, read from their stacks. */
async function routerOperations(): Promise<string[]> {
  // Building the routers touches none of their services; the routes are what is under test.
  const services = {
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
  };
  const routers = [
    await createRouter({ store: {} as GitOpsStore, ...services }),
    await createSyncRouter({
      store: {} as GitOpsStore,
      syncStore: {} as SyncStore,
      syncer: {} as Syncer,
      ...services,
    }),
    await createChangeRouter({
      service: {} as ChangeService,
      store: {} as DatabaseChangeStore,
      userInfo: mockServices.userInfo(),
      auditor: {} as AuditorService,
      ...services,
    }),
    await createMetricsRouter({ store: {} as MetricsStore, ...services }),
  ];
  const operations: string[] = [];
  for (const layer of routers.flatMap(router => router.stack)) {
    const route = layer.route as
      | { path: string | string[]; methods: Record<string, boolean> }
      | undefined;
    if (!route) continue;
    const paths = Array.isArray(route.path) ? route.path : [route.path];
    for (const routePath of paths) {
      for (const method of Object.keys(route.methods).filter(
        m => m !== '_all',
      )) {
        operations.push(
          `${method.toUpperCase()} ${routePath
            .replace(/(?<!\\):(\w+)/g, '{$1}')
            // An escaped colon is literal, as in `/entities/status\:batch`.
            .replace(/\\:/g, ':')}`,
        );
      }
    }
  }
  return operations.sort();
}

function specOperations(spec: OpenApiDocument): string[] {
  return Object.entries(spec.paths)
    .flatMap(([specPath, item]) =>
      Object.keys(item)
        .filter(key => HTTP_METHODS.includes(key))
        .map(method => `${method.toUpperCase()} ${specPath}`),
    )
    .sort();
}

function resolveParameter(
  spec: OpenApiDocument,
  parameter: { $ref?: string; name?: string; in?: string },
) {
  if (!parameter.$ref) return parameter as { name: string; in: string };
  return spec.components.parameters[parameter.$ref.split('/').pop()!];
}

describe('openapi.yaml', () => {
  it('is an OpenAPI 3.0 document', async () => {
    const spec = await loadSpec();
    expect(spec.openapi).toMatch(/^3\.0\.\d+$/);
    expect(Object.keys(spec.paths).length).toBeGreaterThan(0);
  });

  it('describes exactly the routes createRouter serves, with the same methods and paths', async () => {
    const spec = await loadSpec();
    const served = await routerOperations();
    expect(served.length).toBeGreaterThan(0);
    expect(specOperations(spec)).toEqual(served);
  });

  it('declares every path parameter of every path, and no other', async () => {
    const spec = await loadSpec();
    for (const [specPath, item] of Object.entries(spec.paths)) {
      const inPath = [...specPath.matchAll(/\{(\w+)\}/g)]
        .map(match => match[1])
        .sort();
      for (const method of Object.keys(item).filter(key =>
        HTTP_METHODS.includes(key),
      )) {
        const declared = (item[method].parameters ?? [])
          .map(parameter => resolveParameter(spec, parameter))
          .filter(parameter => parameter.in === 'path')
          .map(parameter => parameter.name)
          .sort();
        expect({
          operation: `${method} ${specPath}`,
          params: declared,
        }).toEqual({
          operation: `${method} ${specPath}`,
          params: inPath,
        });
      }
    }
  });

  it('requires credentials and documents a success, 400, 401 and 403 on every operation', async () => {
    const spec = await loadSpec();
    expect(spec.security).toEqual([{ JWT: [] }]);
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item).filter(key =>
        HTTP_METHODS.includes(key),
      )) {
        const operation = item[method];
        // An operation-level `security: []` or `{}` entry would open the route to anonymous callers.
        expect({
          at: `${method} ${specPath}`,
          security: operation.security,
        }).toEqual({
          at: `${method} ${specPath}`,
          security: undefined,
        });
        expect(Object.keys(operation.responses)).toEqual(
          expect.arrayContaining(['400', '401', '403']),
        );
        expect({
          at: `${method} ${specPath}`,
          success: Object.keys(operation.responses).some(code =>
            /^2\d\d$/.test(code),
          ),
        }).toEqual({ at: `${method} ${specPath}`, success: true });
      }
    }
  });

  it('uses the status vocabulary of gitops-common', async () => {
    const { components } = await loadSpec();
    expect(components.schemas.SyncStatus.enum).toEqual([...SYNC_STATUSES]);
    expect(components.schemas.ResourceSyncStatus.enum).toEqual([
      ...RESOURCE_SYNC_STATUSES,
    ]);
    expect(components.schemas.HealthStatus.enum).toEqual([...HEALTH_STATUSES]);
  });
});
