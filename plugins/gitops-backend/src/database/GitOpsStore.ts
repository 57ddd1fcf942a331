import type {
  ApplicationDetailResponse,
  ApplicationSpec,
  ApplicationStatus,
  DriftRecord,
  EnvironmentSummary,
  FleetResponse,
  HealthStatus,
  HistoryResponse,
  ResourceStatus,
  Revision,
  StatusProblem,
  SyncStatus,
} from '@backstage-gitops/plugin-gitops-common';

/** What the catalog says about an entity that applications point at. */
export interface CatalogInfo {
  owner?: string;
  system?: string;
}

/** The reconciler's verdict for one application; the store adds each drift's `firstSeenAt`. */
export interface ApplicationVerdict {
  sync: SyncStatus;
  health: HealthStatus;
  healthMessage?: string;
  revision?: Revision;
  resources: Array<
    Omit<ResourceStatus, 'drifts'> & {
      drifts: Omit<DriftRecord, 'firstSeenAt'>[];
    }
  >;
  /** `undefined` leaves a standing problem as it is, `null` clears it. */
  problem?: StatusProblem | null;
  /** When the verdict was computed (ISO 8601); the store has no clock. */
  observedAt: string;
  /** When the application was last synced to the cluster; `undefined` keeps the previous value. */
  syncedAt?: string;
  /** Why the verdict changed (e.g. `commit`, `live change`), kept in the history. */
  reason?: string;
}

export interface WriteVerdictResult {
  /** False when the verdict shows nothing new: publish a signal only when true. */
  changed: boolean;
  status: ApplicationStatus;
}

export interface SyncApplicationsResult {
  added: string[];
  removed: string[];
  /** Names already declared by another config repo: left to that repo and not stored for this one. */
  conflicts: Array<{ name: string; declaredByRepo: string }>;
}

/** Which applications a problem concerns; at least one field is required. */
export interface ProblemFilter {
  cluster?: string;
  repo?: string;
  application?: string;
}

export interface PageRequest {
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export type FleetOrderField =
  | 'name'
  | 'entityRef'
  | 'environment'
  | 'changedAt'
  | 'driftSince';

export interface FleetQuery extends PageRequest {
  owner?: string | string[];
  system?: string | string[];
  environment?: string | string[];
  /** Matched against the reported sync: an application with a standing problem is `Unknown`. */
  sync?: SyncStatus | SyncStatus[];
  health?: HealthStatus | HealthStatus[];
  /** Only these entities (the permission filter); an empty list matches nothing. */
  entityRefs?: string[];
  /** Defaults to name ascending; applications without a value sort last in both directions. */
  orderBy?: { field: FleetOrderField; direction?: 'asc' | 'desc' };
}

/**
 * The verdict store: what the reconciler writes and what every page reads. Reads are one indexed query
 * each and never touch a cluster.
 */
export interface GitOpsStore {
  /** Upserts the applications one config repo declares and removes those it no longer declares. */
  syncApplications(
    repoId: string,
    specs: ApplicationSpec[],
    catalogInfo: Map<string, CatalogInfo>,
  ): Promise<SyncApplicationsResult>;

  /** Stores a verdict in one transaction; idempotent, history grows only when the verdict changes. */
  writeVerdict(
    applicationName: string,
    verdict: ApplicationVerdict,
  ): Promise<WriteVerdictResult>;

  /**
   * Sets (or with `null` clears) a problem on the matching applications, keeping their last known state.
   * `at` is when it was observed: the problem's `since` unless the same problem already stands.
   * Returns the applications whose reported status changed.
   */
  markProblem(
    filter: ProblemFilter,
    problem: Omit<StatusProblem, 'since'> | null,
    at: string,
  ): Promise<ApplicationStatus[]>;

  /**
   * Replaces the links one config repo's refresh found: catalog entities whose
   * `gitops.backstage.io/applications` annotation lists one of its applications.
   */
  linkEntities(
    repoId: string,
    links: Array<{ entityRef: string; application: string }>,
  ): Promise<void>;

  /**
   * The entity's applications, dev before staging before prod, then by name: those whose `spec.entityRef`
   * names it and those it is linked to by {@link GitOpsStore.linkEntities}, each once.
   */
  getEntityStatus(entityRef: string): Promise<ApplicationStatus[]>;

  getApplication(name: string): Promise<ApplicationDetailResponse | undefined>;

  /** Newest first; kept after the application is removed. */
  getHistory(name: string, page?: PageRequest): Promise<HistoryResponse>;

  listFleet(query?: FleetQuery): Promise<FleetResponse>;

  /**
   * The distinct (normalized) `spec.entityRef`s of the applications, for permission decisions.
   * Entities that only link applications are not listed: an application belongs to its `spec.entityRef`.
   */
  listEntityRefs(): Promise<string[]>;

  /**
   * {@link GitOpsStore.getEntityStatus} of many entities in one statement, keyed by normalized ref; an
   * entity without applications gets an empty list.
   */
  getEntityStatuses(
    entityRefs: string[],
  ): Promise<Map<string, ApplicationStatus[]>>;

  /**
   * The distinct environments of the applications of these entities (all of them when omitted), dev before
   * staging before prod, then by name; an empty list matches nothing.
   */
  listEnvironments(query?: {
    entityRefs?: string[];
  }): Promise<EnvironmentSummary[]>;
}
