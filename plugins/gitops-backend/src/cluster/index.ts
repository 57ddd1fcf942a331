export type {
  ClusterConnectionState,
  ClusterLiveCache,
  LiveObjectChange,
  WatchedKind,
} from './ClusterLiveCache';
export { ClusterRegistry } from './ClusterRegistry';
export { KubeApiError } from './KubeApiError';
export {
  KubeDiscovery,
  type KubeDiscoveryOptions,
  type KubeResource,
} from './KubeDiscovery';
export {
  KubeHttpClient,
  type KubeApplyOptions,
  type KubeHttpClientOptions,
  type KubeHttpClientStats,
  type KubeListOptions,
  type KubeListPage,
  type KubeQuery,
  type KubeRequestOptions,
  type KubeWatchEvent,
  type KubeWatchOptions,
} from './KubeHttpClient';
export { KubeLiveCache, type KubeLiveCacheOptions } from './KubeLiveCache';
export { readClusterConfigs, type ClusterConfig } from './readClusterConfigs';
export { resourcePath } from './resourcePath';
