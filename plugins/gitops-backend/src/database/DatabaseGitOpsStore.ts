import { DatabaseService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ApplicationDetailResponse,
  ApplicationSpec,
  ApplicationStatus,
  DriftRecord,
  EnvironmentSummary,
  FleetItem,
  FleetResponse,
  HistoryEntry,
  HistoryResponse,
  isHealthStatus,
  isSyncStatus,
  RESOURCE_SYNC_STATUSES,
  ResourceImage,
  ResourceRef,
  ResourceStatus,
  ResourceSyncStatus,
  Revision,
  StatusProblem,
} from '@backstage-gitops/plugin-gitops-common';
import { Knex } from 'knex';
import { environmentRank } from './environmentRank';
import {
  ApplicationVerdict,
  CatalogInfo,
  FleetOrderField,
  FleetQuery,
  GitOpsStore,
  PageRequest,
  ProblemFilter,
  SyncApplicationsResult,
  WriteVerdictResult,
} from './GitOpsStore';
import { isoTimestamp } from './isoTimestamp';
import { normalizeEntityRef } from './normalizeEntityRef';
import { pageCursor } from './pageCursor';
import { migratedClient } from './migratedClient';

const APPLICATIONS = 'gitops_applications';
const RESOURCES = 'gitops_resources';
const HISTORY = 'gitops_history';
const ENTITY_LINKS = 'gitops_entity_links';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
// Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const ROWS_PER_STATEMENT = 200;

const ORDER_COLUMNS: Record<FleetOrderField, keyof ApplicationRow> = {
  name: 'name',
  entityRef: 'entity_ref',
  environment: 'environment',
  changedAt: 'changed_at',
  driftSince: 'drift_since',
};

interface ApplicationRow {
  name: string;
  repo: string;
  entity_ref: string;
  environment: string;
  cluster: string;
  namespace: string;
  spec: string;
  declared_in: string;
  owner: string | null;
  system: string | null;
  sync: string;
  health: string;
  health_message: string | null;
  revision: string | null;
  drift_count: number;
  drift_since: string | null;
  changed_at: string | null;
  observed_at: string | null;
  synced_at: string | null;
  problem: string | null;
  resource_counts: string;
}

type VerdictColumns = Pick<
  ApplicationRow,
  | 'sync'
  | 'health'
  | 'health_message'
  | 'revision'
  | 'drift_count'
  | 'drift_since'
  | 'observed_at'
  | 'synced_at'
  | 'problem'
  | 'resource_counts'
>;

interface ResourceRow {
  application: string;
  resource_key: string;
  api_version: string;
  sync: string;
  health: string | null;
  health_message: string | null;
  drifts: string;
  /** ResourceImage[] as JSON; null when the resource declares no image (and for rows older than the column). */
  images: string | null;
}

interface EntityLinkRow {
  entity_ref: string;
  application: string;
  repo: string;
}

interface HistoryRow {
  id: number | string;
  application: string;
  at: string;
  sync: string;
  health: string;
  revision: string | null;
  drift_count: number;
  reason: string | null;
}

