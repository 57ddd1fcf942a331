import type { ResourceRef } from './api';

/** A container's resource requests or limits; quantities as Kubernetes writes them (`250m`, `512Mi`). */
export interface ResourceQuantities {
  cpu?: string;
  memory?: string;
}

/** The workload a change edits; default: the application's only workload (an error when it has several). */
export interface WorkloadSelector {
  kind: string;
  name: string;
}

/** One environment of a new application (ChangeSpec `application`). */
export interface NewApplicationEnvironment {
  /** Environment name (`dev`); the application is named `<name>-<environment>`. */
  name: string;
  /** Namespace the environment deploys to; the overlay declares it. */
  namespace: string;
  /** Cluster from app-config `gitops.clusters[].name`; default: the only configured cluster (an error when several). */
  cluster?: string;
  /** Replicas of the Deployment in this environment; default 1. */
  replicas?: number;
}

/**
 * One requested change, written into the config repo as comment-preserving patches of existing files.
 * `application` is the application name (`shop-api-prod`); a change only ever touches that application's
 * source directory and the files its renderer reads from it.
 */
export type ChangeSpec =
  | {
      type: 'image';
      application: string;
      workload?: WorkloadSelector;
      /** Container name; default: the workload's only container. */
      container?: string;
      /** The new tag (`1.5.0`); the image repository stays as it is. */
      tag: string;
    }
  | {
      type: 'replicas';
      application: string;
      workload?: WorkloadSelector;
      replicas: number;
    }
  | {
      type: 'env';
      application: string;
      workload?: WorkloadSelector;
      container?: string;
      name: string;
      /** The new value; `null` removes the variable. */
      value: string | null;
    }
  | {
      type: 'resources';
      application: string;
      workload?: WorkloadSelector;
      container?: string;
      requests?: ResourceQuantities;
      limits?: ResourceQuantities;
    }
  | {
      /** Runs in `to` the image versions that run in `from` (two applications of one entity). */
      type: 'promote';
      from: string;
      to: string;
    }
  | {
      /** Reverts the commit an earlier, merged change request made. */
      type: 'rollback';
      changeRequest: string;
    }
  | {
      /** Writes the live value of one drifted field back into Git, so Git matches the cluster. */
      type: 'codify';
      application: string;
      resource: ResourceRef;
      /** The drift's path, e.g. `spec.template.spec.containers[name=web].image`. */
      path: string;
    }
  | {
      /**
       * Adds a new service: the only kind that creates files rather than patching them. Writes
       * `apps/<name>/base` (Deployment, Service, kustomization), `apps/<name>/overlays/<environment>` per
       * environment and `applications/<name>.yaml` declaring `<name>-<environment>`; fails when any exists.
       */
      type: 'application';
      /** DNS label; names the directory, the workload and (with the environment) each application. */
      name: string;
      /** The catalog entity the new applications deploy (`component:default/payments`). */
      entityRef: string;
      /** Image repository without tag or digest (`ghcr.io/acme/payments`). */
      image: string;
      tag: string;
      /** The container's port; the Service exposes it as port 80, named `http`. */
      port: number;
      environments: NewApplicationEnvironment[];
      /** Config repo id (app-config `gitops.configRepos[].id`); default: the only configured one (an error when several). */
      repo?: string;
    };

export type ChangeType = ChangeSpec['type'];

export const CHANGE_TYPES: readonly ChangeType[] = [
  'image',
  'replicas',
  'env',
  'resources',
  'promote',
  'rollback',
  'codify',
  'application',
];

/**
 * A change request's lifecycle: `draft → checked → pr-open → merged → synced → healthy`, or one of the
 * end states `rejected` (policy denied), `closed` (cancelled or the PR was closed) and `failed`.
 */
export const CHANGE_REQUEST_STATES = [
  'draft',
  'checked',
  'pr-open',
  'merged',
  'synced',
  'healthy',
  'rejected',
  'closed',
  'failed',
] as const;
export type ChangeRequestState = (typeof CHANGE_REQUEST_STATES)[number];

/** States after which nothing more happens to a change request. */
export const FINAL_CHANGE_REQUEST_STATES: readonly ChangeRequestState[] = [
  'healthy',
  'rejected',
  'closed',
  'failed',
];

/** One file the change edits, as a unified diff of the config repo (paths relative to the repo root). */
export interface ChangedFile {
  path: string;
  /** Unified diff of the file; the whole file for a new one. */
  diff: string;
}

/** What one rendered object of an affected application will look like after the change. */
export interface ManifestChange {
  ref: ResourceRef;
  action: 'create' | 'update' | 'delete';
  /** Unified diff of the rendered object as YAML; Secret values are masked. */
  diff: string;
}

