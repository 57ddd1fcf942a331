import type {
  ChangePreview,
  ChangeRequest,
  FleetResponse,
  SyncRunListResponse,
} from '@backstage-gitops/plugin-gitops-common';
import { shopApiFixtures } from './shopApiFixtures';

const MINUTE = 60_000;

/**
 * shop-api's change requests, a preview, sync runs and the fleet, as the backend answers them.
 * Times are relative to `now`.
 */
export function changeFixtures(now = Date.now()) {
  const ago = (minutes: number) =>
    new Date(now - minutes * MINUTE).toISOString();

  const preview: ChangePreview = {
    baseSha: '3f9c2e7a1b4d5c6e7f8091a2b3c4d5e6f7081920',
    files: [
      {
        path: 'apps/shop-api/overlays/prod/kustomization.yaml',
        diff: [
          '--- a/apps/shop-api/overlays/prod/kustomization.yaml',
          '+++ b/apps/shop-api/overlays/prod/kustomization.yaml',
          '@@ -3,4 +3,4 @@ images:',
          '   - name: ghcr.io/acme/shop-api',
          '-    newTag: 1.4.2',
          '+    newTag: 1.5.0',
          ' resources:',
          '   - ../../base',
          '',
        ].join('\n'),
      },
    ],
    applications: [
      {
        application: 'shop-api-prod',
        environment: 'prod',
        manifests: [
          {
            ref: {
              group: 'apps',
              kind: 'Deployment',
              namespace: 'shop-prod',
              name: 'shop-api',
            },
            action: 'update',
            diff: [
              '--- a/apps/Deployment/shop-prod/shop-api',
              '+++ b/apps/Deployment/shop-prod/shop-api',
              '@@ -20,3 +20,3 @@',
              '       containers:',
              '-        - image: ghcr.io/acme/shop-api:1.4.2',
              '+        - image: ghcr.io/acme/shop-api:1.5.0',
              '           name: web',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
    policy: { verdict: 'allow', findings: [] },
    windows: [{ environment: 'prod', open: true }],
    approvalsRequired: [
      { environment: 'prod', count: 1, from: ['group:default/platform-team'] },
    ],
  };

  const prOpen: ChangeRequest = {
    id: 'cr-42',
    title: 'shop-api: image 1.5.0 in prod',
    entityRef: 'component:default/shop-api',
    repo: 'demo',
    changes: [{ type: 'image', application: 'shop-api-prod', tag: '1.5.0' }],
    applications: [{ name: 'shop-api-prod', environment: 'prod' }],
    state: 'pr-open',
    requestedBy: 'user:default/alice',
    createdAt: ago(30),
    updatedAt: ago(20),
    baseSha: preview.baseSha,
    policy: { verdict: 'allow', findings: [] },
    approvals: [],
    approvalsRequired: preview.approvalsRequired,
    pullRequest: {
      provider: 'github',
      id: '#42',
      url: 'https://github.com/acme/fleet-config/pull/42',
      branch: 'gitops/cr-42',
      headSha: '9a8b7c6d5e4f',
      checks: 'success',
    },
    events: [
      { at: ago(30), state: 'draft', actor: 'user:default/alice' },
      { at: ago(29), state: 'checked', message: 'policy allow' },
      { at: ago(20), state: 'pr-open', message: 'opened #42' },
    ],
  };

  const merged: ChangeRequest = {
    ...prOpen,
    id: 'cr-41',
    title: 'shop-api: 3 replicas in staging',
    changes: [
      { type: 'replicas', application: 'shop-api-staging', replicas: 3 },
    ],
    applications: [{ name: 'shop-api-staging', environment: 'staging' }],
    state: 'healthy',
    createdAt: ago(60 * 5),
    updatedAt: ago(60 * 4),
    approvals: [
      { by: 'user:default/bob', at: ago(60 * 4.5), source: 'backstage' },
    ],
    pullRequest: {
      ...prOpen.pullRequest!,
      id: '#41',
      url: 'https://github.com/acme/fleet-config/pull/41',
      mergeSha: '1234567890ab',
    },
    events: [
      { at: ago(60 * 5), state: 'draft' },
      { at: ago(60 * 5), state: 'checked' },
      { at: ago(60 * 4.9), state: 'pr-open' },
      { at: ago(60 * 4.4), state: 'merged', actor: 'user:default/bob' },
      { at: ago(60 * 4.3), state: 'synced' },
      { at: ago(60 * 4), state: 'healthy' },
    ],
  };

  const rejected: ChangeRequest = {
    ...prOpen,
    id: 'cr-40',
    title: 'shop-api: privileged debug container',
    state: 'rejected',
    pullRequest: undefined,
    policy: {
      verdict: 'deny',
      findings: [
        {
          policy: 'disallow-privileged',
          object: 'apps/Deployment/shop-prod/shop-api',
          application: 'shop-api-prod',
          action: 'Deny',
          message: 'privileged containers are not allowed',
        },
      ],
    },
    reason: 'denied by policy disallow-privileged',
    events: [
      { at: ago(90), state: 'draft' },
      { at: ago(89), state: 'rejected', message: 'policy deny' },
    ],
  };

  const syncs: SyncRunListResponse = {
    items: [
      {
        id: 'sync-3',
        application: 'shop-api-dev',
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        revision: '3f9c2e7a1b4d',
        startedAt: ago(2),
        result: 'running',
        resources: [],
      },
      {
        id: 'sync-2',
        application: 'shop-api-dev',
        trigger: 'self-heal',
        revision: '3f9c2e7a1b4d',
        startedAt: ago(40),
        finishedAt: ago(39),
        result: 'failed',
        message: 'deny window: Fridays from 16:00',
        resources: [
          {
            ref: {
              group: 'apps',
              kind: 'Deployment',
              namespace: 'shop-dev',
              name: 'shop-api',
            },
            action: 'failed',
            message: 'admission webhook denied the request',
          },
        ],
      },
    ],
    nextCursor: 'syncs-after-40m',
  };

  const { status } = shopApiFixtures(now);
  const [dev, staging, prod] = status.applications;
  const fleet: FleetResponse = {
    items: [
      { ...dev, owner: 'group:default/team-shop', system: 'shop' },
      { ...staging, owner: 'group:default/team-shop', system: 'shop' },
      { ...prod, owner: 'group:default/team-shop', system: 'shop' },
      {
        ...dev,
        application: {
          ...dev.application,
          name: 'ledger-prod',
          entityRef: 'component:default/ledger',
          environment: 'prod',
        },
        sync: 'Synced',
        health: 'Degraded',
        driftCount: 1,
        driftSince: ago(60 * 26),
        owner: 'group:default/team-finance',
        system: 'books, "ledger"',
      },
    ],
    totalItems: 4,
  };

  return { preview, prOpen, merged, rejected, syncs, fleet };
}
