import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeObject } from '../types';
import { lastAppliedFields } from './lastAppliedFields';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function secretApplied(config: object): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      annotations: { [LAST_APPLIED]: `${JSON.stringify(config)}\n` },
    },
  };
}

const root = SchemaRegistry.builtin().kindSchema('v1', 'Secret').root;

describe('lastAppliedFields', () => {
  it('names Secret stringData keys under data, where the server stores them', () => {
    const obj = secretApplied({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { annotations: {}, name: 'db' },
      data: { ca: 'Y2E=' },
      stringData: { password: 'hunter2' },
    });
    expect(lastAppliedFields(obj, root)).toEqual({
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:annotations': {}, 'f:name': {} },
      'f:data': { 'f:ca': {}, 'f:password': {} },
    });
  });

  it('returns undefined for an unreadable annotation', () => {
    const obj = secretApplied({});
    obj.metadata.annotations![LAST_APPLIED] = '{not json';
    expect(lastAppliedFields(obj, root)).toBeUndefined();
  });
});
