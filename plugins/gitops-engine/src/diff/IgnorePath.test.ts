import { EngineError } from '../errors';
import type { PathSegment } from './FieldPath';
import { formatPath } from './FieldPath';
import { IgnorePath } from './IgnorePath';

const image: PathSegment[] = [
  { field: 'spec' },
  { field: 'template' },
  { field: 'spec' },
  { field: 'containers' },
  { key: { name: 'web' } },
  { field: 'image' },
];
const annotation: PathSegment[] = [
  { field: 'metadata' },
  { field: 'annotations' },
  { field: 'example.com/owner' },
];
const port: PathSegment[] = [
  { field: 'spec' },
  { field: 'ports' },
  { key: { port: 53, protocol: 'UDP' } },
];
const finalizer: PathSegment[] = [
  { field: 'metadata' },
  { field: 'finalizers' },
  { value: 'example.com/x' },
];
const arg: PathSegment[] = [{ field: 'args' }, { index: 1 }];

describe('IgnorePath', () => {
  it.each<[string, PathSegment[], boolean]>([
    ['spec.template.spec.containers[name=web].image', image, true],
    ['spec.template.spec.containers[*].image', image, true],
    ['spec.template.spec.containers[name=sidecar].image', image, false],
    ['spec.template.spec.containers', image, true],
    ['spec.*.spec.containers[*]', image, true],
    ['spec.template.spec.containers[*].args', image, false],
    ['metadata.annotations["example.com/owner"]', annotation, true],
    ['metadata.annotations.example.com/owner', annotation, false],
    ['spec.ports[port=53,protocol=UDP]', port, true],
    ['spec.ports[port=53,protocol=TCP]', port, false],
    ['metadata.finalizers[="example.com/x"]', finalizer, true],
    ['args[1]', arg, true],
    ['args[0]', arg, false],
  ])('%s matches %j: %s', (pattern, path, expected) => {
    expect(IgnorePath.parse(pattern).matches(path)).toBe(expected);
  });

  it('reads back every path the diff prints', () => {
    for (const path of [image, annotation, port, finalizer, arg]) {
      expect(IgnorePath.parse(formatPath(path)).matches(path)).toBe(true);
    }
  });

  it.each([
    '',
    'spec[',
    'metadata.annotations["unterminated]',
    'spec.ports[port]',
  ])('rejects %p', pattern => {
    expect(() => IgnorePath.parse(pattern)).toThrow(EngineError);
  });
});

describe('formatPath', () => {
  it('prints keys the way users read them', () => {
    expect(formatPath(image)).toBe(
      'spec.template.spec.containers[name=web].image',
    );
    expect(formatPath(annotation)).toBe(
      'metadata.annotations["example.com/owner"]',
    );
    expect(formatPath(port)).toBe('spec.ports[port=53,protocol=UDP]');
    expect(formatPath(finalizer)).toBe('metadata.finalizers[="example.com/x"]');
    expect(formatPath(arg)).toBe('args[1]');
    expect(formatPath([{ field: 'env' }, { key: { name: 'A B' } }])).toBe(
      'env[name="A B"]',
    );
  });
});