/** {@link GitOpsStore} on Backstage's database service: SQLite by default, PostgreSQL in production. */
export class DatabaseGitOpsStore implements GitOpsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseGitOpsStore> {
    const { database } = options;
    const client = await migratedClient(database, options);
    return new DatabaseGitOpsStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async syncApplications(
    repoId: string,
    specs: ApplicationSpec[],
    catalogInfo: Map<string, CatalogInfo>,
  ): Promise<SyncApplicationsResult> {
    const declared = new Map<string, ApplicationSpec>();
    for (const spec of specs) {
      if (spec.source.repo !== repoId) {
        throw new InputError(
          `Application '${spec.name}' names config repo '${spec.source.repo}' but is synced from '${repoId}'`,
        );
      }
      if (declared.has(spec.name)) {
        throw new InputError(
          `Application '${spec.name}' is declared twice in config repo '${repoId}'`,
        );
      }
      declared.set(spec.name, spec);
    }
    const infoByRef = new Map(
      [...catalogInfo].map(([ref, info]) => [normalizeEntityRef(ref), info]),
    );

    return this.db.transaction(async tx => {
      const existing = new Map<
        string,
        Pick<ApplicationRow, 'spec' | 'owner' | 'system'>
      >();
      for (const row of await tx<ApplicationRow>(APPLICATIONS)
        .where({ repo: repoId })
        .select('name', 'spec', 'owner', 'system')) {
        existing.set(row.name, row);
      }

      const conflicts: SyncApplicationsResult['conflicts'] = [];
      const newNames = [...declared.keys()].filter(name => !existing.has(name));
      for (const names of chunks(newNames)) {
        for (const row of await tx<ApplicationRow>(APPLICATIONS)
          .whereIn('name', names)
          .select('name', 'repo')) {
          // Another replica's refresh of this same repo inserted it meanwhile: ours, not a conflict.
          if (row.repo === repoId) continue;
          conflicts.push({ name: row.name, declaredByRepo: row.repo });
          declared.delete(row.name);
        }
      }

      const upserts: ApplicationRow[] = [];
      for (const spec of declared.values()) {
        const entityRef = normalizeEntityRef(spec.entityRef);
        const info = infoByRef.get(entityRef) ?? {};
        const row = declarationRow(spec, entityRef, info);
        const before = existing.get(spec.name);
        if (
          !before ||
          before.spec !== row.spec ||
          before.owner !== row.owner ||
          before.system !== row.system
        ) {
          upserts.push(row);
        }
      }
      const declarationColumns: Array<keyof ApplicationRow> = [
        'repo',
        'entity_ref',
        'environment',
        'cluster',
        'namespace',
        'spec',
        'declared_in',
        'owner',
        'system',
      ];
      for (const rows of chunks(upserts)) {
        await tx(APPLICATIONS)
          .insert(rows)
          .onConflict('name')
          .merge(declarationColumns);
      }

      const removed = [...existing.keys()].filter(name => !declared.has(name));
      for (const names of chunks(removed)) {
        await tx(RESOURCES).whereIn('application', names).delete();
        await tx(APPLICATIONS).whereIn('name', names).delete();
      }

      return {
        added: [...declared.keys()].filter(name => !existing.has(name)),
        removed,
        conflicts,
      };
    });
  }