/** The effect of a change on one application (one environment). */
export interface ApplicationPreview {
  application: string;
  environment: string;
  manifests: ManifestChange[];
}

export type PolicyDecision = 'allow' | 'warn' | 'deny';

/** One failed (or failing-to-evaluate) policy validation on one object of the change. */
export interface PolicyFinding {
  policy: string;
  /** `group/Kind/namespace/name`. */
  object: string;
  application: string;
  action: 'Deny' | 'Warn' | 'Audit';
  message: string;
}

export interface PolicyReport {
  verdict: PolicyDecision;
  findings: PolicyFinding[];
}

/** Whether a change window lets an environment change now, and why not. */
export interface ChangeWindowReport {
  environment: string;
  open: boolean;
  /** The window that decided, e.g. `deny: Fridays from 16:00 (Europe/Berlin)`. */
  reason?: string;
  /** When it opens next, when known (ISO 8601). */
  nextOpenAt?: string;
}

/** The answer to a preview: nothing has been pushed anywhere. */
export interface ChangePreview {
  /** The config repo commit the change was computed against. */
  baseSha: string;
  files: ChangedFile[];
  applications: ApplicationPreview[];
  policy: PolicyReport;
  windows: ChangeWindowReport[];
  /** Approvals the permission rules ask for before merge, per environment (`prod: 1 from group:default/platform-team`). */
  approvalsRequired: ApprovalRule[];
}

export interface ApprovalRule {
  environment: string;
  count: number;
  /** Who may approve: a group or user entity ref; anyone with `gitops.change.approve` when absent. */
  from?: string[];
}

export interface Approval {
  /** The user entity ref for an approval in Backstage; the forge login (`octocat`) for a review on the forge. */
  by: string;
  at: string;
  /** Where the approval was given: in Backstage or as a review on the forge. */
  source: 'backstage' | 'forge';
  /**
   * For a forge review: the catalog user entity ref its login resolved to, the User annotated
   * `github.com/user-login: <login>`, else `user:default/<login>`. Absent on reviews not resolved yet (stored by
   * an older version, or while the catalog was unreachable); those count as `user:default/<login>`.
   */
  user?: string;
  /**
   * The approver and the groups they belong to, for rules that name a group: in Backstage, their ownership refs
   * when they approved; on the forge, the resolved user and its `memberOf` groups as of the latest tracker pass.
   */
  groups?: string[];
}

/** A timestamped step in a change request's life, for its timeline. */
export interface ChangeRequestEvent {
  at: string;
  state: ChangeRequestState;
  /** Who acted (`user:default/alice`), when a person did. */
  actor?: string;
  message?: string;
}

export interface PullRequestInfo {
  provider: string;
  /** The forge's number (`#42`), or the branch for the local provider. */
  id: string;
  url?: string;
  branch: string;
  headSha: string;
  mergeSha?: string;
  /** Forge checks on the head commit. */
  checks?: 'pending' | 'success' | 'failure' | 'none';
}

export interface ChangeRequest {
  /** Opaque, URL-safe id (`cr-…`). */
  id: string;
  title: string;
  description?: string;
  entityRef: string;
  repo: string;
  changes: ChangeSpec[];
  /** The environments (applications) it touches. */
  applications: Array<{ name: string; environment: string }>;
  state: ChangeRequestState;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  baseSha: string;
  policy: PolicyReport;
  approvals: Approval[];
  approvalsRequired: ApprovalRule[];
  pullRequest?: PullRequestInfo;
  /** Why it ended in `rejected`, `closed` or `failed`. */
  reason?: string;
  events: ChangeRequestEvent[];
}

/** Body of `POST /changes/preview` and `POST /changes`. */
export interface CreateChangeRequestBody {
  title?: string;
  description?: string;
  changes: ChangeSpec[];
  /**
   * Makes a retried submit return the first one's change request instead of opening a second PR. Any string
   * of up to 128 URL-safe characters (a template run id, a form's nonce).
   */
  idempotencyKey?: string;
  /**
   * The config repo commit a preview was computed against. Submit refuses (409) when files the change
   * touches have changed since, instead of proposing something the requester did not see.
   */
  baseSha?: string;
}

export interface ChangeRequestListResponse {
  items: ChangeRequest[];
  nextCursor?: string;
}

/** Signal channel: published whenever a change request moves, so its page and the entity card follow it. */
export const GITOPS_CHANGE_SIGNAL_CHANNEL = 'gitops:change';

export interface GitOpsChangeSignal {
  id: string;
  entityRef: string;
  state: ChangeRequestState;
}
