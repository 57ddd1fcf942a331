import { inflateRawSync } from 'node:zlib';
import { desiredShopWeb, liveShopWeb } from '../diff/__fixtures__/shopWeb';
import { diffObjects } from '../diff/diffObjects';
import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import { COMPACT_DICTIONARY } from './compactDictionary';
import {
  compactLiveObject,
  expandLiveObject,
  isCompactLiveObject,
} from './compactLiveObject';

type Spec = Record<string, any>;

function unpacked(compact: { packed: string }): string {
  return inflateRawSync(Buffer.from(compact.packed, 'latin1'), {
    dictionary: COMPACT_DICTIONARY,
  }).toString('utf8');
}

function editedImage(): KubeObject {
  const live = liveShopWeb();
  (live.spec as Spec).template.spec.containers[0].image = 'web:hotfix';
  live.metadata.managedFields!.push({
    manager: 'kubectl-edit',
    operation: 'Update',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } },
          },
        },
      },
    },
  });
  return live;
}

function addedEnv(): KubeObject {
  const live = liveShopWeb();
  (live.spec as Spec).template.spec.containers[0].env.push({
    name: 'DEBUG',
    value: 'true',
  });
  live.metadata.managedFields!.push({
    manager: 'kubectl-edit',
    operation: 'Update',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                'f:env': {
                  'k:{"name":"DEBUG"}': {
                    '.': {},
                    'f:name': {},
                    'f:value': {},
                  },
                },
              },
            },
          },
        },
      },
    },
  });
  return live;
}

function desiredWithoutTeam(): KubeObject {
  const desired = desiredShopWeb();
  delete (desired.metadata.labels as Spec).team;
  return desired;
}

describe('compactLiveObject', () => {
  it('keeps a typical Deployment under 2 KB of JSON, far below the full object', () => {
    const live = liveShopWeb();
    const compact = compactLiveObject(live);
    expect(JSON.stringify(compact).length).toBeLessThan(2048);
    expect(JSON.stringify(live).length).toBeGreaterThan(6000);
  });

  it('drops managedFields, last-applied and status timestamps from what stays unpacked', () => {
    const live = liveShopWeb();
    live.metadata.annotations![
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = JSON.stringify(desiredShopWeb());
    const compact = compactLiveObject(live);
    expect(compact.metadata).toEqual({
      name: 'shop-web',
      namespace: 'shop',
      uid: '5f0c6a7e-1d3b-4c59-9a0e-7b2f4d8e6c21',
      resourceVersion: '1873405',
      generation: 4,
      labels: live.metadata.labels,
    });
    expect(JSON.stringify(compact)).not.toContain('lastTransitionTime');
    expect(unpacked(compact)).not.toContain('last-applied-configuration');
    expect(unpacked(compact)).not.toContain('"f:status"');
    expect(isCompactLiveObject(compact)).toBe(true);
    expect(isCompactLiveObject(live)).toBe(false);
  });

  it.each<[string, () => KubeObject, () => KubeObject, 'assert' | 'strict']>([
    ['in sync', desiredShopWeb, liveShopWeb, 'strict'],
    ['image changed by kubectl edit', desiredShopWeb, editedImage, 'assert'],
    ['env var added by kubectl edit', desiredShopWeb, addedEnv, 'strict'],
    ['label removed from Git', desiredWithoutTeam, liveShopWeb, 'assert'],
  ])(
    'diffs the compact form exactly like the full object: %s',
    (_name, desired, live, mode) => {
      const full = diffObjects(desired(), live(), { mode });
      expect(
        diffObjects(desired(), compactLiveObject(live()), { mode }),
      ).toEqual(full);
    },
  );

  it('keeps the field set of a client-side apply, not the annotation that may hold secrets', () => {
    const live = liveShopWeb();
    live.metadata.managedFields = live.metadata.managedFields!.filter(
      e => e.manager !== 'backstage-gitops',
    );
    live.metadata.annotations![
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = JSON.stringify(desiredShopWeb());
    const compact = compactLiveObject(live);
    expect(unpacked(compact)).not.toContain('last-applied');
    expect(
      diffObjects(desiredWithoutTeam(), compact).diffs.map(
        d => `${d.type} ${d.path}`,
      ),
    ).toEqual(['removed-from-git metadata.labels.team']);
  });

  it('keeps of a client-side apply entry only what it applied, as the diff reads the raw object', () => {
    // The apply that created the object also owns every server default, such as imagePullPolicy.
    const live = liveShopWeb();
    live.metadata.managedFields = [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:replicas': {},
            'f:progressDeadlineSeconds': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': { 'f:imagePullPolicy': {} },
                },
              },
            },
          },
        },
      },
    ];
    live.metadata.annotations![
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = JSON.stringify({ spec: { replicas: 3 } });
    const expanded = expandLiveObject(compactLiveObject(live));
    expect(
      expanded.metadata.managedFields!.find(
        entry => entry.manager === 'kubectl-client-side-apply',
      )!.fieldsV1,
    ).toEqual({ 'f:spec': { 'f:replicas': {} } });
    const strict = { mode: 'strict' as const };
    expect(diffObjects(desiredShopWeb(), expanded, strict)).toEqual(
      diffObjects(desiredShopWeb(), live, strict),
    );
  });

  it('keeps Secret values only as hashes, and still detects a change', () => {
    const value = Buffer.from('correct-horse-battery-staple').toString(
      'base64',
    );
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      data: { password: value },
    };
    const compact = compactLiveObject(secret);
    expect(unpacked(compact)).not.toContain(value);
    expect(JSON.stringify(compact)).not.toContain(value);
    expect(
      diffObjects({ ...secret, data: { password: value } }, compact).modified,
    ).toBe(false);
    expect(
      diffObjects(
        { ...secret, stringData: { password: 'correct-horse-battery-staple' } },
        compact,
      ).modified,
    ).toBe(false);
    const changed = diffObjects(
      { ...secret, stringData: { password: 'hunter2' } },
      compact,
    );
    expect(changed.diffs).toEqual([
      { path: 'data.password', type: 'changed', sensitive: true },
    ]);
  });

  it('expands to the content and ownership diff needs', () => {
    const expanded = expandLiveObject(compactLiveObject(liveShopWeb()));
    expect(expanded.spec).toEqual(liveShopWeb().spec);
    expect(
      expanded.metadata.managedFields!.map(entry => entry.manager),
    ).toEqual(['backstage-gitops', 'kubectl-rollout']);
  });

  it('reports a corrupt compact object as an EngineError', () => {
    const compact = compactLiveObject(liveShopWeb());
    expect(() =>
      expandLiveObject({ ...compact, packed: 'not deflate data' }),
    ).toThrow(EngineError);
  });

  it('rejects input that is not an object', () => {
    expect(() => compactLiveObject(null as unknown as KubeObject)).toThrow(
      EngineError,
    );
  });
});
