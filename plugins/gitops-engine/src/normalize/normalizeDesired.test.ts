import type { KubeObject } from '../types';
import { autoscaledTargets, normalizeDesired } from './normalizeDesired';

describe('autoscaledTargets', () => {
  it('names the objects HorizontalPodAutoscalers scale, in resource-key form', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          scaleTargetRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'shop-web',
          },
          maxReplicas: 5,
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'shop-web', namespace: 'shop' },
      },
      {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'broken', namespace: 'shop' },
        spec: {},
      },
    ];
    expect([...autoscaledTargets(objects)]).toEqual([
      'apps/Deployment/shop/shop-web',
    ]);
  });
});

describe('normalizeDesired', () => {
  it('copies only what it changes and never mutates desired', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { a: 'YQ==' },
      stringData: { b: 'b' },
    };
    const frozen = structuredClone(desired);
    const normalized = normalizeDesired(desired, {
      namespaced: true,
      defaultNamespace: 'shop',
    });
    expect(normalized).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { a: 'YQ==', b: 'Yg==' },
    });
    expect(desired).toEqual(frozen);
  });

  it('returns the same object when nothing needs normalizing', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shop' },
    };
    expect(
      normalizeDesired(desired, {
        namespaced: true,
        defaultNamespace: 'other',
      }),
    ).toBe(desired);
  });
});
