import type { KubeObject } from '../types';
import { parseManifests } from '../yaml/parseManifests';
import { containerImagesOf } from './containerImages';

const POD_SPEC = {
  initContainers: [{ name: 'migrate', image: 'shop-migrate:1.4.2' }],
  containers: [
    { name: 'web', image: 'shop-api:1.4.2' },
    { name: 'proxy', image: 'envoy:1.30' },
  ],
};

const EXPECTED = [
  { container: 'web', image: 'shop-api:1.4.2' },
  { container: 'proxy', image: 'envoy:1.30' },
  { container: 'migrate', image: 'shop-migrate:1.4.2', init: true },
];

function object(apiVersion: string, kind: string, spec?: unknown): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name: 'shop-api', namespace: 'shop' },
    ...(spec !== undefined && { spec }),
  };
}

describe('containerImagesOf', () => {
  it.each([
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'StatefulSet'],
    ['apps/v1', 'DaemonSet'],
    ['apps/v1', 'ReplicaSet'],
    ['batch/v1', 'Job'],
  ])(
    "reads a %s %s's pod template, containers first, then init containers",
    (apiVersion, kind) => {
      expect(
        containerImagesOf(
          object(apiVersion, kind, { template: { spec: POD_SPEC } }),
        ),
      ).toEqual(EXPECTED);
    },
  );

  it("reads a CronJob's job template", () => {
    expect(
      containerImagesOf(
        object('batch/v1', 'CronJob', {
          schedule: '0 3 * * *',
          jobTemplate: { spec: { template: { spec: POD_SPEC } } },
        }),
      ),
    ).toEqual(EXPECTED);
    // The template a Job would have is not where a CronJob keeps its pods.
    expect(
      containerImagesOf(
        object('batch/v1', 'CronJob', { template: { spec: POD_SPEC } }),
      ),
    ).toEqual([]);
  });

  it("reads a Pod's own spec", () => {
    expect(containerImagesOf(object('v1', 'Pod', POD_SPEC))).toEqual(EXPECTED);
  });

  it('reads the objects a manifest declares, as parsed from YAML', () => {
    const [deployment, service] = parseManifests(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: ghcr.io/acme/shop-migrate@sha256:0123abcd
      containers:
        - name: web
          image: ghcr.io/acme/shop-api:1.4.2
---
apiVersion: v1
kind: Service
metadata:
  name: shop-api
spec:
  ports:
    - port: 80
`);
    expect(containerImagesOf(deployment)).toEqual([
      { container: 'web', image: 'ghcr.io/acme/shop-api:1.4.2' },
      {
        container: 'migrate',
        image: 'ghcr.io/acme/shop-migrate@sha256:0123abcd',
        init: true,
      },
    ]);
    expect(containerImagesOf(service)).toEqual([]);
  });

  it('gives nothing for objects that declare no images', () => {
    expect(containerImagesOf(object('v1', 'ConfigMap', undefined))).toEqual([]);
    expect(
      containerImagesOf(
        object('v1', 'Service', { template: { spec: POD_SPEC } }),
      ),
    ).toEqual([]);
    // A custom resource of the same kind name is not the workload.
    expect(
      containerImagesOf(
        object('example.com/v1', 'Deployment', {
          template: { spec: POD_SPEC },
        }),
      ),
    ).toEqual([]);
    expect(containerImagesOf(object('apps/v1', 'Deployment'))).toEqual([]);
    expect(
      containerImagesOf(
        object('apps/v1', 'Deployment', { template: { spec: {} } }),
      ),
    ).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['a spec that is a string', 'not a spec'],
    ['a spec that is a list', [POD_SPEC]],
    ['a null template', { template: null }],
    ['a pod spec that is a number', { template: { spec: 42 } }],
    [
      'containers that are an object',
      { template: { spec: { containers: { name: 'web', image: 'x' } } } },
    ],
    [
      'containers that are a string',
      { template: { spec: { containers: 'web' } } },
    ],
  ])('gives nothing for %s, without throwing', (_case, spec) => {
    expect(containerImagesOf(object('apps/v1', 'Deployment', spec))).toEqual(
      [],
    );
  });

  it('skips the containers it cannot read and keeps the others', () => {
    expect(
      containerImagesOf(
        object('apps/v1', 'Deployment', {
          template: {
            spec: {
              containers: [
                null,
                'web',
                42,
                [],
                { name: 'no-image' },
                { name: 'empty-image', image: '' },
                { name: 'number-image', image: 7 },
                { image: 'no-name:1.0' },
                { name: 7, image: 'number-name:1.0' },
                { name: 'web', image: 'shop-api:1.4.2' },
              ],
              initContainers: [{ name: 'migrate', image: { tag: '1.0' } }],
            },
          },
        }),
      ),
    ).toEqual([{ container: 'web', image: 'shop-api:1.4.2' }]);
  });

  it('gives nothing for values that are not objects at all', () => {
    for (const value of [null, undefined, 'Deployment', 42, []]) {
      expect(containerImagesOf(value as unknown as KubeObject)).toEqual([]);
    }
    expect(
      containerImagesOf({
        kind: 'Deployment',
        metadata: {},
      } as unknown as KubeObject),
    ).toEqual([]);
  });

  it('never changes the object, which may be frozen', () => {
    const deployment = Object.freeze(
      object('apps/v1', 'Deployment', { template: { spec: POD_SPEC } }),
    );
    const before = JSON.stringify(deployment);
    const images = containerImagesOf(deployment);
    images[0].image = 'changed';
    expect(JSON.stringify(deployment)).toBe(before);
  });
});
