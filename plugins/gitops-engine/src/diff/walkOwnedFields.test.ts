import type { KubeObject, ManagedFieldsEntry } from '../types';
import { diffObjects } from './diffObjects';

// managedFields below are as kube-apiserver v1.36 wrote them in the conformance suite (src/__conformance__).

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function entry(
  manager: string,
  operation: 'Apply' | 'Update',
  fieldsV1: Record<string, unknown>,
): ManagedFieldsEntry {
  return {
    manager,
    operation,
    apiVersion: 'v1',
    fieldsType: 'FieldsV1',
    fieldsV1,
  };
}

function deployment(
  env: Record<string, string>[],
  managedFields: ManagedFieldsEntry[] = [],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', managedFields },
    spec: {
      template: {
        spec: { containers: [{ name: 'web', image: 'web:1', env }] },
      },
    },
  };
}

const webEnv = (items: Record<string, unknown>) => ({
  'f:spec': {
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:env': items,
          },
        },
      },
    },
  },
});

describe('fields our manager owns that Git no longer sets', () => {
  it('reports a list item we own whole at the item, even when kubectl edit changed a field inside it', () => {
    // SSA removes the whole item: another manager owning only `value` does not keep it.
    const live = deployment(
      [
        { name: 'SHOP_ENV', value: 'production' },
        { name: 'LOG_FORMAT', value: 'text' },
      ],
      [
        entry(
          'backstage-gitops',
          'Apply',
          webEnv({
            'k:{"name":"SHOP_ENV"}': { '.': {}, 'f:name': {}, 'f:value': {} },
            'k:{"name":"LOG_FORMAT"}': { '.': {}, 'f:name': {} },
          }),
        ),
        entry(
          'kubectl-edit',
          'Update',
          webEnv({ 'k:{"name":"LOG_FORMAT"}': { 'f:value': {} } }),
        ),
      ],
    );
    const desired = deployment([{ name: 'SHOP_ENV', value: 'production' }]);

    for (const mode of ['assert', 'strict'] as const) {
      expect(diffObjects(desired, live, { mode }).diffs).toEqual([
        {
          path: 'spec.template.spec.containers[name=web].env[name=LOG_FORMAT]',
          type: 'removed-from-git',
          live: { name: 'LOG_FORMAT', value: 'text' },
          manager: 'backstage-gitops',
        },
      ]);
    }
  });

  it('keeps an item another manager owns too', () => {
    const live = deployment(
      [{ name: 'LOG_FORMAT', value: 'text' }],
      [
        entry(
          'backstage-gitops',
          'Apply',
          webEnv({ 'k:{"name":"LOG_FORMAT"}': { '.': {}, 'f:name': {} } }),
        ),
        entry(
          'helm',
          'Apply',
          webEnv({
            'k:{"name":"LOG_FORMAT"}': { '.': {}, 'f:name': {}, 'f:value': {} },
          }),
        ),
      ],
    );
    expect(diffObjects(deployment([]), live).diffs).toEqual([]);
  });
});

describe('strict mode: fields kubectl added by hand', () => {
  function configMap(annotations: Record<string, string>): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'shop',
        namespace: 'shop',
        annotations,
        managedFields: [
          entry('backstage-gitops', 'Apply', { 'f:data': { 'f:a': {} } }),
          entry('kubectl-annotate', 'Update', {
            'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
          }),
          entry('kubectl-client-side-apply', 'Update', {
            'f:metadata': {
              'f:annotations': { '.': {}, [`f:${LAST_APPLIED}`]: {} },
            },
          }),
        ],
      },
      data: { a: '1' },
    };
  }

  it('reports the annotation kubectl annotate added, not the whole map around it', () => {
    const live = configMap({
      note: 'set by hand',
      [LAST_APPLIED]: '{"kind":"ConfigMap","data":{"a":"1"}}\n',
      'deployment.kubernetes.io/revision': '3',
    });
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shop', namespace: 'shop' },
      data: { a: '1' },
    };
    expect(diffObjects(desired, live, { mode: 'strict' }).diffs).toEqual([
      {
        path: 'metadata.annotations.note',
        type: 'added-in-live',
        live: 'set by hand',
        manager: 'kubectl-annotate',
      },
    ]);
  });

  it('reports a struct kubectl edit added whole, with the defaults the server filled into it', () => {
    const live = deployment([]);
    const container = (live.spec as any).template.spec.containers[0];
    container.livenessProbe = {
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
    };
    live.metadata.managedFields = [
      entry('kubectl-edit', 'Update', {
        'f:spec': {
          'f:template': {
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  'f:livenessProbe': {
                    '.': {},
                    'f:httpGet': {
                      '.': {},
                      'f:path': {},
                      'f:port': {},
                      'f:scheme': {},
                    },
                    'f:periodSeconds': {},
                    'f:timeoutSeconds': {},
                  },
                },
              },
            },
          },
        },
      }),
    ];
    expect(diffObjects(deployment([]), live, { mode: 'strict' }).diffs).toEqual(
      [
        {
          path: 'spec.template.spec.containers[name=web].livenessProbe',
          type: 'added-in-live',
          live: container.livenessProbe,
          manager: 'kubectl-edit',
        },
      ],
    );
  });

  it('leaves fields the engine ignores out of a struct reported whole', () => {
    const crd = (conversion?: object): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', ...(conversion ? { conversion } : {}) },
    });
    const webhook = {
      clientConfig: {
        caBundle: 'LS0tLS1CRUdJTg==',
        url: 'https://convert.example.com',
      },
      conversionReviewVersions: ['v1'],
    };
    const live = crd({ strategy: 'Webhook', webhook });
    live.metadata.managedFields = [
      entry('kubectl-patch', 'Update', {
        'f:spec': {
          'f:conversion': {
            'f:strategy': {},
            'f:webhook': {
              '.': {},
              'f:clientConfig': { '.': {}, 'f:caBundle': {}, 'f:url': {} },
              'f:conversionReviewVersions': {},
            },
          },
        },
      }),
    ];
    const desired = crd({ strategy: 'Webhook' });
    expect(diffObjects(desired, live, { mode: 'strict' }).diffs).toEqual([
      {
        path: 'spec.conversion.webhook',
        type: 'added-in-live',
        live: {
          clientConfig: { url: 'https://convert.example.com' },
          conversionReviewVersions: ['v1'],
        },
        manager: 'kubectl-patch',
      },
    ]);
  });

  it('never shows a Secret value that the last-applied annotation holds', () => {
    const lastApplied =
      '{"apiVersion":"v1","kind":"Secret","metadata":{"annotations":{},"name":"db","namespace":"shop"},"stringData":{"password":"hunter2"}}\n';
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'shop',
        annotations: { [LAST_APPLIED]: lastApplied },
        managedFields: [
          entry('kubectl-client-side-apply', 'Update', {
            'f:data': { '.': {}, 'f:password': {} },
            'f:metadata': {
              'f:annotations': { '.': {}, [`f:${LAST_APPLIED}`]: {} },
            },
            'f:type': {},
          }),
        ],
      },
      data: { password: Buffer.from('hunter2').toString('base64') },
      type: 'Opaque',
    };
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      stringData: { password: 'hunter3' },
    };

    const result = diffObjects(desired, live, { mode: 'strict' });
    expect(result.diffs).toEqual([
      {
        path: 'data.password',
        type: 'changed',
        sensitive: true,
        manager: 'kubectl-client-side-apply',
      },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/hunter|aHVudGVy/);
  });
});
