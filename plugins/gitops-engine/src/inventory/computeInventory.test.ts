import { EngineError } from '../errors';
import { TRACKING_LABEL } from '../normalize/trackingMetadata';
import type { KubeObject, ResourceKey } from '../types';
import { computeInventory } from './computeInventory';
import { resourceSyncOf, summarizeSync } from './summarizeSync';

const tracked = (
  kind: string,
  apiVersion: string,
  name: string,
  namespace?: string,
  annotations?: Record<string, string>,
  app = 'shop-production',
): KubeObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { [TRACKING_LABEL]: app },
    ...(annotations ? { annotations } : {}),
  },
});

const key = (
  group: string,
  kind: string,
  namespace: string,
  name: string,
): ResourceKey => ({ group, kind, namespace, name });

describe('computeInventory', () => {
  const live = [
    tracked('Deployment', 'apps/v1', 'shop-web', 'shop'),
    tracked('Service', 'v1', 'shop-web', 'shop'),
    tracked('ConfigMap', 'v1', 'old-settings', 'shop'),
    tracked('ConfigMap', 'v1', 'kept-settings', 'shop', {
      'gitops.backstage.io/prune': 'disabled',
    }),
    tracked('ClusterRole', 'rbac.authorization.k8s.io/v1', 'shop-reader'),
    tracked(
      'ConfigMap',
      'v1',
      'other-app',
      'shop',
      undefined,
      'billing-production',
    ),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'untracked', namespace: 'shop' },
    },
  ];
  const desired = [
    key('apps', 'Deployment', '', 'shop-web'),
    key('', 'Service', 'shop', 'shop-web'),
    key('', 'Secret', '', 'shop-db'),
    key('rbac.authorization.k8s.io', 'ClusterRole', 'shop', 'shop-reader'),
    key('apps', 'Deployment', 'shop', 'shop-web'),
  ];
  const entries = computeInventory(desired, live, {
    application: 'shop-production',
    defaultNamespace: 'shop',
  });
  const lines = entries.map(
    e =>
      `${e.status} ${e.key.group}/${e.key.kind}/${e.key.namespace}/${
        e.key.name
      }${e.prune === false ? ' (kept)' : ''}`,
  );

  it('pairs desired keys with tracked live objects, filling in the namespace by scope', () => {
    expect(lines).toEqual([
      'Present apps/Deployment/shop/shop-web',
      'Present /Service/shop/shop-web',
      'Missing /Secret/shop/shop-db',
      'Present rbac.authorization.k8s.io/ClusterRole//shop-reader',
      'Extraneous /ConfigMap/shop/old-settings',
      'Extraneous /ConfigMap/shop/kept-settings (kept)',
    ]);
  });

  it('ignores objects of other applications and objects without the tracking label', () => {
    expect(lines.join('\n')).not.toMatch(/other-app|untracked/);
  });

  it('hands the live object to present entries', () => {
    expect(entries[0].live?.metadata.name).toBe('shop-web');
    expect(entries[2].live).toBeUndefined();
  });
});

describe('computeInventory input', () => {
  it.each([
    [
      'a desired key without a name',
      [{ group: '', kind: 'ConfigMap', namespace: 'shop', name: '' }],
      [],
    ],
    ['a live entry that is not an object', [], [null]],
  ])('rejects %s with an EngineError', (_name, desiredKeys, liveObjects) => {
    expect(() =>
      computeInventory(
        desiredKeys as ResourceKey[],
        liveObjects as unknown as KubeObject[],
      ),
    ).toThrow(EngineError);
  });
});

describe('summarizeSync', () => {
  it.each<
    [
      string,
      Parameters<typeof summarizeSync>[0],
      ReturnType<typeof summarizeSync>,
    ]
  >([
    ['every resource synced', ['Synced', 'Synced'], 'Synced'],
    ['one resource drifted', ['Synced', 'OutOfSync'], 'OutOfSync'],
    ['one resource missing', ['Synced', 'Missing'], 'OutOfSync'],
    [
      'one prunable extraneous resource',
      ['Synced', { status: 'Extraneous', prune: true }],
      'OutOfSync',
    ],
    [
      'an extraneous resource kept by prune: disabled',
      ['Synced', { status: 'Extraneous', prune: false }],
      'Synced',
    ],
    ['one resource not compared yet', ['Synced', 'Unknown'], 'Unknown'],
    [
      'a known drift outweighs an unknown',
      ['Unknown', 'OutOfSync'],
      'OutOfSync',
    ],
    ['no resources', [], 'Synced'],
  ])('%s', (_name, resources, expected) => {
    expect(summarizeSync(resources)).toBe(expected);
  });

  it('derives resource sync from inventory and diff', () => {
    const present = {
      key: key('', 'ConfigMap', 'shop', 'a'),
      status: 'Present' as const,
    };
    expect(
      resourceSyncOf(present, { modified: true, diffs: [], warnings: [] }),
    ).toEqual({ status: 'OutOfSync' });
    expect(
      resourceSyncOf(present, { modified: false, diffs: [], warnings: [] }),
    ).toEqual({ status: 'Synced' });
    expect(resourceSyncOf(present)).toEqual({ status: 'Unknown' });
    expect(
      resourceSyncOf({ ...present, status: 'Extraneous', prune: false }),
    ).toEqual({ status: 'Extraneous', prune: false });
  });
});
