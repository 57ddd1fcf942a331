import {
  TRACKING_LABEL,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type { LiveObjectChange } from './ClusterLiveCache';
import { LiveObjectIndex } from './LiveObjectIndex';

function configMap(
  name: string,
  resourceVersion: string,
  application?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'shop',
      resourceVersion,
      ...(application === undefined
        ? {}
        : { labels: { [TRACKING_LABEL]: application } }),
    },
    data: { version: resourceVersion },
  };
}

describe('LiveObjectIndex', () => {
  let changes: LiveObjectChange[];
  let index: LiveObjectIndex;
  const change = (
    application: string,
    name: string,
    type: LiveObjectChange['type'],
  ) => ({
    cluster: 'prod',
    application,
    key: `/ConfigMap/shop/${name}`,
    type,
  });

  beforeEach(() => {
    changes = [];
    index = new LiveObjectIndex({
      cluster: 'prod',
      labelKey: TRACKING_LABEL,
      onChange: c => changes.push(c),
    });
  });

  it('reports an object once per resourceVersion', () => {
    index.upsert(configMap('a', '1', 'web'));
    index.upsert(configMap('a', '1', 'web'));
    index.upsert(configMap('a', '2', 'web'));
    expect(changes).toEqual([
      change('web', 'a', 'ADDED'),
      change('web', 'a', 'MODIFIED'),
    ]);
    expect(index.objectsOf('web').map(o => o.metadata.resourceVersion)).toEqual(
      ['2'],
    );
  });

  it('moves an object whose label value changed, as a DELETED for the old application', () => {
    index.upsert(configMap('a', '1', 'web'));
    index.upsert(configMap('a', '2', 'api'));
    expect(changes).toEqual([
      change('web', 'a', 'ADDED'),
      change('web', 'a', 'DELETED'),
      change('api', 'a', 'ADDED'),
    ]);
    expect(index.objectsOf('web')).toEqual([]);
    expect(index.objectsOf('api')).toHaveLength(1);
  });

  it('drops an object whose label is gone or empty, and ignores untracked ones', () => {
    index.upsert(configMap('a', '1', 'web'));
    index.upsert(configMap('b', '1', 'web'));
    index.upsert(configMap('a', '2'));
    index.upsert(configMap('b', '2', ''));
    index.upsert(configMap('c', '1'));
    expect(changes.filter(c => c.type === 'DELETED')).toEqual([
      change('web', 'a', 'DELETED'),
      change('web', 'b', 'DELETED'),
    ]);
    expect(index.size).toBe(0);
  });

  it('removes by identity even when the deleted object no longer carries the label', () => {
    index.upsert(configMap('a', '1', 'web'));
    index.remove(configMap('a', '2'));
    expect(changes.pop()).toEqual(change('web', 'a', 'DELETED'));
    expect(index.objectsOf('web')).toEqual([]);
  });

  it('keeps only what a fresh LIST returned, for that kind only', () => {
    index.upsert(configMap('a', '1', 'web'));
    index.upsert(configMap('b', '1', 'web'));
    index.upsert({
      ...configMap('a', '1', 'web'),
      apiVersion: 'example.com/v1',
      kind: 'ConfigMap',
    });
    index.retainOnly('', 'ConfigMap', new Set(['/ConfigMap/shop/b']));
    expect(changes.filter(c => c.type === 'DELETED')).toEqual([
      change('web', 'a', 'DELETED'),
    ]);
    expect(
      index
        .objectsOf('web')
        .map(o => `${o.apiVersion} ${o.metadata.name}`)
        .sort(),
    ).toEqual(['example.com/v1 a', 'v1 b']);
  });

  it('stores objects compactly', () => {
    index.upsert(configMap('a', '1', 'web'));
    const [stored] = index.objectsOf('web');
    expect(typeof stored.packed).toBe('string');
    expect(stored).not.toHaveProperty('data');
  });
});
