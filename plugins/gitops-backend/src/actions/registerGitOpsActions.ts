import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  CHANGE_TYPES,
  HEALTH_STATUSES,
  RESOURCE_SYNC_STATUSES,
  SYNC_STATUSES,
  gitopsEntityReadPermission,
  gitopsSyncTriggerPermission,
  type ApplicationStatus,
  type ChangePreview,
  type ChangeRequest,
  type DriftRecord,
  type ResourceStatus,
  type Revision,
  type StatusProblem,
  type SyncRun,
} from '@backstage-gitops/plugin-gitops-common';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import { z as zod4 } from 'zod';
import type { z as zod3 } from 'zod/v3';
import { parseInput } from '../api/parseInput';
import { applicationNameParam, entityParams } from '../api/pathParams';
import type { ChangeActor, ChangeService } from '../changes/ChangeService';
import { createChangeRequestSchema } from '../changes/changeSchemas';
import type { GitOpsStore } from '../database/GitOpsStore';
import { normalizeEntityRef } from '../database/normalizeEntityRef';
import type { Syncer } from '../sync/Syncer';

/** The zod the actions registry hands to schema factories (its `zod/v3` flavour). */
type Zod = typeof zod3;

export interface GitOpsActionsOptions {
  actionsRegistry: ActionsRegistryService;
  store: Pick<GitOpsStore, 'getEntityStatus' | 'getApplication'>;
  changeService: Pick<ChangeService, 'preview' | 'submit'>;
  syncer: Pick<Syncer, 'syncNow'>;
  auth: Pick<AuthService, 'isPrincipal'>;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The app's path of a change request page; default `/gitops/changes/<id>`, as the frontend mounts it. */
  changePath?(id: string): string;
}

// The same checks the HTTP routes make on their path parameters.
const applicationName = zod4.object({ application: applicationNameParam });

const SECRET_NOTE =
  'Secret values are never returned: a drift on Secret data has `sensitive: true` and no `desired` or `live` value.';

/**
 * Registers the GitOps actions (served to AI clients by the MCP actions backend). Each one goes through the
 * same services and permission checks as the HTTP route it mirrors, with the caller's credentials.
 */
