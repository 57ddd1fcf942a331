import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotAllowedError } from '@backstage/errors';
import { renderDirectory } from '@backstage-gitops/gitops-engine';
import type {
  ChangeRequest,
  ChangeRequestState,
  ChangeWindowReport,
} from '@backstage-gitops/plugin-gitops-common';
import type {
  PullRequestHandle,
  PullRequestStatus,
  ScmProvider,
  ScmRepository,
} from '@backstage-gitops/plugin-gitops-node';
import { promises as fs } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadApplications } from '../../applications';
import { DatabaseChangeStore } from '../../database/DatabaseChangeStore';
import { DatabaseGitOpsStore } from '../../database/DatabaseGitOpsStore';
import { ConfigRepository } from '../../git';
import { TestGitRemote } from '../../git/__testUtils__/TestGitRemote';
import { ApplicationRenderer } from '../../render';
import { ChangeActor, ChangeService, ChangeServiceOptions } from '../ChangeService';
import { CatalogForgeIdentityResolver } from '../ForgeIdentityResolver';
import { LocalScmProvider } from '../scm/LocalScmProvider';
import { CATALOG_USERS } from './catalogUsers';

const EXAMPLE_CONFIG_REPO = resolve(__dirname, '../../../../../examples/config-repo');

/** Why tests that render with kustomize cannot run here, or `undefined` when they can. */
export async function kustomizeUnavailable(): Promise<string | undefined> {
  try {
    await renderDirectory(join(EXAMPLE_CONFIG_REPO, 'apps/shop-api/overlays/dev'), { renderer: 'kustomize' });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function readExampleRepo(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files[relative(EXAMPLE_CONFIG_REPO, full)] = await fs.readFile(full, 'utf8');
    }
  };
  await walk(EXAMPLE_CONFIG_REPO);
  return files;
}

export function actor(userEntityRef: string, groups: string[] = []): ChangeActor {
  return {
    userEntityRef,
    ownershipEntityRefs: [userEntityRef, ...groups],
    credentials: mockServices.auth().getOwnServiceCredentials() as any,
  };
}

export const alice = actor('user:default/alice', ['group:default/team-shop']);
export const bob = actor('user:default/bob', ['group:default/platform-team']);

/** The local provider, with reviews a test places on a change branch as if they were given on GitHub. */
export class ReviewedLocalScmProvider extends LocalScmProvider {
  /** Approving reviews by branch (`gitops/cr-…`). */
  readonly reviews = new Map<string, Array<{ by: string; at: string }>>();

  async getPullRequest(repository: ScmRepository, pullRequest: PullRequestHandle): Promise<PullRequestStatus> {
    const status = await super.getPullRequest(repository, pullRequest);
    return { ...status, approvals: [...(this.reviews.get(pullRequest.branch) ?? [])] };
  }
}

/**
 * The example config repo in a real Git remote, a real database, the store filled from the repo, and a
 * change service over the local provider: everything but a cluster.
 */
export class ChangeTestbed {
  readonly events: Array<{ id: string; state: ChangeRequestState; previous?: ChangeRequestState }> = [];
  /** Entity refs each actor may not act on, by action. */
  readonly denied = new Map<string, Set<string>>();
  windows = new Map<string, ChangeWindowReport>();
  /** Backstage's in-memory catalog, with `CATALOG_USERS`; forge reviewers are resolved in it. */
  readonly catalog = catalogServiceMock({ entities: CATALOG_USERS });
  readonly provider = new ReviewedLocalScmProvider();
  readonly logger = mockServices.logger.mock();
  service!: ChangeService;
  changes!: DatabaseChangeStore;
  status!: DatabaseGitOpsStore;
  repo!: ConfigRepository;

  private constructor(readonly remote: TestGitRemote, readonly baseSha: string) {}

  static async create(
    databases: TestDatabases,
    overrides: Partial<ChangeServiceOptions> = {},
  ): Promise<ChangeTestbed> {
    const remote = await TestGitRemote.create();
    const sha = await remote.commit('seed from examples/config-repo', await readExampleRepo());
    const bed = new ChangeTestbed(remote, sha);
    const knex = await databases.init('SQLITE_3');
    const database = { getClient: async () => knex };
    bed.status = await DatabaseGitOpsStore.create({ database: database as any });
    bed.changes = await DatabaseChangeStore.create({ database: database as any, skipMigrations: true });
    bed.repo = new ConfigRepository({ id: 'demo', url: remote.url, workDir: join(remote.root, 'backend') });
    await bed.syncStatus();
    bed.service = bed.createService(overrides);
    return bed;
  }

  /** A second service over the same store and repo: a restarted backend. */
  createService(overrides: Partial<ChangeServiceOptions> = {}): ChangeService {
    return new ChangeService({
      changes: this.changes,
      status: this.status,
      repos: [this.repo],
      providers: [this.provider],
      renderer: new ApplicationRenderer(),
      authorizer: {
        authorize: async (who, action, entityRefs) => {
          const blocked = entityRefs.filter(ref => this.denied.get(`${who.userEntityRef}:${action}`)?.has(ref));
          if (blocked.length > 0) throw new NotAllowedError(`${who.userEntityRef} may not ${action} ${blocked.join(', ')}`);
        },
      },
      forgeIdentities: new CatalogForgeIdentityResolver(this.catalog, mockServices.auth()),
      logger: this.logger,
      workDir: join(this.remote.root, 'backend'),
      clusterNames: ['local'],
      refreshRepo: () => undefined,
      windows: { report: (environment) => this.windows.get(environment) ?? { environment, open: true } },
      listener: {
        onChange: (request: ChangeRequest, previous) =>
          this.events.push({ id: request.id, state: request.state, previous }),
      },
      ...overrides,
    });
  }

  /** Loads the applications at the remote's head into the status store, as the reconciler would. */
  async syncStatus(): Promise<void> {
    const head = await this.repo.fetch();
    const dir = await this.repo.checkout(head.sha);
    const { applications } = await loadApplications(dir, 'demo');
    await this.status.syncApplications('demo', applications, new Map());
  }

  /** The remote's branches and their heads. */
  async branches(): Promise<Map<string, string>> {
    const out = await this.remote.git(this.remote.bareDir, 'for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads');
    return new Map(out.trim().split('\n').filter(Boolean).map(line => line.split(' ') as [string, string]));
  }

  async show(ref: string, path: string): Promise<string> {
    return this.remote.git(this.remote.bareDir, 'show', `${ref}:${path}`);
  }

  /** Places approving reviews on a change request's PR, as GitHub would list them. */
  review(requestId: string, ...logins: string[]): void {
    const at = new Date().toISOString();
    this.provider.reviews.set(`gitops/${requestId}`, logins.map(by => ({ by, at })));
  }

  /** Brings the test's working clone up to date with merges made by the provider, then commits. */
  async commit(message: string, files: Record<string, string | null>): Promise<string> {
    await this.remote.git(this.remote.workTree, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    return this.remote.commit(message, files);
  }

  async cleanup(): Promise<void> {
    await this.remote.cleanup();
  }
}

export type { ScmProvider };
