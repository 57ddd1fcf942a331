import type { GitOpsApi } from '../api/GitOpsApi';
import { changeFixtures } from './changeFixtures';
import { metricsFixtures } from './metricsFixtures';
import { shopApiFixtures } from './shopApiFixtures';

/**
 * A fake GitOps API answering with the shop-api fixtures: the entity's status and dev's detail, history and
 * syncs, one open and one merged change request, the fleet. Tests override single methods.
 */
export function mockGitOpsApi(
  fixtures = shopApiFixtures(),
  changes = changeFixtures(),
  metrics = metricsFixtures(),
): jest.Mocked<GitOpsApi> {
  return {
    getEntityStatus: jest.fn().mockResolvedValue(fixtures.status),
    getApplication: jest.fn().mockResolvedValue(fixtures.devDetail),
    getApplicationHistory: jest.fn(async (_name, page) =>
      page?.cursor ? fixtures.devHistoryOlder : fixtures.devHistory,
    ),
    listSyncRuns: jest.fn().mockResolvedValue({ items: [] }),
    syncApplication: jest.fn().mockResolvedValue(changes.syncs.items[0]),
    getFleet: jest.fn().mockResolvedValue(changes.fleet),
    previewChange: jest.fn().mockResolvedValue(changes.preview),
    createChangeRequest: jest
      .fn()
      .mockResolvedValue({ changeRequest: changes.prOpen, created: true }),
    listChangeRequests: jest
      .fn()
      .mockResolvedValue({ items: [changes.prOpen, changes.merged] }),
    getChangeRequest: jest.fn().mockResolvedValue(changes.prOpen),
    approveChangeRequest: jest.fn().mockResolvedValue(changes.prOpen),
    mergeChangeRequest: jest.fn().mockResolvedValue(changes.prOpen),
    cancelChangeRequest: jest.fn().mockResolvedValue(changes.prOpen),
    getDoraMetrics: jest.fn().mockResolvedValue(metrics.dora),
    getDriftMetrics: jest.fn().mockResolvedValue(metrics.drift),
    listAuditEntries: jest.fn(async query =>
      query?.cursor ? metrics.auditSecond : metrics.auditFirst,
    ),
    listEnvironments: jest.fn().mockResolvedValue({
      items: [
        { name: 'dev', applications: 2, clusters: ['dev-cluster'] },
        { name: 'staging', applications: 1, clusters: ['staging-cluster'] },
        { name: 'prod', applications: 2, clusters: ['prod-eu', 'prod-us'] },
      ],
    }),
    getEntityStatuses: jest.fn(async (entityRefs: string[]) => ({
      items: entityRefs.map(entityRef => ({ entityRef, applications: [] })),
    })),
  };
}