  async writeVerdict(
    applicationName: string,
    verdict: ApplicationVerdict,
  ): Promise<WriteVerdictResult> {
    if (!isSyncStatus(verdict.sync) || !isHealthStatus(verdict.health)) {
      throw new InputError(
        `Invalid verdict for '${applicationName}': sync '${verdict.sync}', health '${verdict.health}'`,
      );
    }
    const observedAt = isoTimestamp(verdict.observedAt, 'observedAt');

    return this.db.transaction(async tx => {
      const row = await lockApplication(tx, applicationName);
      if (!row) {
        throw new NotFoundError(`No application named '${applicationName}'`);
      }
      const previousResources = await tx<ResourceRow>(RESOURCES)
        .where({ application: applicationName })
        .orderBy('resource_key');

      const firstSeen = new Map<string, string>();
      for (const resource of previousResources) {
        for (const drift of JSON.parse(resource.drifts) as DriftRecord[]) {
          firstSeen.set(
            driftIdentity(resource.resource_key, drift),
            drift.firstSeenAt,
          );
        }
      }

      const resourceRows: ResourceRow[] = [];
      const counts = zeroCounts();
      let driftCount = 0;
      let driftSince: string | null = null;
      for (const resource of verdict.resources) {
        const key = resourceKey(resource.ref);
        if (
          !(RESOURCE_SYNC_STATUSES as readonly string[]).includes(resource.sync)
        ) {
          throw new InputError(
            `Verdict for '${applicationName}' gives resource ${key} the unknown sync status '${resource.sync}'`,
          );
        }
        const drifts = resource.drifts.map(drift =>
          storedDrift(
            drift,
            firstSeen.get(driftIdentity(key, drift)) ?? observedAt,
          ),
        );
        for (const { firstSeenAt } of drifts) {
          if (driftSince === null || firstSeenAt < driftSince) {
            driftSince = firstSeenAt;
          }
        }
        driftCount += drifts.length;
        counts[resource.sync] += 1;
        resourceRows.push({
          application: applicationName,
          resource_key: key,
          api_version: resource.apiVersion,
          sync: resource.sync,
          health: resource.health ?? null,
          health_message: resource.healthMessage ?? null,
          drifts: JSON.stringify(drifts),
          images: serializeImages(applicationName, key, resource.images),
        });
      }
      resourceRows.sort((a, b) =>
        compareStrings(a.resource_key, b.resource_key),
      );
      for (let i = 1; i < resourceRows.length; i++) {
        if (resourceRows[i].resource_key === resourceRows[i - 1].resource_key) {
          throw new InputError(
            `Verdict for '${applicationName}' lists resource ${resourceRows[i].resource_key} twice`,
          );
        }
      }

      const previousRevision = parseJson<Revision>(row.revision);
      const next: VerdictColumns = {
        sync: verdict.sync,
        health: verdict.health,
        health_message: verdict.healthMessage ?? null,
        revision: verdict.revision ? JSON.stringify(verdict.revision) : null,
        drift_count: driftCount,
        drift_since: driftSince,
        observed_at: observedAt,
        synced_at:
          verdict.syncedAt === undefined
            ? row.synced_at
            : isoTimestamp(verdict.syncedAt, 'syncedAt'),
        problem: serializeProblem(
          nextProblem(parseJson<StatusProblem>(row.problem), verdict.problem),
        ),
        resource_counts: JSON.stringify(counts),
      };

      const verdictChanged =
        row.observed_at === null ||
        row.sync !== next.sync ||
        row.health !== next.health ||
        previousRevision?.sha !== verdict.revision?.sha ||
        Number(row.drift_count) !== driftCount;
      const resourcesChanged = !sameResources(previousResources, resourceRows);
      const shownChanged = (
        ['health_message', 'revision', 'synced_at', 'problem'] as const
      ).some(column => row[column] !== next[column]);

      if (resourcesChanged) {
        await tx(RESOURCES).where({ application: applicationName }).delete();
        for (const rows of chunks(resourceRows)) {
          await tx(RESOURCES).insert(rows);
        }
      }
      const update: Partial<ApplicationRow> = { ...next };
      if (verdictChanged) {
        update.changed_at = observedAt;
        await tx<HistoryRow>(HISTORY).insert({
          application: applicationName,
          at: observedAt,
          sync: next.sync,
          health: next.health,
          revision: verdict.revision?.sha ?? null,
          drift_count: driftCount,
          reason: verdict.reason ?? null,
        });
      }
      await tx(APPLICATIONS).where({ name: applicationName }).update(update);

      return {
        changed: verdictChanged || resourcesChanged || shownChanged,
        status: toStatus({ ...row, ...update }),
      };
    });
  }

  async markProblem(
    filter: ProblemFilter,
    problem: Omit<StatusProblem, 'since'> | null,
    at: string,
  ): Promise<ApplicationStatus[]> {
    if (!filter.cluster && !filter.repo && !filter.application) {
      throw new InputError(
        'A problem must name the cluster, repo or application it concerns',
      );
    }
    const since = isoTimestamp(at, 'at');

    return this.db.transaction(async tx => {
      const query = tx<ApplicationRow>(APPLICATIONS);
      if (filter.cluster) query.where('cluster', filter.cluster);
      if (filter.repo) query.where('repo', filter.repo);
      if (filter.application) query.where('name', filter.application);
      if (tx.client.dialect === 'postgresql') query.forUpdate();

      // Applications that end up with the same problem are updated together, one statement per chunk.
      const namesByProblem = new Map<string | null, string[]>();
      const changed: ApplicationStatus[] = [];
      for (const row of await query) {
        const previous = parseJson<StatusProblem>(row.problem);
        const next = problem
          ? {
              code: problem.code,
              message: problem.message,
              since: previous?.code === problem.code ? previous.since : since,
            }
          : undefined;
        const serialized = serializeProblem(next);
        if (serialized === row.problem) {
          continue;
        }
        namesByProblem.set(serialized, [
          ...(namesByProblem.get(serialized) ?? []),
          row.name,
        ]);
        changed.push(toStatus({ ...row, problem: serialized }));
      }
      for (const [serialized, allNames] of namesByProblem) {
        for (const names of chunks(allNames)) {
          await tx(APPLICATIONS)
            .whereIn('name', names)
            .update({ problem: serialized });
        }
      }
      return changed;
    });
  }