export function registerGitOpsActions(options: GitOpsActionsOptions): void {
  const {
    actionsRegistry,
    store,
    changeService,
    syncer,
    auth,
    userInfo,
    permissions,
    auditor,
  } = options;
  const changePath =
    options.changePath ?? ((id: string) => `/gitops/changes/${id}`);

  /** Throws `NotAllowedError` unless the caller may do `permission` on the entity. */
  const authorize = async (
    credentials: BackstageCredentials,
    permission: ResourcePermission,
    entityRef: string,
    refusal: string,
  ) => {
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${refusal} ${entityRef}`);
    }
  };

  /**
   * The named application, once the caller may do `permission` on its entity. Same order as the routes: an
   * unknown name is a 404 first, because owners need it to debug names.
   */
  const authorizedApplication = async (
    name: string,
    credentials: BackstageCredentials,
    permission: ResourcePermission,
    refusal: string,
  ) => {
    const { application } = parseInput(
      applicationName,
      { application: name },
      'application name',
    );
    const detail = await store.getApplication(application);
    if (!detail) {
      throw new NotFoundError(`No application named ${application}`);
    }
    await authorize(
      credentials,
      permission,
      detail.status.application.entityRef,
      refusal,
    );
    return detail;
  };

  /** Change requests are a person's: the same user-only rule as the change routes. */
  const actorOf = async (
    credentials: BackstageCredentials,
  ): Promise<ChangeActor> => {
    if (!auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'GitOps change requests can only be previewed or made with user credentials, not service or anonymous ones',
      );
    }
    const info = await userInfo.getUserInfo(credentials);
    return {
      userEntityRef: credentials.principal.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      credentials,
    };
  };

  actionsRegistry.register({
    name: 'get-gitops-status',
    title: 'Get GitOps deployment status of a catalog entity',
    description: [
      'Returns, for each environment a catalog entity (service, component) is deployed to through GitOps, its',
      'application name, cluster and namespace, sync status (Synced / OutOfSync / Unknown: does the cluster match',
      'Git?), health (Healthy, Progressing, Degraded, Suspended, Missing, Unknown), the config repo revision it was',
      'compared against, and how many fields have drifted from Git. Environments come ordered from dev to prod.',
      'Use it to answer "what is deployed where and is it healthy?". An application listed with a `problem` could',
      'not be checked (cluster unreachable, render failed): its status is the last one known.',
      'Call get-gitops-drift with an application name for the drifted fields. Needs gitops.entity.read on the',
      'entity. Reads stored verdicts only; never contacts a cluster.',
    ].join(' '),
    attributes: { destructive: false, readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .max(1024)
            .describe(
              'The catalog entity, as `kind:namespace/name` (e.g. `component:default/shop-api`). Kind defaults to `component` and namespace to `default`, so `shop-api` works too.',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string().describe('The entity that was asked for.'),
          applications: z
            .array(statusSchema(z))
            .describe(
              'One entry per application (environment); empty when the entity deploys nothing through GitOps.',
            ),
        }),
    },
    examples: [
      {
        title: 'Status of a service in every environment',
        input: { entityRef: 'component:default/shop-api' },
      },
    ],
    action: async ({ input, credentials }) => {
      const { kind, namespace, name } = parseEntityInput(input.entityRef);
      const entityRef = stringifyEntityRef({ kind, namespace, name });
      await authorize(
        credentials,
        gitopsEntityReadPermission,
        entityRef,
        'Not allowed to read the GitOps status of',
      );
      const applications = await store.getEntityStatus(entityRef);
      // As the status route: an application linked by this entity's annotation but owned by another entity
      // needs read access to that entity too.
      const own = normalizeEntityRef(entityRef);
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
          { credentials },
        );
        allowedForeign = new Set(
          foreign.filter(
            (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
          ),
        );
      }
      return {
        output: {
          entityRef,
          applications: applications
            .filter(
              status =>
                status.application.entityRef === own ||
                allowedForeign.has(status.application.entityRef),
            )
            .map(toStatusOutput),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-gitops-drift',
    title: 'Get the field-level drift of a GitOps application',
    description: [
      'Returns one GitOps application (one entity in one environment, e.g. `shop-api-prod`; get-gitops-status',
      'lists them) with its sync and health, and for each of its Kubernetes resources that is out of sync, drifted',
      'or not healthy: the fields whose live value differs from Git, each with its path (e.g.',
      '`spec.template.spec.containers[name=web].image`), the kind of difference (changed, missing-in-live,',
      'removed-from-git, added-in-live), the desired (Git) and live values, the field manager that wrote the live',
      `value (e.g. kubectl-edit) and since when. ${SECRET_NOTE}`,
      'To put Git back on the cluster use sync-gitops-application; to keep a live value, request a `codify` change.',
      "Needs gitops.entity.read on the application's entity. Reads stored verdicts only.",
    ].join(' '),
    attributes: { destructive: false, readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          application: z
            .string()
            .min(1)
            .max(253)
            .describe(
              'The application name as declared in the config repo, e.g. `shop-api-prod`.',
            ),
          includeSyncedResources: z
            .boolean()
            .optional()
            .describe(
              'Also list resources that are synced and healthy (default false: only those needing attention).',
            ),
        }),
      output: z =>
        z.object({
          application: statusSchema(z),
          resources: z.array(resourceSchema(z)),
          totalResources: z
            .number()
            .describe('How many resources the application has in all.'),
          omittedResources: z
            .number()
            .describe(
              'Synced and healthy resources left out (see includeSyncedResources).',
            ),
        }),
    },
    examples: [
      {
        title: 'What drifted in production',
        input: { application: 'shop-api-prod' },
      },
    ],
    action: async ({ input, credentials }) => {
      const detail = await authorizedApplication(
        input.application,
        credentials,
        gitopsEntityReadPermission,
        'Not allowed to read the GitOps status of',
      );
      const kept = input.includeSyncedResources
        ? detail.resources
        : detail.resources.filter(needsAttention);
      return {
        output: {
          application: toStatusOutput(detail.status),
          resources: kept.map(toResourceOutput),
          totalResources: detail.resources.length,
          omittedResources: detail.resources.length - kept.length,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'preview-gitops-change',
    title: 'Preview a GitOps change request',
    description: [
      'Computes what a change to the config repo would do, without writing anything anywhere: the files it would',
      'edit (unified diffs), for each affected application the Kubernetes objects it would create, update or',
      'delete (rendered manifest diffs, Secret values masked), the policy verdict (allow / warn / deny, with',
      'findings), whether change windows are open, and the approvals needed before merge. `wouldBeAccepted` tells',
      'whether request-gitops-change would accept it now. Changes: set an image tag, replicas, an environment',
      "variable, container resources; promote one environment's images to another; roll back a merged change",
      'request; codify a drifted live value into Git; add a new application. Needs user credentials and',
      'gitops.change.create on every entity the change touches.',
    ].join(' '),
    attributes: { destructive: false, readOnly: true, idempotent: true },
    schema: {
      input: z => changeBodySchema(z),
      output: z => previewSchema(z),
    },
    examples: [
      {
        title: 'Preview a new image tag in staging',
        input: {
          changes: [
            { type: 'image', application: 'shop-api-staging', tag: '1.5.0' },
          ],
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const body = parseInput(createChangeRequestSchema, input, 'change');
      const actor = await actorOf(credentials);
      return {
        output: toPreviewOutput(await changeService.preview(body, actor)),
      };
    },
  });

  actionsRegistry.register({
    name: 'request-gitops-change',
    title: 'Request a GitOps change (open a change request)',
    description: [
      'Opens a change request: the change is committed to a branch of the config repo and proposed as a pull',
      'request; nothing reaches a cluster until a person merges it (some environments first need approvals).',
      'Takes the same changes as preview-gitops-change (preview first and show the user the diff), plus a required',
      '`idempotencyKey`: retrying with the same key returns the request already opened instead of a second one.',
      'Refused, with nothing written, when the policy verdict is deny, a change window is closed, or the caller',
      'lacks gitops.change.create on an entity the change touches. Needs user credentials. Returns the request id,',
      'its state and the path of its page in the Backstage app, where it can be followed, approved and merged.',
    ].join(' '),
    attributes: { destructive: false, readOnly: false, idempotent: true },
    schema: {
      input: z =>
        changeBodySchema(z).extend({
          idempotencyKey: z
            .string()
            .min(1)
            .max(128)
            .describe(
              'A key unique to this intended change (1-128 letters, digits, "_", ".", ":" or "-"); reuse it when retrying the same request.',
            ),
        }),
      output: z =>
        z.object({
          id: z.string().describe('The change request id (`cr-…`).'),
          urlPath: z
            .string()
            .describe(
              "Path of the change request's page in the Backstage app, e.g. `/gitops/changes/cr-…`.",
            ),
          created: z
            .boolean()
            .describe(
              'False when the idempotency key had already opened this request.',
            ),
          state: z
            .string()
            .describe(
              'draft, checked, pr-open, merged, synced, healthy, or the end states rejected, closed, failed.',
            ),
          title: z.string(),
          entityRef: z.string(),
          repo: z.string().describe('The config repo id.'),
          applications: z.array(
            z.object({ name: z.string(), environment: z.string() }),
          ),
          policyVerdict: z.enum(['allow', 'warn', 'deny']),
          approvalsRequired: z.array(approvalRuleSchema(z)),
          pullRequest: z
            .object({
              provider: z.string(),
              id: z.string(),
              url: z.string().optional(),
              branch: z.string(),
            })
            .optional(),
          reason: z
            .string()
            .optional()
            .describe('Why it ended rejected, closed or failed.'),
        }),
    },
    examples: [
      {
        title: 'Scale staging to three replicas',
        input: {
          title: 'Scale shop-api in staging',
          changes: [
            {
              type: 'replicas',
              application: 'shop-api-staging',
              replicas: 3,
            },
          ],
          idempotencyKey: 'scale-shop-api-staging-3',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const body = parseInput(createChangeRequestSchema, input, 'change');
      const actor = await actorOf(credentials);
      const event = await auditor.createEvent({
        eventId: 'change-request-create',
        severityLevel: 'medium',
        meta: {
          changes: body.changes.map(change => change.type),
          idempotencyKey: body.idempotencyKey ?? null,
          requestedBy: actor.userEntityRef,
          via: 'actions',
        },
      });
      let result: { created: boolean; request: ChangeRequest };
      try {
        result = await changeService.submit(body, actor);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
      const { created, request } = result;
      await event.success({ meta: { id: request.id, state: request.state } });
      return {
        output: {
          id: request.id,
          urlPath: changePath(request.id),
          created,
          state: request.state,
          title: request.title,
          entityRef: request.entityRef,
          repo: request.repo,
          applications: request.applications.map(a => ({
            name: a.name,
            environment: a.environment,
          })),
          policyVerdict: request.policy.verdict,
          approvalsRequired: request.approvalsRequired.map(toApprovalRule),
          ...(request.pullRequest && {
            pullRequest: {
              provider: request.pullRequest.provider,
              id: request.pullRequest.id,
              ...(request.pullRequest.url && { url: request.pullRequest.url }),
              branch: request.pullRequest.branch,
            },
          }),
          ...(request.reason && { reason: request.reason }),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'sync-gitops-application',
    title: 'Sync a GitOps application now',
    description: [
      'Applies what Git declares for one GitOps application (e.g. `shop-api-prod`) to its cluster now, as "sync',
      'now" in the Backstage app does: live edits of the fields Git declares are overwritten, and with the',
      "application's prune policy, objects no longer in Git are deleted. It does not change Git. Returns the sync",
      'run, usually still `running`; follow the outcome with get-gitops-status. Refused (ConflictError) while a',
      'change window blocks manual syncs, the desired state cannot be trusted (render failed), or a sync of it',
      "is already running. Needs gitops.sync.trigger on the application's entity.",
    ].join(' '),
    attributes: { destructive: true, readOnly: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          application: z
            .string()
            .min(1)
            .max(253)
            .describe(
              'The application name as declared in the config repo, e.g. `shop-api-prod`.',
            ),
        }),
      output: z =>
        z.object({
          runId: z.string(),
          application: z.string(),
          trigger: z.enum(['automated', 'self-heal', 'manual']),
          result: z
            .enum(['running', 'succeeded', 'failed', 'skipped'])
            .describe('`running` until the sync finishes.'),
          revision: z
            .string()
            .optional()
            .describe('The config repo commit being applied.'),
          requestedBy: z.string().optional(),
          startedAt: z.string(),
          finishedAt: z.string().optional(),
          message: z.string().optional(),
          resources: z
            .array(
              z.object({
                group: z.string(),
                kind: z.string(),
                namespace: z.string(),
                name: z.string(),
                action: z.enum(['applied', 'pruned', 'unchanged', 'failed']),
                message: z.string().optional(),
              }),
            )
            .describe('What the sync did to each object, once it finished.'),
        }),
    },
    examples: [
      {
        title: 'Put Git back on the production cluster',
        input: { application: 'shop-api-prod' },
      },
    ],
    action: async ({ input, credentials }) => {
      const { status } = await authorizedApplication(
        input.application,
        credentials,
        gitopsSyncTriggerPermission,
        'Not allowed to sync the applications of',
      );
      const run = await syncer.syncNow(status.application.name, {
        requestedBy: requesterOf(credentials),
      });
      return { output: toSyncOutput(run) };
    },
  });
}

/** `kind:namespace/name` with the catalog's defaults, each part checked as the status route checks it. */
function parseEntityInput(value: string): {
  kind: string;
  namespace: string;
  name: string;
} {
  let parsed;
  try {
    parsed = parseEntityRef(value.trim(), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `Invalid entity ref '${value}': expected kind:namespace/name, such as component:default/shop-api`,
      error,
    );
  }
  return parseInput(entityParams, parsed, 'entity reference');
}

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

function needsAttention(resource: ResourceStatus): boolean {
  return (
    resource.sync !== 'Synced' ||
    resource.drifts.length > 0 ||
    (resource.health !== undefined && resource.health !== 'Healthy')
  );
}

function isSecret(resource: ResourceStatus): boolean {
  return resource.ref.group === '' && resource.ref.kind === 'Secret';
}

// ---- output mapping: every field named, since the registry keeps only what the output schema declares ----

function toRevision(revision: Revision) {
  return {
    sha: revision.sha,
    ...(revision.message !== undefined && { message: revision.message }),
    ...(revision.author !== undefined && { author: revision.author }),
    ...(revision.committedAt !== undefined && {
      committedAt: revision.committedAt,
    }),
    ...(revision.url !== undefined && { url: revision.url }),
  };
}

function toProblem(problem: StatusProblem) {
  return { code: problem.code, message: problem.message, since: problem.since };
}

function toStatusOutput(status: ApplicationStatus) {
  const { application } = status;
  return {
    name: application.name,
    environment: application.environment,
    entityRef: application.entityRef,
    cluster: application.destination.cluster,
    namespace: application.destination.namespace,
    configRepo: application.source.repo,
    sourcePath: application.source.path,
    automatedSync: application.syncPolicy.automated,
    sync: status.sync,
    health: status.health,
    ...(status.healthMessage !== undefined && {
      healthMessage: status.healthMessage,
    }),
    ...(status.revision && { revision: toRevision(status.revision) }),
    driftCount: status.driftCount,
    ...(status.driftSince !== undefined && { driftSince: status.driftSince }),
    resourceCounts: { ...status.resourceCounts },
    ...(status.lastSyncedAt !== undefined && {
      lastSyncedAt: status.lastSyncedAt,
    }),
    ...(status.observedAt !== undefined && { observedAt: status.observedAt }),
    ...(status.problem && { problem: toProblem(status.problem) }),
  };
}

function toDriftOutput(drift: DriftRecord, secret: boolean) {
  // The store already drops sensitive values; a Secret's fields are withheld here too, whatever flagged them.
  const hidden = secret || drift.sensitive === true;
  return {
    path: drift.path,
    type: drift.type,
    ...(!hidden && drift.desired !== undefined && { desired: drift.desired }),
    ...(!hidden && drift.live !== undefined && { live: drift.live }),
    ...(hidden && { sensitive: true }),
    ...(drift.manager !== undefined && { manager: drift.manager }),
    firstSeenAt: drift.firstSeenAt,
  };
}

function toResourceOutput(resource: ResourceStatus) {
  const secret = isSecret(resource);
  return {
    group: resource.ref.group,
    kind: resource.ref.kind,
    namespace: resource.ref.namespace,
    name: resource.ref.name,
    apiVersion: resource.apiVersion,
    sync: resource.sync,
    ...(resource.health !== undefined && { health: resource.health }),
    ...(resource.healthMessage !== undefined && {
      healthMessage: resource.healthMessage,
    }),
    drifts: resource.drifts.map(drift => toDriftOutput(drift, secret)),
  };
}

function toApprovalRule(rule: {
  environment: string;
  count: number;
  from?: string[];
}) {
  return {
    environment: rule.environment,
    count: rule.count,
    ...(rule.from && { from: [...rule.from] }),
  };
}

/** `+added −removed` lines of a unified diff, headers left out. */
function diffStat(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added += 1;
    else if (line.startsWith('-')) removed += 1;
  }
  return { added, removed };
}

function toPreviewOutput(preview: ChangePreview) {
  const applications = preview.applications.map(app => ({
    application: app.application,
    environment: app.environment,
    manifests: app.manifests.map(manifest => ({
      action: manifest.action,
      group: manifest.ref.group,
      kind: manifest.ref.kind,
      namespace: manifest.ref.namespace,
      name: manifest.ref.name,
      ...diffStat(manifest.diff),
      diff: manifest.diff,
    })),
  }));
  const files = preview.files.map(file => ({
    path: file.path,
    ...diffStat(file.diff),
    diff: file.diff,
  }));
  const closed = preview.windows.filter(window => !window.open);
  const summary = [
    `${files.length} file${files.length === 1 ? '' : 's'} changed: ${
      files.map(f => `${f.path} (+${f.added} -${f.removed})`).join(', ') ||
      'none'
    }.`,
    ...applications.map(app => {
      const objects = app.manifests.map(
        m =>
          `${m.action} ${m.kind} ${m.namespace ? `${m.namespace}/` : ''}${
            m.name
          } (+${m.added} -${m.removed})`,
      );
      return `${app.application} (${app.environment}): ${
        objects.join(', ') || 'no rendered object changes'
      }.`;
    }),
    `Policy verdict: ${preview.policy.verdict}${
      preview.policy.findings.length
        ? ` (${preview.policy.findings
            .map(f => `${f.action} ${f.policy} on ${f.object}: ${f.message}`)
            .join('; ')})`
        : ''
    }.`,
    ...closed.map(
      window =>
        `Change window closed in ${window.environment}${
          window.reason ? `: ${window.reason}` : ''
        }${window.nextOpenAt ? `; opens at ${window.nextOpenAt}` : ''}.`,
    ),
    ...preview.approvalsRequired.map(
      rule =>
        `${rule.environment} needs ${rule.count} approval${
          rule.count === 1 ? '' : 's'
        }${
          rule.from?.length ? ` from ${rule.from.join(' or ')}` : ''
        } before merge.`,
    ),
  ].join('\n');
  return {
    baseSha: preview.baseSha,
    summary,
    wouldBeAccepted: preview.policy.verdict !== 'deny' && closed.length === 0,
    files,
    applications,
    policy: {
      verdict: preview.policy.verdict,
      findings: preview.policy.findings.map(f => ({
        policy: f.policy,
        object: f.object,
        application: f.application,
        action: f.action,
        message: f.message,
      })),
    },
    windows: preview.windows.map(window => ({
      environment: window.environment,
      open: window.open,
      ...(window.reason !== undefined && { reason: window.reason }),
      ...(window.nextOpenAt !== undefined && {
        nextOpenAt: window.nextOpenAt,
      }),
    })),
    approvalsRequired: preview.approvalsRequired.map(toApprovalRule),
  };
}

function toSyncOutput(run: SyncRun) {
  return {
    runId: run.id,
    application: run.application,
    trigger: run.trigger,
    result: run.result,
    ...(run.revision !== undefined && { revision: run.revision }),
    ...(run.requestedBy !== undefined && { requestedBy: run.requestedBy }),
    startedAt: run.startedAt,
    ...(run.finishedAt !== undefined && { finishedAt: run.finishedAt }),
    ...(run.message !== undefined && { message: run.message }),
    resources: run.resources.map(resource => ({
      group: resource.ref.group,
      kind: resource.ref.kind,
      namespace: resource.ref.namespace,
      name: resource.ref.name,
      action: resource.action,
      ...(resource.message !== undefined && { message: resource.message }),
    })),
  };
}

// ---- schemas (the registry's zod) ----

function statusSchema(z: Zod) {
  return z.object({
    name: z
      .string()
      .describe(
        'The application name, e.g. `shop-api-prod`: pass it to the other GitOps actions.',
      ),
    environment: z.string(),
    entityRef: z
      .string()
      .describe('The catalog entity the application deploys.'),
    cluster: z.string(),
    namespace: z.string().describe('Default namespace of its objects.'),
    configRepo: z.string().describe('Id of the config repo that declares it.'),
    sourcePath: z.string().describe('Its directory in the config repo.'),
    automatedSync: z
      .boolean()
      .describe(
        'Whether Git changes are applied automatically (else only by a manual sync).',
      ),
    sync: z.enum(SYNC_STATUSES),
    health: z.enum(HEALTH_STATUSES),
    healthMessage: z.string().optional(),
    revision: z
      .object({
        sha: z.string(),
        message: z.string().optional(),
        author: z.string().optional(),
        committedAt: z.string().optional(),
        url: z.string().optional(),
      })
      .optional()
      .describe('The config repo commit the status was computed against.'),
    driftCount: z
      .number()
      .describe('Fields whose live value differs from Git.'),
    driftSince: z
      .string()
      .optional()
      .describe('When the oldest current drift was first seen.'),
    resourceCounts: z
      .record(z.number())
      .describe(
        `Resources per sync status (${RESOURCE_SYNC_STATUSES.join(', ')}).`,
      ),
    lastSyncedAt: z.string().optional(),
    observedAt: z
      .string()
      .optional()
      .describe('When the status was last confirmed.'),
    problem: z
      .object({ code: z.string(), message: z.string(), since: z.string() })
      .optional()
      .describe('Why the status cannot be trusted right now.'),
  });
}

function resourceSchema(z: Zod) {
  return z.object({
    group: z.string().describe('API group; empty for the core group.'),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    apiVersion: z.string(),
    sync: z.enum(RESOURCE_SYNC_STATUSES),
    health: z.enum(HEALTH_STATUSES).optional(),
    healthMessage: z.string().optional(),
    drifts: z
      .array(
        z.object({
          path: z
            .string()
            .describe('e.g. `spec.template.spec.containers[name=web].image`'),
          type: z.enum([
            'changed',
            'missing-in-live',
            'removed-from-git',
            'added-in-live',
          ]),
          desired: z.unknown().optional().describe("Git's value."),
          live: z.unknown().optional().describe("The cluster's value."),
          sensitive: z
            .boolean()
            .optional()
            .describe('A Secret value: withheld.'),
          manager: z
            .string()
            .optional()
            .describe(
              'Field manager that wrote the live value, e.g. `kubectl-edit`.',
            ),
          firstSeenAt: z.string(),
        }),
      )
      .describe(SECRET_NOTE),
  });
}

function approvalRuleSchema(z: Zod) {
  return z.object({
    environment: z.string(),
    count: z.number(),
    from: z
      .array(z.string())
      .optional()
      .describe(
        'Who may approve (group or user refs); anyone allowed to approve when absent.',
      ),
  });
}

/**
 * The change body's shape, described for clients. Values are checked afterwards by the HTTP API's own schema
 * (`createChangeRequestSchema`), so unknown keys pass through here to be refused there by name.
 */
function changeBodySchema(z: Zod) {
  const application = z
    .string()
    .describe(
      'Application name, e.g. `shop-api-staging` (see get-gitops-status).',
    );
  const workload = z
    .object({
      kind: z.string().describe('e.g. Deployment'),
      name: z.string(),
    })
    .passthrough()
    .optional()
    .describe(
      "The workload to edit; default: the application's only workload.",
    );
  const container = z
    .string()
    .optional()
    .describe("Container name; default: the workload's only container.");
  const quantities = z
    .object({
      cpu: z.string().optional().describe('e.g. 250m or 1'),
      memory: z.string().optional().describe('e.g. 512Mi'),
    })
    .passthrough()
    .optional();
  const change = z
    .discriminatedUnion('type', [
      z
        .object({
          type: z.literal('image'),
          application,
          workload,
          container,
          tag: z
            .string()
            .describe(
              'The new image tag, e.g. `1.5.0`; the image repository stays.',
            ),
        })
        .passthrough()
        .describe('Sets the image tag of a container.'),
      z
        .object({
          type: z.literal('replicas'),
          application,
          workload,
          replicas: z.number().int().min(0).max(10_000),
        })
        .passthrough()
        .describe('Sets the replica count of a workload.'),
      z
        .object({
          type: z.literal('env'),
          application,
          workload,
          container,
          name: z.string().describe('Environment variable name.'),
          value: z
            .string()
            .nullable()
            .describe('The new value; null removes the variable.'),
        })
        .passthrough()
        .describe('Sets or removes an environment variable of a container.'),
      z
        .object({
          type: z.literal('resources'),
          application,
          workload,
          container,
          requests: quantities,
          limits: quantities,
        })
        .passthrough()
        .describe('Sets CPU / memory requests and limits of a container.'),
      z
        .object({
          type: z.literal('promote'),
          from: application.describe(
            'Application whose image versions to copy, e.g. `shop-api-staging`.',
          ),
          to: application.describe(
            'Application of the same entity to run them, e.g. `shop-api-prod`.',
          ),
        })
        .passthrough()
        .describe('Runs in `to` the image versions that run in `from`.'),
      z
        .object({
          type: z.literal('rollback'),
          changeRequest: z
            .string()
            .describe('Id (`cr-…`) of a merged change request to revert.'),
        })
        .passthrough()
        .describe('Reverts the commit an earlier, merged change request made.'),
      z
        .object({
          type: z.literal('codify'),
          application,
          resource: z
            .object({
              group: z
                .string()
                .describe('API group; empty for the core group.'),
              kind: z.string(),
              namespace: z.string(),
              name: z.string(),
            })
            .passthrough(),
          path: z
            .string()
            .describe('The drift path, as get-gitops-drift reports it.'),
        })
        .passthrough()
        .describe(
          'Writes the live value of one drifted field back into Git, so Git matches the cluster.',
        ),
      z
        .object({
          type: z.literal('application'),
          name: z.string().describe('DNS label naming the new service.'),
          entityRef: z
            .string()
            .describe(
              'Catalog entity it deploys, e.g. `component:default/payments`.',
            ),
          image: z
            .string()
            .describe(
              'Image repository without tag, e.g. `ghcr.io/acme/payments`.',
            ),
          tag: z.string(),
          port: z.number().int().min(1).max(65535),
          environments: z
            .array(
              z
                .object({
                  name: z.string().describe('Environment, e.g. dev.'),
                  namespace: z.string(),
                  cluster: z.string().optional(),
                  replicas: z.number().int().min(0).optional(),
                })
                .passthrough(),
            )
            .min(1),
          repo: z
            .string()
            .optional()
            .describe('Config repo id; default: the only one.'),
        })
        .passthrough()
        .describe('Adds a new service with one application per environment.'),
    ])
    .describe(`One change; \`type\` is one of ${CHANGE_TYPES.join(', ')}.`);
  return z
    .object({
      title: z
        .string()
        .optional()
        .describe('One-line title of the change request.'),
      description: z
        .string()
        .optional()
        .describe('Markdown description for reviewers.'),
      changes: z
        .array(change)
        .min(1)
        .max(50)
        .describe(
          'The changes, applied together in one commit; all must touch one config repo.',
        ),
      baseSha: z
        .string()
        .optional()
        .describe(
          'Fail unless the config repo is still at this commit (from an earlier preview).',
        ),
    })
    .passthrough();
}

