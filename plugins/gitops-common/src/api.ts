import type { ApplicationSpec } from './application';
import type {
  HealthStatus,
  ResourceSyncStatus,
  SyncStatus,
} from './vocabulary';

/** A commit of a config repo, as shown next to a status. */
export interface Revision {
  sha: string;
  message?: string;
  author?: string;
  committedAt?: string;
  /** Link to the commit in the forge's web UI, when the repo is hosted on one. */
  url?: string;
}

/** Why a status cannot be trusted right now (cluster unreachable, render failed), and since when. */
export interface StatusProblem {
  code:
    | 'CLUSTER_UNREACHABLE'
    | 'RENDER_FAILED'
    | 'REPO_UNREACHABLE'
    | 'INVALID_APPLICATION'
    | 'INVALID_MANIFEST';
  message: string;
  since: string;
}

/** One field of one resource where live differs from Git. Secret values never appear: only `sensitive`. */
export interface DriftRecord {
  /** Readable path, e.g. `spec.template.spec.containers[name=web].image`. */
  path: string;
  type: 'changed' | 'missing-in-live' | 'removed-from-git' | 'added-in-live';
  desired?: unknown;
  live?: unknown;
  sensitive?: boolean;
  /** Field manager that owns the live value (the cause), e.g. `kubectl-edit`. */
  manager?: string;
  /** When this drift was first observed (ISO 8601). */
  firstSeenAt: string;
}

export interface ResourceRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** One container image a workload declares in Git. */
export interface ResourceImage {
  /** The container's name. */
  container: string;
  /** The image reference as Git declares it, e.g. `ghcr.io/acme/shop-api:1.4.2`. */
  image: string;
  /** True for an init container (`initContainers`). */
  init?: boolean;
}

export interface ResourceStatus {
  ref: ResourceRef;
  apiVersion: string;
  sync: ResourceSyncStatus;
  health?: HealthStatus;
  healthMessage?: string;
  drifts: DriftRecord[];
  /**
   * The container images Git declares for the resource (its desired pod template), containers first, then
   * init containers. Only for workload kinds: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob
   * (`spec.jobTemplate.spec.template`) and Pod; absent for other kinds and when Git declares no image.
   * This is Git's value, also for a resource not yet applied: when the cluster runs another image, that
   * live value is in `drifts`, at `spec.template.spec.containers[name=web].image` (or `initContainers`).
   */
  images?: ResourceImage[];
}

/** The status of one application: what the entity card shows per environment. */
export interface ApplicationStatus {
  application: ApplicationSpec;
  sync: SyncStatus;
  health: HealthStatus;
  healthMessage?: string;
  /** The config repo commit the verdict was computed against. */
  revision?: Revision;
  resourceCounts: Record<ResourceSyncStatus, number>;
  driftCount: number;
  /** Earliest firstSeenAt among current drifts: how long this application has drifted. */
  driftSince?: string;
  /** When the verdict last changed. */
  changedAt?: string;
  /** When the reconciler last confirmed the verdict. */
  observedAt?: string;
  lastSyncedAt?: string;
  problem?: StatusProblem;
}

export interface EntityStatusResponse {
  entityRef: string;
  applications: ApplicationStatus[];
}

export interface ApplicationDetailResponse {
  status: ApplicationStatus;
  resources: ResourceStatus[];
}

/** A change of an application's sync or health verdict. */
export interface HistoryEntry {
  at: string;
  sync: SyncStatus;
  health: HealthStatus;
  revision?: string;
  driftCount: number;
  reason?: string;
}

export interface HistoryResponse {
  items: HistoryEntry[];
  nextCursor?: string;
}

export interface FleetItem extends ApplicationStatus {
  owner?: string;
  system?: string;
}

export interface FleetResponse {
  items: FleetItem[];
  totalItems: number;
  nextCursor?: string;
}

/** Signal channel: a message is published on every verdict change so pages update live. */
export const GITOPS_STATUS_SIGNAL_CHANNEL = 'gitops:status';

export interface GitOpsStatusSignal {
  entityRef: string;
  application: string;
  environment: string;
  sync: SyncStatus;
  health: HealthStatus;
  driftCount: number;
}

/** One environment of the applications the caller may read, as the scaffolder's environment picker offers it. */
export interface EnvironmentSummary {
  name: string;
  /** How many applications run in it. */
  applications: number;
  /** The clusters its applications deploy to, by name. */
  clusters: string[];
}

/** The environments, dev-like first, then test, staging and prod, then the rest by name. */
export interface EnvironmentListResponse {
  items: EnvironmentSummary[];
}

/** How many entities one status batch may ask about: a page of the catalog table. */
export const ENTITY_STATUS_BATCH_LIMIT = 200;

export interface EntityStatusBatchRequest {
  entityRefs: string[];
}

/** What a catalog table cell shows of one application: its environment's sync and health. */
export interface ApplicationStatusSummary {
  name: string;
  environment: string;
  sync: SyncStatus;
  health: HealthStatus;
  driftCount: number;
  problem?: StatusProblem;
}

export interface EntityStatusSummary {
  /** As the caller spelled it in the request. */
  entityRef: string;
  /** Dev before staging before prod, as in {@link EntityStatusResponse}. */
  applications: ApplicationStatusSummary[];
}

/** One item per requested entity the caller may read; entities the policy denies are left out. */
export interface EntityStatusBatchResponse {
  items: EntityStatusSummary[];
}