  async linkEntities(
    repoId: string,
    links: Array<{ entityRef: string; application: string }>,
  ): Promise<void> {
    const rows = new Map<string, EntityLinkRow>();
    for (const link of links) {
      const row = {
        entity_ref: normalizeEntityRef(link.entityRef),
        application: link.application,
        repo: repoId,
      };
      rows.set(`${row.entity_ref}\u0000${row.application}`, row);
    }
    await this.db.transaction(async tx => {
      await tx(ENTITY_LINKS).where({ repo: repoId }).delete();
      // An application moved between repos may still be linked by the other repo's last refresh: take it over.
      for (const chunk of chunks([...rows.values()])) {
        await tx(ENTITY_LINKS)
          .insert(chunk)
          .onConflict(['entity_ref', 'application'])
          .merge(['repo']);
      }
    });
  }

  async getEntityStatus(entityRef: string): Promise<ApplicationStatus[]> {
    const ref = normalizeEntityRef(entityRef);
    // One statement, each half on an index; UNION drops an application that both names and is linked.
    const rows: ApplicationRow[] = await this.db<ApplicationRow>(APPLICATIONS)
      .select(`${APPLICATIONS}.*`)
      .where(`${APPLICATIONS}.entity_ref`, ref)
      .union(linked =>
        linked
          .select(`${APPLICATIONS}.*`)
          .from(APPLICATIONS)
          .join(
            ENTITY_LINKS,
            `${ENTITY_LINKS}.application`,
            `${APPLICATIONS}.name`,
          )
          .where(`${ENTITY_LINKS}.entity_ref`, ref),
      );
    return rows.sort(byEnvironmentThenName).map(toStatus);
  }

  async getApplication(
    name: string,
  ): Promise<ApplicationDetailResponse | undefined> {
    const row = await this.db<ApplicationRow>(APPLICATIONS)
      .where({ name })
      .first();
    if (!row) {
      return undefined;
    }
    const resources = await this.db<ResourceRow>(RESOURCES)
      .where({ application: name })
      .orderBy('resource_key');
    return {
      status: toStatus(row),
      resources: resources.map(toResourceStatus),
    };
  }