function previewSchema(z: Zod) {
  const stat = {
    added: z.number().describe('Lines added.'),
    removed: z.number().describe('Lines removed.'),
  };
  return z.object({
    baseSha: z
      .string()
      .describe('The config repo commit the change was computed against.'),
    summary: z.string().describe('A readable summary of everything below.'),
    wouldBeAccepted: z
      .boolean()
      .describe(
        'False when the policy denies it or a change window is closed: request-gitops-change would refuse it.',
      ),
    files: z.array(
      z.object({
        path: z.string(),
        ...stat,
        diff: z.string().describe('Unified diff.'),
      }),
    ),
    applications: z.array(
      z.object({
        application: z.string(),
        environment: z.string(),
        manifests: z.array(
          z.object({
            action: z.enum(['create', 'update', 'delete']),
            group: z.string(),
            kind: z.string(),
            namespace: z.string(),
            name: z.string(),
            ...stat,
            diff: z
              .string()
              .describe(
                'Unified diff of the rendered object; Secret values masked.',
              ),
          }),
        ),
      }),
    ),
    policy: z.object({
      verdict: z.enum(['allow', 'warn', 'deny']),
      findings: z.array(
        z.object({
          policy: z.string(),
          object: z.string(),
          application: z.string(),
          action: z.enum(['Deny', 'Warn', 'Audit']),
          message: z.string(),
        }),
      ),
    }),
    windows: z.array(
      z.object({
        environment: z.string(),
        open: z.boolean(),
        reason: z.string().optional(),
        nextOpenAt: z.string().optional(),
      }),
    ),
    approvalsRequired: z.array(approvalRuleSchema(z)),
  });
}
