import { EngineError } from '../errors';
import { parseManifests } from './parseManifests';
import { validateManifest } from './validateManifest';

const valid = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'shop-web',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/name': 'shop-web' },
  },
});

describe('validateManifest', () => {
  it.each([
    ['a Deployment', valid()],
    [
      'generateName instead of name',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { generateName: 'migrate-' },
      },
    ],
    [
      'an RBAC name with colons',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'system:controller:shop' },
      },
    ],
    [
      'an empty label value',
      { ...valid(), metadata: { name: 'a', labels: { tier: '' } } },
    ],
    [
      'a dotted name',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shop.config-v2' },
      },
    ],
  ])('accepts %s', (_name, object) => {
    expect(() => validateManifest(object, { file: 'ok.yaml' })).not.toThrow();
  });

  it.each<[string, unknown, string, string | undefined]>([
    [
      'no apiVersion',
      { kind: 'Service', metadata: { name: 'a' } },
      'manifest has no apiVersion',
      undefined,
    ],
    [
      'a numeric kind',
      { apiVersion: 'v1', kind: 3, metadata: { name: 'a' } },
      'kind must be a non-empty string',
      'kind',
    ],
    [
      'no metadata',
      { apiVersion: 'v1', kind: 'Service' },
      'Service has no metadata',
      undefined,
    ],
    [
      'no name',
      { apiVersion: 'v1', kind: 'Service', metadata: {} },
      'Service has no metadata.name',
      'metadata',
    ],
    [
      'an uppercase name',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Web' } },
      'name "Web" is not valid for a Service',
      'metadata.name',
    ],
    [
      'a name with a slash',
      { apiVersion: 'v1', kind: 'Role', metadata: { name: 'a/b' } },
      'name "a/b" is not valid for a Role',
      'metadata.name',
    ],
    [
      'a 254-character name',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a'.repeat(254) },
      },
      'is not valid for a Service',
      'metadata.name',
    ],
    [
      'a numeric name',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 42 } },
      'metadata.name must be a non-empty string',
      'metadata.name',
    ],
    [
      'an invalid namespace',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', namespace: 'My_NS' },
      },
      'namespace "My_NS" is not a valid DNS label',
      'metadata.namespace',
    ],
    [
      'a numeric label value',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', labels: { version: 1.5 } },
      },
      'metadata.labels["version"] must be a string, not the number 1.5',
      'metadata.labels.version',
    ],
    [
      'a boolean annotation',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', annotations: { 'example.com/enabled': true } },
      },
      'must be a string, not the boolean true',
      'metadata.annotations["example.com/enabled"]',
    ],
    [
      'a label value with spaces',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', labels: { team: 'store front' } },
      },
      'label value "store front" is not valid',
      'metadata.labels.team',
    ],
    [
      'an invalid label key',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'a', labels: { 'Bad Key': 'x' } },
      },
      'label key "Bad Key" is not valid',
      'metadata.labels["Bad Key"]',
    ],
    [
      'a list',
      [{ apiVersion: 'v1' }],
      'a manifest must be a mapping, not a list',
      undefined,
    ],
  ])('refuses %s', (_name, object, message, path) => {
    let error: unknown;
    try {
      validateManifest(object, { file: 'bad.yaml', document: 2 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('MANIFEST_INVALID');
    expect((error as EngineError).message).toContain(message);
    expect((error as EngineError).location).toEqual({
      file: 'bad.yaml',
      document: 2,
      path,
    });
  });

  it('points at the line of the offending field when the source is known', () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  labels:',
      '    version: 1.0',
      '',
    ].join('\n');
    expect(() => parseManifests(text, { file: 'svc.yaml' })).toThrow(
      'svc.yaml, document 0, line 6:14, metadata.labels.version: metadata.labels["version"] must be a string, not the number 1; quote it in YAML',
    );
  });
});
