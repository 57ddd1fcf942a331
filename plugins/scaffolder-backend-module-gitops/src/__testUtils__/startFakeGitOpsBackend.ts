import type { DiscoveryService } from '@backstage/backend-plugin-api';
import type {
  ChangePreview,
  ChangeRequest,
  ChangeRequestState,
  CreateChangeRequestBody,
  EntityStatusResponse,
  PolicyReport,
} from '@backstage-gitops/plugin-gitops-common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: any;
}

interface ScriptedError {
  status: number;
  name: string;
  message: string;
  /** Answer with a non-JSON body, as a proxy in front of the backend would. */
  plain?: boolean;
}

const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * A stand-in for the GitOps backend's change-request API on 127.0.0.1, answering per the contract (JSON,
 * Backstage error bodies). It accepts only the tokens `mockServices.auth()` mints for `gitops`, and records
 * every request.
 */
export async function startFakeGitOpsBackend(
  options: {
    /** Application names per entity ref (`component:default/shop-api`) for the status route. */
    entities?: Record<string, string[]>;
    /** The state of a new change request; default `pr-open`. */
    createdState?: ChangeRequestState;
    policy?: PolicyReport;
    /** Change requests that already exist, by id. */
    existing?: ChangeRequest[];
  } = {},
) {
  const requests: RecordedRequest[] = [];
  const changes = new Map<string, ChangeRequest>();
  const byIdempotencyKey = new Map<string, string>();
  const timelines = new Map<
    string,
    Array<Partial<ChangeRequest> & { state: ChangeRequestState }>
  >();
  const scriptedErrors: Array<
    { method: string; path: string } & ScriptedError
  > = [];
  const policy: PolicyReport = options.policy ?? {
    verdict: 'allow',
    findings: [],
  };
  for (const cr of options.existing ?? []) {
    changes.set(cr.id, cr);
  }

  const preview = (body: CreateChangeRequestBody): ChangePreview => ({
    baseSha: 'a1b2c3d',
    files: body.changes.map((change, i) => ({
      path: `apps/changed-${i}/${change.type}.yaml`,
      diff: '@@ -1 +1 @@\n-old\n+new\n',
    })),
    applications: [],
    policy,
    windows: [],
    approvalsRequired: [],
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').replace(/^\/api\/gitops/, '');
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method,
        path,
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);

      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const fail = (error: ScriptedError) => {
        if (error.plain) {
          res.writeHead(error.status, { 'Content-Type': 'text/html' });
          res.end(`<html>${error.message}</html>`);
          return;
        }
        send(error.status, {
          error: { name: error.name, message: error.message },
          response: { statusCode: error.status },
        });
      };

      const user = requestingPrincipal(req.headers.authorization);
      if (!user) {
        fail({
          status: 401,
          name: 'AuthenticationError',
          message: 'Missing or invalid token',
        });
        return;
      }
      const scripted = scriptedErrors.findIndex(
        e => e.method === method && e.path === path,
      );
      if (scripted >= 0) {
        const [error] = scriptedErrors.splice(scripted, 1);
        fail(error);
        return;
      }

      const changeMatch = path.match(/^\/changes\/([^/]+)$/);
      const statusMatch = path.match(
        /^\/entities\/([^/]+)\/([^/]+)\/([^/]+)\/status$/,
      );
      if (method === 'POST' && path === '/changes/preview') {
        send(200, preview(recorded.body));
      } else if (method === 'POST' && path === '/changes') {
        const body = recorded.body as CreateChangeRequestBody;
        const earlier =
          body.idempotencyKey && byIdempotencyKey.get(body.idempotencyKey);
        if (earlier) {
          send(200, changes.get(earlier));
          return;
        }
        const id = `cr-${changes.size + 1}`;
        const state = options.createdState ?? 'pr-open';
        const now = new Date().toISOString();
        const cr: ChangeRequest = {
          id,
          title: body.title ?? 'Change',
          description: body.description,
          entityRef: 'component:default/shop-api',
          repo: 'main',
          changes: body.changes,
          applications: [],
          state,
          requestedBy: user,
          createdAt: now,
          updatedAt: now,
          baseSha: 'a1b2c3d',
          policy,
          approvals: [],
          approvalsRequired: [],
          pullRequest:
            state === 'pr-open'
              ? {
                  provider: 'github',
                  id: `#${changes.size + 1}`,
                  url: `https://forge.example/acme/config/pull/${
                    changes.size + 1
                  }`,
                  branch: `gitops/${id}`,
                  headSha: 'e4f5a6b',
                }
              : undefined,
          reason:
            state === 'rejected'
              ? 'policy prod-replicas denies the change'
              : undefined,
          events: [{ at: now, state, actor: user }],
        };
        changes.set(id, cr);
        if (body.idempotencyKey) {
          byIdempotencyKey.set(body.idempotencyKey, id);
        }
        send(201, cr);
      } else if (method === 'GET' && changeMatch) {
        const id = decodeURIComponent(changeMatch[1]);
        const cr = changes.get(id);
        if (!cr) {
          fail({
            status: 404,
            name: 'NotFoundError',
            message: `No change request ${id}`,
          });
          return;
        }
        const next = timelines.get(id)?.shift();
        if (next) {
          Object.assign(cr, next, {
            events: [
              ...cr.events,
              { at: new Date().toISOString(), state: next.state },
            ],
          });
        }
        send(200, cr);
      } else if (method === 'GET' && statusMatch) {
        const entityRef = `${statusMatch[1]}:${statusMatch[2]}/${statusMatch[3]}`;
        const names = options.entities?.[entityRef];
        if (!names) {
          fail({
            status: 404,
            name: 'NotFoundError',
            message: `No entity ${entityRef}`,
          });
          return;
        }
        const status: EntityStatusResponse = {
          entityRef,
          applications: names.map(name => ({ application: { name } } as any)),
        };
        send(200, status);
      } else {
        fail({
          status: 404,
          name: 'NotFoundError',
          message: `No route ${method} ${path}`,
        });
      }
    });
  });

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/gitops`;

  const discovery: DiscoveryService = {
    getBaseUrl: async pluginId => `http://127.0.0.1:${port}/api/${pluginId}`,
    getExternalBaseUrl: async pluginId =>
      `http://127.0.0.1:${port}/api/${pluginId}`,
  };

  return {
    baseUrl,
    discovery,
    requests,
    changes,
    /** Each later GET of `id` moves it to the next of these; then it stays. */
    setTimeline(
      id: string,
      steps: Array<
        | ChangeRequestState
        | (Partial<ChangeRequest> & { state: ChangeRequestState })
      >,
    ) {
      timelines.set(
        id,
        steps.map(step => (typeof step === 'string' ? { state: step } : step)),
      );
    },
    /** The next request to `method path` gets this error instead of its answer. */
    failNext(method: string, path: string, error: ScriptedError) {
      scriptedErrors.push({ method, path, ...error });
    },
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

export type FakeGitOpsBackend = Awaited<
  ReturnType<typeof startFakeGitOpsBackend>
>;

/**
 * Who a `mockServices.auth()` token for `gitops` acts for: the user it was minted on behalf of, or the calling
 * plugin for its own credentials; undefined when it is not such a token.
 */
function requestingPrincipal(
  authorization: string | undefined,
): string | undefined {
  const token = authorization?.match(/^Bearer (.+)$/)?.[1];
  if (!token?.startsWith(MOCK_SERVICE_TOKEN_PREFIX)) {
    return undefined;
  }
  const claims = JSON.parse(token.slice(MOCK_SERVICE_TOKEN_PREFIX.length));
  return claims.target === 'gitops' ? claims.obo ?? claims.sub : undefined;
}
