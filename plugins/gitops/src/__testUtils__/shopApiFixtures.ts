import type { Entity } from '@backstage/catalog-model';
import type {
  ApplicationDetailResponse,
  ApplicationStatus,
  EntityStatusResponse,
  HistoryResponse,
} from '@backstage-gitops/plugin-gitops-common';

const MINUTE = 60_000;

/**
 * The demo's shop-api as the backend reports it: dev deployed with two drifted fields (one of them
 * a Secret value), staging and prod not applied yet, prod's cluster unreachable. Times are relative to `now`.
 */
export function shopApiFixtures(now = Date.now()) {
  const ago = (minutes: number) =>
    new Date(now - minutes * MINUTE).toISOString();

  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shop-api',
      namespace: 'default',
      annotations: {
        'gitops.backstage.io/applications': 'applications/shop-api.yaml',
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:team-shop',
    },
  };

  const application = (
    environment: string,
  ): ApplicationStatus['application'] => ({
    name: `shop-api-${environment}`,
    entityRef: 'component:default/shop-api',
    environment,
    source: {
      repo: 'demo',
      path: `apps/shop-api/overlays/${environment}`,
      renderer: 'kustomize',
    },
    destination: { cluster: 'local', namespace: `shop-${environment}` },
    syncPolicy: {
      automated: true,
      prune: true,
      selfHeal: environment === 'dev',
    },
    declaredIn: 'applications/shop-api.yaml',
  });

  const revision = {
    sha: '3f9c2e7a1b4d5c6e7f8091a2b3c4d5e6f7081920',
    message: 'shop-api: bump image to 1.4.2',
    author: 'Alice Martin',
    committedAt: ago(60),
    url: 'https://github.com/acme/fleet-config/commit/3f9c2e7a1b4d5c6e7f8091a2b3c4d5e6f7081920',
  };

  const dev: ApplicationStatus = {
    application: application('dev'),
    sync: 'OutOfSync',
    health: 'Healthy',
    revision,
    resourceCounts: {
      Synced: 5,
      OutOfSync: 2,
      Unknown: 0,
      Missing: 0,
      Extraneous: 0,
    },
    driftCount: 2,
    driftSince: ago(3),
    changedAt: ago(3),
    observedAt: ago(0.2),
  };
  const staging: ApplicationStatus = {
    application: application('staging'),
    sync: 'OutOfSync',
    health: 'Missing',
    revision,
    resourceCounts: {
      Synced: 0,
      OutOfSync: 0,
      Unknown: 0,
      Missing: 7,
      Extraneous: 0,
    },
    driftCount: 0,
    observedAt: ago(0.2),
  };
  const prod: ApplicationStatus = {
    application: application('prod'),
    sync: 'OutOfSync',
    health: 'Missing',
    revision: { ...revision, url: undefined },
    resourceCounts: {
      Synced: 0,
      OutOfSync: 0,
      Unknown: 0,
      Missing: 7,
      Extraneous: 0,
    },
    driftCount: 0,
    observedAt: ago(5),
    problem: {
      code: 'CLUSTER_UNREACHABLE',
      message: 'connect ECONNREFUSED 127.0.0.1:6443',
      since: ago(5),
    },
  };

  const status: EntityStatusResponse = {
    entityRef: 'component:default/shop-api',
    applications: [dev, staging, prod],
  };

  const devDetail: ApplicationDetailResponse = {
    status: dev,
    resources: [
      {
        ref: {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'shop-dev',
          name: 'shop-api',
        },
        apiVersion: 'apps/v1',
        sync: 'OutOfSync',
        health: 'Healthy',
        healthMessage: 'deployment "shop-api" successfully rolled out',
        drifts: [
          {
            path: 'spec.template.spec.containers[name=web].image',
            type: 'changed',
            desired: 'ghcr.io/acme/shop-api:1.4.2',
            live: 'ghcr.io/acme/shop-api:9.9.9',
            manager: 'kubectl-set',
            firstSeenAt: ago(3),
          },
        ],
        images: [{ container: 'web', image: 'ghcr.io/acme/shop-api:1.4.2' }],
      },
      {
        ref: {
          group: '',
          kind: 'Secret',
          namespace: 'shop-dev',
          name: 'shop-api-db',
        },
        apiVersion: 'v1',
        sync: 'OutOfSync',
        health: 'Healthy',
        drifts: [
          {
            path: 'data.password',
            type: 'changed',
            sensitive: true,
            manager: 'kubectl-edit',
            firstSeenAt: ago(2),
          },
        ],
      },
      {
        ref: {
          group: '',
          kind: 'Service',
          namespace: 'shop-dev',
          name: 'shop-api',
        },
        apiVersion: 'v1',
        sync: 'Synced',
        health: 'Healthy',
        drifts: [],
      },
      {
        ref: {
          group: 'autoscaling',
          kind: 'HorizontalPodAutoscaler',
          namespace: 'shop-dev',
          name: 'shop-api',
        },
        apiVersion: 'autoscaling/v2',
        sync: 'Synced',
        health: 'Progressing',
        healthMessage: 'waiting for metrics',
        drifts: [],
      },
      {
        ref: {
          group: '',
          kind: 'ConfigMap',
          namespace: 'shop-dev',
          name: 'shop-api-config',
        },
        apiVersion: 'v1',
        sync: 'Missing',
        health: 'Missing',
        drifts: [],
      },
    ],
  };

  const devHistory: HistoryResponse = {
    items: [
      {
        at: ago(3),
        sync: 'OutOfSync',
        health: 'Healthy',
        revision: revision.sha,
        driftCount: 2,
        reason: 'live state changed',
      },
      {
        at: ago(40),
        sync: 'Synced',
        health: 'Healthy',
        revision: revision.sha,
        driftCount: 0,
      },
    ],
    nextCursor: 'cursor-after-40m',
  };
  const devHistoryOlder: HistoryResponse = {
    items: [
      {
        at: ago(60 * 24),
        sync: 'Synced',
        health: 'Progressing',
        revision: '0a1b2c3d4e5f',
        driftCount: 0,
        reason: 'new revision',
      },
    ],
  };

  return { entity, status, devDetail, devHistory, devHistoryOlder };
}
