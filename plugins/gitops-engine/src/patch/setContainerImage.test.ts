import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors';
import { setContainerImage } from './setContainerImage';
import { parseHelmPath, setHelmValue } from './setHelmValue';
import { setKustomizeImage } from './setKustomizeImage';

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');

function replaced(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

describe('setContainerImage', () => {
  const deployment = fixture('shop-deployment.yaml');

  it('sets the image of the named container only', () => {
    expect(
      setContainerImage(
        deployment,
        { kind: 'Deployment', name: 'shop' },
        'sidecar',
        'ghcr.io/acme/proxy:2.1.0',
      ),
    ).toBe(
      replaced(
        deployment,
        'image: ghcr.io/acme/proxy:2.0.0',
        'image: ghcr.io/acme/proxy:2.1.0',
      ),
    );
  });

  it.each([
    [
      'CronJob',
      'kind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: job, image: "x:1"}\n',
    ],
    [
      'Pod',
      'kind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n  - {name: job, image: "x:1"}\n',
    ],
    [
      'Job init container',
      'kind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: job, image: "x:1"}\n      containers:\n      - {name: main, image: "y:1"}\n',
    ],
  ])('finds the pod spec of a %s', (kind, text) => {
    const name = /name: (\w+)}/.exec(text)![1];
    expect(
      setContainerImage(text, { kind: kind.split(' ')[0], name }, 'job', 'x:2'),
    ).toBe(
      replaced(text, '{name: job, image: "x:1"}', '{name: job, image: "x:2"}'),
    );
  });

  it('never adds a container', () => {
    let error: unknown;
    try {
      setContainerImage(
        deployment,
        { kind: 'Deployment', name: 'shop' },
        'worker',
        'x:1',
        { file: 'shop.yaml' },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({
      code: 'PATCH_TARGET_NOT_FOUND',
      message: expect.stringContaining(
        'Deployment shop has no container named "worker"',
      ),
    });
  });

  it('names a missing workload', () => {
    expect(() =>
      setContainerImage(
        deployment,
        { kind: 'StatefulSet', name: 'shop' },
        'web',
        'x:1',
      ),
    ).toThrow('no document declares StatefulSet shop');
  });
});

describe('setKustomizeImage', () => {
  const kustomization = fixture('kustomization.yaml');

  it('changes the tag of an existing entry', () => {
    expect(
      setKustomizeImage(kustomization, 'ghcr.io/acme/shop', {
        newTag: '1.5.0',
      }),
    ).toBe(replaced(kustomization, 'newTag: "1.4.2"', 'newTag: "1.5.0"'));
  });

  it('adds fields to an existing entry', () => {
    expect(
      setKustomizeImage(kustomization, 'ghcr.io/acme/shop', {
        digest: 'sha256:abc',
      }),
    ).toBe(
      replaced(
        kustomization,
        'newTag: "1.4.2"\n',
        'newTag: "1.4.2"\n    digest: sha256:abc\n',
      ),
    );
  });

  it('appends an entry that is absent', () => {
    expect(
      setKustomizeImage(kustomization, 'ghcr.io/acme/cart', {
        newName: 'ghcr.io/acme/cart-v2',
        newTag: '2.0.0',
      }),
    ).toBe(
      `${kustomization}  - name: ghcr.io/acme/cart\n    newName: ghcr.io/acme/cart-v2\n    newTag: 2.0.0\n`,
    );
  });

  it('adds the images list when there is none', () => {
    expect(
      setKustomizeImage('resources:\n- deployment.yaml\n', 'nginx', {
        newTag: '1.27',
      }),
    ).toBe(
      'resources:\n- deployment.yaml\nimages:\n- name: nginx\n  newTag: "1.27"\n',
    );
  });

  it('refuses a change without fields', () => {
    expect(() => setKustomizeImage(kustomization, 'nginx', {})).toThrow(
      'no newName, newTag or digest given',
    );
  });
});

describe('setHelmValue', () => {
  const values = fixture('values.yaml');

  it.each<[string, unknown, string, string]>([
    ['image.tag', '1.5.0', 'tag: ""', 'tag: "1.5.0"'],
    ['replicaCount', 4, 'replicaCount: 2', 'replicaCount: 4'],
    [
      'ingress.hosts[0].host',
      'shop.acme.io',
      'host: shop.example.com',
      'host: shop.acme.io',
    ],
    [
      'podAnnotations.prometheus\\.io/scrape',
      'true',
      'podAnnotations: {}',
      'podAnnotations: {prometheus.io/scrape: "true"}',
    ],
    [
      'autoscaling.enabled',
      true,
      '          pathType: Prefix\n',
      '          pathType: Prefix\nautoscaling:\n  enabled: true\n',
    ],
  ])('%s', (helmPath, value, from, to) => {
    expect(setHelmValue(values, helmPath, value as string)).toBe(
      replaced(values, from, to),
    );
  });

  it.each([
    [
      'image.tag',
      [
        { type: 'key', key: 'image' },
        { type: 'key', key: 'tag' },
      ],
    ],
    [
      'a\\.b.c',
      [
        { type: 'key', key: 'a.b' },
        { type: 'key', key: 'c' },
      ],
    ],
    [
      'hosts[0][1].x',
      [
        { type: 'key', key: 'hosts' },
        { type: 'index', index: 0 },
        { type: 'index', index: 1 },
        { type: 'key', key: 'x' },
      ],
    ],
  ])('reads the --set path %s', (helmPath, segments) => {
    expect(parseHelmPath(helmPath)).toEqual(segments);
  });
});