  async getHistory(
    name: string,
    page: PageRequest = {},
  ): Promise<HistoryResponse> {
    const limit = pageSize(page.limit);
    const query = this.db<HistoryRow>(HISTORY)
      .where({ application: name })
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    if (page.cursor) {
      const { at, id } = pageCursor.decode(page.cursor);
      // PostgreSQL fails the query on a non-integer id (1.5, or 1e999 read as Infinity): refuse it here.
      if (
        typeof at !== 'string' ||
        typeof id !== 'number' ||
        !Number.isSafeInteger(id)
      ) {
        throw new InputError('Malformed page cursor');
      }
      query.where(before =>
        before
          .where('at', '<', at)
          .orWhere(sameTime =>
            sameTime.where('at', at).andWhere('id', '<', id),
          ),
      );
    }
    const rows = await query;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toHistoryEntry),
      ...(rows.length > limit && {
        nextCursor: pageCursor.encode({ at: last.at, id: Number(last.id) }),
      }),
    };
  }

  async listFleet(query: FleetQuery = {}): Promise<FleetResponse> {
    const limit = pageSize(query.limit);
    if (query.entityRefs?.length === 0) {
      return { items: [], totalItems: 0 };
    }
    const field = query.orderBy?.field ?? 'name';
    const direction = query.orderBy?.direction ?? 'asc';
    const column = ORDER_COLUMNS[field];
    if (!column || (direction !== 'asc' && direction !== 'desc')) {
      throw new InputError(`Cannot order the fleet by ${field} ${direction}`);
    }

    const filtered = () =>
      fleetFilter(this.db<ApplicationRow>(APPLICATIONS), query);
    const [{ count }] = await filtered().count({ count: '*' });

    const page = filtered().limit(limit + 1);
    const after = query.cursor
      ? fleetPosition(query.cursor, field, direction)
      : undefined;
    const comparison = direction === 'asc' ? '>' : '<';
    if (column === 'name') {
      page.orderBy('name', direction);
      if (after) page.where('name', comparison, after.name);
    } else {
      // Explicit null placement, because SQLite and PostgreSQL put nulls at opposite ends by default.
      page
        .orderByRaw('case when ?? is null then 1 else 0 end', [column])
        .orderBy(column, direction)
        .orderBy('name', 'asc');
      if (after && after.value === null) {
        page.whereNull(column).andWhere('name', '>', after.name);
      } else if (after) {
        const value = after.value;
        page.where(rest =>
          rest
            .where(column, comparison, value)
            .orWhere(tie =>
              tie.where(column, value).andWhere('name', '>', after.name),
            )
            .orWhereNull(column),
        );
      }
    }

    const rows = await page;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toFleetItem),
      totalItems: Number(count),
      ...(rows.length > limit && {
        nextCursor: pageCursor.encode({
          field,
          direction,
          value: last[column],
          name: last.name,
        }),
      }),
    };
  }

  async listEntityRefs(): Promise<string[]> {
    const rows = await this.db<ApplicationRow>(APPLICATIONS)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  async getEntityStatuses(
    entityRefs: string[],
  ): Promise<Map<string, ApplicationStatus[]>> {
    const refs = [...new Set(entityRefs.map(normalizeEntityRef))];
    const rowsByRef = new Map<string, ApplicationRow[]>(
      refs.map(ref => [ref, []]),
    );
    for (const chunk of chunks(refs)) {
      // Each row names the entity it answers for: the one it belongs to, or one that links it.
      const rows: Array<ApplicationRow & { requested_ref: string }> =
        await this.db(APPLICATIONS)
          .select(
            `${APPLICATIONS}.*`,
            `${APPLICATIONS}.entity_ref as requested_ref`,
          )
          .whereIn(`${APPLICATIONS}.entity_ref`, chunk)
          .union(linked =>
            linked
              .select(
                `${APPLICATIONS}.*`,
                `${ENTITY_LINKS}.entity_ref as requested_ref`,
              )
              .from(APPLICATIONS)
              .join(
                ENTITY_LINKS,
                `${ENTITY_LINKS}.application`,
                `${APPLICATIONS}.name`,
              )
              .whereIn(`${ENTITY_LINKS}.entity_ref`, chunk),
          );
      for (const { requested_ref, ...row } of rows) {
        rowsByRef.get(requested_ref)?.push(row);
      }
    }
    return new Map(
      [...rowsByRef].map(([ref, rows]) => [
        ref,
        rows.sort(byEnvironmentThenName).map(toStatus),
      ]),
    );
  }

  async listEnvironments(
    query: { entityRefs?: string[] } = {},
  ): Promise<EnvironmentSummary[]> {
    const refChunks = query.entityRefs
      ? chunks([...new Set(query.entityRefs.map(normalizeEntityRef))])
      : [undefined];
    const environments = new Map<
      string,
      { applications: number; clusters: Set<string> }
    >();
    for (const refs of refChunks) {
      const counts = this.db<ApplicationRow>(APPLICATIONS)
        .select('environment', 'cluster')
        .count({ count: '*' })
        .groupBy('environment', 'cluster');
      if (refs) counts.whereIn('entity_ref', refs);
      for (const row of (await counts) as Array<{
        environment: string;
        cluster: string;
        count: number | string;
      }>) {
        const environment = environments.get(row.environment) ?? {
          applications: 0,
          clusters: new Set<string>(),
        };
        environment.applications += Number(row.count);
        environment.clusters.add(row.cluster);
        environments.set(row.environment, environment);
      }
    }
    return [...environments]
      .sort(
        ([a], [b]) =>
          environmentRank(a) - environmentRank(b) || compareStrings(a, b),
      )
      .map(([name, { applications, clusters }]) => ({
        name,
        applications,
        clusters: [...clusters].sort(compareStrings),
      }));
  }
}

/** Dev before staging before prod (see environmentRank), then by environment and application name. */
function byEnvironmentThenName(
  a: Pick<ApplicationRow, 'environment' | 'name'>,
  b: Pick<ApplicationRow, 'environment' | 'name'>,
): number {
  return (
    environmentRank(a.environment) - environmentRank(b.environment) ||
    compareStrings(a.environment, b.environment) ||
    compareStrings(a.name, b.name)
  );
}

