import { EngineError } from '../errors';
import { formatPath, parsePath, type PathSegment } from './parsePath';

describe('parsePath', () => {
  it.each<[string, PathSegment[]]>([
    [
      'spec.replicas',
      [
        { type: 'key', key: 'spec' },
        { type: 'key', key: 'replicas' },
      ],
    ],
    [
      'spec.template.spec.containers[name=web].image',
      [
        { type: 'key', key: 'spec' },
        { type: 'key', key: 'template' },
        { type: 'key', key: 'spec' },
        { type: 'key', key: 'containers' },
        { type: 'match', key: 'name', value: 'web' },
        { type: 'key', key: 'image' },
      ],
    ],
    [
      'images[name=ghcr.io/acme/shop].newTag',
      [
        { type: 'key', key: 'images' },
        { type: 'match', key: 'name', value: 'ghcr.io/acme/shop' },
        { type: 'key', key: 'newTag' },
      ],
    ],
    [
      'metadata.labels["app.kubernetes.io/version"]',
      [
        { type: 'key', key: 'metadata' },
        { type: 'key', key: 'labels' },
        { type: 'key', key: 'app.kubernetes.io/version' },
      ],
    ],
    [
      "metadata.annotations['a.b/c']",
      [
        { type: 'key', key: 'metadata' },
        { type: 'key', key: 'annotations' },
        { type: 'key', key: 'a.b/c' },
      ],
    ],
    [
      'args[0]',
      [
        { type: 'key', key: 'args' },
        { type: 'index', index: 0 },
      ],
    ],
    [
      'env[name="A]B"].value',
      [
        { type: 'key', key: 'env' },
        { type: 'match', key: 'name', value: 'A]B' },
        { type: 'key', key: 'value' },
      ],
    ],
    [
      'ports[containerPort=8080]',
      [
        { type: 'key', key: 'ports' },
        { type: 'match', key: 'containerPort', value: '8080' },
      ],
    ],
  ])('%s', (text, segments) => {
    expect(parsePath(text)).toEqual(segments);
    expect(parsePath(formatPath(segments))).toEqual(segments);
  });

  it.each([
    ['', /empty path/],
    ['.spec', /cannot start with "."/],
    ['spec..replicas', /empty key/],
    ['env[name=web', /expected "]"/],
    ['args[x]', /neither an index nor key=value/],
    ['labels["open', /unterminated quote/],
  ])('refuses %j', (text, message) => {
    expect(() => parsePath(text, 'f.yaml')).toThrow(EngineError);
    expect(() => parsePath(text, 'f.yaml')).toThrow(message);
  });
});
