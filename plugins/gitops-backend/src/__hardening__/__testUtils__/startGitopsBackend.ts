import {
  coreServices,
  createServiceFactory,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
} from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { Knex } from 'knex';
import request from 'supertest';
import { gitopsPlugin } from '../../plugin';

export type Decision = AuthorizeResult.ALLOW | AuthorizeResult.DENY;
/** The permission policy: answers per permission, entity and user; tests swap it. */
export type Policy = (
  permission: string,
  resourceRef: string | undefined,
  user: string | undefined,
) => Decision;
export const allowAll: Policy = () => AuthorizeResult.ALLOW;

/** Everything the plugin said to the outside world besides HTTP answers. */
export interface Captured {
  /** Every log line of every plugin and the root logger (auditor events included), with its meta. */
  logs: string[];
  signals: Array<{ channel: string; message: unknown }>;
  notifications: NotificationSendOptions[];
}

export interface GitopsBackend extends Captured {
  server: Parameters<typeof request>[0];
  /** Runs a scheduled task now, e.g. `gitops-poll-<repo>`: the test scheduler runs none by itself. */
  triggerTask(id: string): Promise<void>;
  policy: Policy;
  get(url: string, user?: string): request.Test;
  post(url: string, body?: unknown, user?: string): request.Test;
  stop(): Promise<void>;
}

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
// bob is in the platform team, which the example's prod approval rule names.
const GROUPS: Record<string, string[]> = {
  [ALICE]: ['group:default/team-shop'],
  [BOB]: ['group:default/platform-team'],
};

function capturingRootLogger(
  lines: string[],
  meta: JsonObject = {},
): RootLoggerService {
  const log = (level: string) => (message: string, extra?: unknown) => {
    const detail =
      extra instanceof Error
        ? `${extra.name}: ${extra.message}\n${extra.stack}`
        : JSON.stringify(extra ?? {});
    lines.push(`${level} ${JSON.stringify(meta)} ${message} ${detail}`);
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: childMeta => capturingRootLogger(lines, { ...meta, ...childMeta }),
  };
}

/**
 * The whole gitops plugin in a test backend, wired as in production but for: the permission policy (a
 * function the test sets), the catalog (empty), and recorders for logs, signals and notifications.
 */
export async function startGitopsBackend(options: {
  knex: Knex;
  gitops: JsonObject;
  app?: JsonObject;
  integrations?: JsonObject;
}): Promise<GitopsBackend> {
  const captured: Captured = { logs: [], signals: [], notifications: [] };
  const scheduler = mockServices.scheduler();
  const handle = { policy: allowAll };
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) =>
      requests.map((req: AuthorizePermissionRequest) => ({
        result: handle.policy(
          req.permission.name,
          req.resourceRef,
          (credentials.principal as { userEntityRef?: string }).userEntityRef,
        ),
      })),
  });
  const backend = await startTestBackend({
    features: [
      gitopsPlugin,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000', ...options.app },
          gitops: options.gitops,
          ...(options.integrations
            ? { integrations: options.integrations }
            : {}),
        },
      }),
      mockServices.database.factory({ knex: options.knex }),
      // Runs no task by itself: the test triggers polls when it wants them.
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () => scheduler,
      }),
      permissions.factory,
      catalogServiceMock.factory(),
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => capturingRootLogger(captured.logs),
      }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({
          publish: async (signal: { channel: string; message: unknown }) => {
            captured.signals.push(signal);
          },
        }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (notification: NotificationSendOptions) => {
            captured.notifications.push(notification);
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => {
            const userEntityRef = credentials.principal.userEntityRef;
            return {
              userEntityRef,
              ownershipEntityRefs: [
                userEntityRef,
                ...(GROUPS[userEntityRef] ?? []),
              ],
            };
          },
        }),
      }),
    ],
  });
  const server = backend.server;
  return {
    ...captured,
    server,
    get policy() {
      return handle.policy;
    },
    set policy(policy: Policy) {
      handle.policy = policy;
    },
    triggerTask: id => scheduler.triggerTask(id),
    get: (url, user = ALICE) =>
      request(server)
        .get(`/api/gitops${url}`)
        .set('Authorization', mockCredentials.user.header(user)),
    post: (url, body, user = ALICE) => {
      const call = request(server)
        .post(`/api/gitops${url}`)
        .set('Authorization', mockCredentials.user.header(user));
      return body === undefined ? call : call.send(body as object);
    },
    stop: () => backend.stop(),
  };
}