function fleetFilter(
  query: Knex.QueryBuilder<ApplicationRow>,
  filter: FleetQuery,
): Knex.QueryBuilder<ApplicationRow> {
  const owners = values(filter.owner);
  const systems = values(filter.system);
  const environments = values(filter.environment);
  const health = values(filter.health);
  const sync = values(filter.sync);
  if (owners.length) query.whereIn('owner', owners);
  if (systems.length) query.whereIn('system', systems);
  if (environments.length) query.whereIn('environment', environments);
  if (health.length) query.whereIn('health', health);
  if (filter.entityRefs) {
    query.whereIn('entity_ref', filter.entityRefs.map(normalizeEntityRef));
  }
  if (sync.length) {
    const known = sync.filter(status => status !== 'Unknown');
    // Readers report a standing problem as Unknown, so the filter matches what the page shows.
    query.where(reported => {
      if (known.length) {
        reported.orWhere(ok => ok.whereNull('problem').whereIn('sync', known));
      }
      if (known.length < sync.length) {
        reported.orWhere(unknown =>
          unknown.whereNotNull('problem').orWhere('sync', 'Unknown'),
        );
      }
    });
  }
  return query;
}

function fleetPosition(
  cursor: string,
  field: FleetOrderField,
  direction: 'asc' | 'desc',
): { value: string | null; name: string } {
  const position = pageCursor.decode(cursor);
  if (position.field !== field || position.direction !== direction) {
    throw new InputError('The page cursor belongs to another ordering');
  }
  const { value, name } = position;
  if (
    typeof name !== 'string' ||
    (value !== null && typeof value !== 'string')
  ) {
    throw new InputError('Malformed page cursor');
  }
  return { value, name };
}

async function lockApplication(
  tx: Knex.Transaction,
  name: string,
): Promise<ApplicationRow | undefined> {
  const query = tx<ApplicationRow>(APPLICATIONS).where({ name }).first();
  // SQLite serializes writers anyway; PostgreSQL needs the row lock so concurrent replicas do not interleave.
  return tx.client.dialect === 'postgresql' ? query.forUpdate() : query;
}

function declarationRow(
  spec: ApplicationSpec,
  entityRef: string,
  info: CatalogInfo,
): ApplicationRow {
  return {
    name: spec.name,
    repo: spec.source.repo,
    entity_ref: entityRef,
    environment: spec.environment,
    cluster: spec.destination.cluster,
    namespace: spec.destination.namespace,
    spec: JSON.stringify(spec),
    declared_in: spec.declaredIn,
    owner: info.owner ?? null,
    system: info.system ?? null,
    sync: 'Unknown',
    health: 'Unknown',
    health_message: null,
    revision: null,
    drift_count: 0,
    drift_since: null,
    changed_at: null,
    observed_at: null,
    synced_at: null,
    problem: null,
    resource_counts: JSON.stringify(zeroCounts()),
  };
}

function nextProblem(
  previous: StatusProblem | undefined,
  incoming: StatusProblem | null | undefined,
): StatusProblem | undefined {
  if (incoming === undefined) {
    return previous;
  }
  if (incoming === null) {
    return undefined;
  }
  return {
    code: incoming.code,
    message: incoming.message,
    // The age of a problem is how long it has stood, not when it was last reported.
    since:
      previous?.code === incoming.code
        ? previous.since
        : isoTimestamp(incoming.since, 'problem.since'),
  };
}

function serializeProblem(problem: StatusProblem | undefined): string | null {
  return problem ? JSON.stringify(problem) : null;
}

function storedDrift(
  drift: Omit<DriftRecord, 'firstSeenAt'>,
  firstSeenAt: string,
): DriftRecord {
  return {
    path: drift.path,
    type: drift.type,
    // Secret values never reach the database, whatever the caller passed.
    ...(!drift.sensitive &&
      drift.desired !== undefined && { desired: drift.desired }),
    ...(!drift.sensitive && drift.live !== undefined && { live: drift.live }),
    ...(drift.sensitive && { sensitive: true }),
    ...(drift.manager !== undefined && { manager: drift.manager }),
    firstSeenAt,
  };
}

