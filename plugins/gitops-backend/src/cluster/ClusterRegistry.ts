import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import type { ClusterLiveCache } from './ClusterLiveCache';
import { KubeHttpClient } from './KubeHttpClient';
import { KubeLiveCache, type KubeLiveCacheOptions } from './KubeLiveCache';
import { readClusterConfigs, type ClusterConfig } from './readClusterConfigs';
import { RestartableLiveCache } from './RestartableLiveCache';

interface Cluster {
  client: KubeHttpClient;
  cache: RestartableLiveCache;
}

/** One live cache and HTTP client per configured cluster; each cache starts and stops on its own. */
export class ClusterRegistry {
  private readonly clusters = new Map<string, Cluster>();

  constructor(
    configs: ClusterConfig[],
    options: Omit<KubeLiveCacheOptions, 'name' | 'client'> = {},
  ) {
    for (const { name, kubeConfig } of configs) {
      const client = new KubeHttpClient(kubeConfig);
      const logger = options.logger?.child({ cluster: name });
      this.clusters.set(name, {
        client,
        cache: new RestartableLiveCache(
          name,
          () => new KubeLiveCache({ ...options, logger, name, client }),
        ),
      });
    }
  }

  /** Reads `gitops.clusters` (see `readClusterConfigs`); the field manager defaults to `gitops.fieldManager`. */
  static fromConfig(
    config: Config,
    options: { logger?: LoggerService; fieldManager?: string } = {},
  ): ClusterRegistry {
    return new ClusterRegistry(readClusterConfigs(config), {
      fieldManager:
        options.fieldManager ?? config.getOptionalString('gitops.fieldManager'),
      logger: options.logger,
    });
  }

  names(): string[] {
    return Array.from(this.clusters.keys());
  }

  /** The live cache of a cluster; `NotFoundError` for a name that is not configured. */
  get(name: string): ClusterLiveCache {
    return this.entry(name).cache;
  }

  /** Every cluster's live cache by name. */
  caches(): Map<string, ClusterLiveCache> {
    return new Map(
      Array.from(this.clusters, ([name, { cache }]) => [name, cache]),
    );
  }

  /** The HTTP client of a cluster, for applies and server-side dry runs. */
  client(name: string): KubeHttpClient {
    return this.entry(name).client;
  }

  /** Starts every cache; resolves when each has listed its kinds or failed once (a down cluster does not block). */
  async startAll(): Promise<void> {
    await Promise.all(
      Array.from(this.clusters.values(), ({ cache }) => cache.start()),
    );
  }

  /**
   * Starts watching one cluster (a replica gained its lease) with a fresh cache: its state is `connecting`
   * until its kinds are listed. Resolves like `startAll`.
   */
  startCluster(name: string): Promise<void> {
    return this.entry(name).cache.start();
  }

  /** Stops watching one cluster (a replica gave up its lease); its client stays open for a later start. */
  stopCluster(name: string): Promise<void> {
    return this.entry(name).cache.stop();
  }

  /** Whether a cluster's cache is running in this process. */
  isWatching(name: string): boolean {
    return this.entry(name).cache.running;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      Array.from(this.clusters.values(), ({ cache }) => cache.stop()),
    );
    for (const { client } of this.clusters.values()) client.close();
  }

  private entry(name: string): Cluster {
    const cluster = this.clusters.get(name);
    if (!cluster)
      throw new NotFoundError(`no cluster named "${name}" is configured`);
    return cluster;
  }
}