function sameResources(before: ResourceRow[], after: ResourceRow[]): boolean {
  return (
    before.length === after.length &&
    before.every((row, i) => {
      const other = after[i];
      return (
        row.resource_key === other.resource_key &&
        row.api_version === other.api_version &&
        row.sync === other.sync &&
        row.health === other.health &&
        row.health_message === other.health_message &&
        row.drifts === other.drifts &&
        row.images === other.images
      );
    })
  );
}

function toStatus(row: ApplicationRow): ApplicationStatus {
  const problem = parseJson<StatusProblem>(row.problem);
  const revision = parseJson<Revision>(row.revision);
  return {
    application: JSON.parse(row.spec),
    // A standing problem means the last verdict may no longer hold; the rest is the last known state.
    sync: problem ? 'Unknown' : (row.sync as ApplicationStatus['sync']),
    health: row.health as ApplicationStatus['health'],
    ...(row.health_message !== null && { healthMessage: row.health_message }),
    ...(revision && { revision }),
    resourceCounts: JSON.parse(row.resource_counts),
    driftCount: Number(row.drift_count),
    ...(row.drift_since !== null && { driftSince: row.drift_since }),
    ...(row.changed_at !== null && { changedAt: row.changed_at }),
    ...(row.observed_at !== null && { observedAt: row.observed_at }),
    ...(row.synced_at !== null && { lastSyncedAt: row.synced_at }),
    ...(problem && { problem }),
  };
}

function toFleetItem(row: ApplicationRow): FleetItem {
  return {
    ...toStatus(row),
    ...(row.owner !== null && { owner: row.owner }),
    ...(row.system !== null && { system: row.system }),
  };
}

function toResourceStatus(row: ResourceRow): ResourceStatus {
  return {
    ref: parseResourceKey(row.resource_key),
    apiVersion: row.api_version,
    sync: row.sync as ResourceSyncStatus,
    ...(row.health !== null && {
      health: row.health as ResourceStatus['health'],
    }),
    ...(row.health_message !== null && { healthMessage: row.health_message }),
    drifts: JSON.parse(row.drifts),
    ...(row.images !== null && { images: JSON.parse(row.images) }),
  };
}

/** The contract's fields only, in a fixed order, so the same images store the same text; null for none. */
function serializeImages(
  applicationName: string,
  key: string,
  images: ResourceImage[] | undefined,
): string | null {
  if (images === undefined || images.length === 0) return null;
  const stored = images.map(image => {
    if (
      typeof image?.container !== 'string' ||
      typeof image.image !== 'string'
    ) {
      throw new InputError(
        `Verdict for '${applicationName}' gives resource ${key} an image without a container name or image`,
      );
    }
    return {
      container: image.container,
      image: image.image,
      ...(image.init === true && { init: true }),
    };
  });
  return JSON.stringify(stored);
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    at: row.at,
    sync: row.sync as HistoryEntry['sync'],
    health: row.health as HistoryEntry['health'],
    ...(row.revision !== null && { revision: row.revision }),
    driftCount: Number(row.drift_count),
    ...(row.reason !== null && { reason: row.reason }),
  };
}

// Kubernetes names, namespaces, kinds and groups never contain a slash, so the key splits back unambiguously.
function resourceKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

function parseResourceKey(key: string): ResourceRef {
  const [group, kind, namespace, name] = key.split('/');
  return { group, kind, namespace, name };
}

function driftIdentity(
  key: string,
  drift: Pick<DriftRecord, 'path' | 'type'>,
): string {
  return `${key}\u0000${drift.path}\u0000${drift.type}`;
}

function zeroCounts(): Record<ResourceSyncStatus, number> {
  return Object.fromEntries(
    RESOURCE_SYNC_STATUSES.map(status => [status, 0]),
  ) as Record<ResourceSyncStatus, number>;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`Page size must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}

function values<T extends string>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function parseJson<T>(value: string | null): T | undefined {
  return value === null ? undefined : (JSON.parse(value) as T);
}

// Code-unit order: the byte order both databases use for these columns, for the ASCII that names allow.
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    result.push(items.slice(i, i + ROWS_PER_STATEMENT));
  }
  return result;
}
