import { parse } from 'yaml';
import { EngineError } from '../errors';
import { DURATION, SchemaRegistry, struct } from '../schema';
import type { KubeObject, ManagedFieldsEntry } from '../types';
import { desiredShopWeb, liveShopWeb } from './__fixtures__/shopWeb';
import type { DiffOptions, DiffResult } from './Drift';
import { diffObjects } from './diffObjects';

type Spec = Record<string, any>;

/** The drifts as `type path` lines: what a user reads in the UI. */
function summary(result: DiffResult): string[] {
  return result.diffs.map(drift => `${drift.type} ${drift.path}`);
}

function containers(obj: KubeObject): Spec[] {
  return (obj.spec as Spec).template.spec.containers;
}

function kubectlEdit(
  fieldsV1: Record<string, unknown>,
  manager = 'kubectl-edit',
): ManagedFieldsEntry {
  return {
    apiVersion: 'apps/v1',
    fieldsType: 'FieldsV1',
    fieldsV1,
    manager,
    operation: 'Update',
    time: '2026-11-22T10:00:00Z',
  };
}

const webContainerFields = (fields: Record<string, unknown>) => ({
  'f:spec': {
    'f:template': {
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': fields } },
    },
  },
});

describe('diffObjects on a realistic Deployment', () => {
  it('reports nothing when live only adds API-server defaults', () => {
    const result = diffObjects(desiredShopWeb(), liveShopWeb());
    expect(result).toEqual({ modified: false, diffs: [], warnings: [] });
  });

  it('reports nothing in strict mode either: kubectl rollout restart is expected (N19)', () => {
    expect(
      diffObjects(desiredShopWeb(), liveShopWeb(), { mode: 'strict' }).diffs,
    ).toEqual([]);
  });

  it('finds an image changed with kubectl edit, blaming kubectl-edit', () => {
    const live = liveShopWeb();
    containers(live)[0].image = 'registry.example.com/shop/web:1.25.0-hotfix';
    live.metadata.managedFields!.push(
      kubectlEdit(webContainerFields({ 'f:image': {} })),
    );

    const result = diffObjects(desiredShopWeb(), live);

    expect(result.modified).toBe(true);
    expect(result.diffs).toEqual([
      {
        path: 'spec.template.spec.containers[name=web].image',
        type: 'changed',
        desired: 'registry.example.com/shop/web:1.24.3',
        live: 'registry.example.com/shop/web:1.25.0-hotfix',
        manager: 'kubectl-edit',
      },
    ]);
  });

  it('finds an env var added with kubectl edit in strict mode only', () => {
    const live = liveShopWeb();
    containers(live)[0].env.push({ name: 'DEBUG', value: 'true' });
    live.metadata.managedFields!.push(
      kubectlEdit(
        webContainerFields({
          'f:env': {
            'k:{"name":"DEBUG"}': { '.': {}, 'f:name': {}, 'f:value': {} },
          },
        }),
      ),
    );

    expect(diffObjects(desiredShopWeb(), live).diffs).toEqual([]);
    expect(
      diffObjects(desiredShopWeb(), live, { mode: 'strict' }).diffs,
    ).toEqual([
      {
        path: 'spec.template.spec.containers[name=web].env[name=DEBUG]',
        type: 'added-in-live',
        live: { name: 'DEBUG', value: 'true' },
        manager: 'kubectl-edit',
      },
    ]);
  });

  it('finds a label removed by hand', () => {
    const live = liveShopWeb();
    delete live.metadata.labels!.team;
    const fields = live.metadata.managedFields![0].fieldsV1 as Spec;
    delete fields['f:metadata']['f:labels']['f:team'];

    expect(summary(diffObjects(desiredShopWeb(), live))).toEqual([
      'missing-in-live metadata.labels.team',
    ]);
    expect(diffObjects(desiredShopWeb(), live).diffs[0].desired).toBe(
      'storefront',
    );
  });

  it('finds replicas scaled with kubectl scale, blaming the scale subresource manager', () => {
    const live = liveShopWeb();
    (live.spec as Spec).replicas = 5;
    live.metadata.managedFields!.push({
      ...kubectlEdit({ 'f:spec': { 'f:replicas': {} } }, 'kubectl'),
      subresource: 'scale',
    });

    expect(diffObjects(desiredShopWeb(), live).diffs).toEqual([
      {
        path: 'spec.replicas',
        type: 'changed',
        desired: 3,
        live: 5,
        manager: 'kubectl',
      },
    ]);
  });

  it('leaves replicas to an autoscaler that targets the Deployment (N19)', () => {
    const live = liveShopWeb();
    (live.spec as Spec).replicas = 7;
    expect(
      diffObjects(desiredShopWeb(), live, { scaledByAutoscaler: true }).diffs,
    ).toEqual([]);
  });

  it('finds a field removed from Git that our manager owns', () => {
    const desired = desiredShopWeb();
    delete containers(desired)[0].livenessProbe;
    delete (desired.metadata.labels as Spec).team;

    expect(diffObjects(desired, liveShopWeb()).diffs).toEqual([
      {
        path: 'metadata.labels.team',
        type: 'removed-from-git',
        live: 'storefront',
        manager: 'backstage-gitops',
      },
      {
        path: 'spec.template.spec.containers[name=web].livenessProbe',
        type: 'removed-from-git',
        live: {
          failureThreshold: 3,
          httpGet: { path: '/healthz/live', port: 'http', scheme: 'HTTP' },
          initialDelaySeconds: 10,
          periodSeconds: 10,
          successThreshold: 1,
          timeoutSeconds: 1,
        },
        manager: 'backstage-gitops',
      },
    ]);
  });

  it('keeps a field removed from Git that another manager also owns', () => {
    const desired = desiredShopWeb();
    delete (desired.metadata.labels as Spec).team;
    const live = liveShopWeb();
    live.metadata.managedFields!.push(
      kubectlEdit(
        { 'f:metadata': { 'f:labels': { 'f:team': {} } } },
        'kubectl-label',
      ),
    );
    expect(diffObjects(desired, live).diffs).toEqual([]);
  });

  it('finds a whole container removed from Git', () => {
    const desired = desiredShopWeb();
    containers(desired).pop();
    expect(summary(diffObjects(desired, liveShopWeb()))).toEqual([
      'removed-from-git spec.template.spec.containers[name=log-shipper]',
    ]);
  });

  it('finds a container added in Git and not applied yet', () => {
    const desired = desiredShopWeb();
    containers(desired).push({
      name: 'proxy',
      image: 'envoyproxy/envoy:v1.31.0',
    });
    const result = diffObjects(desired, liveShopWeb());
    expect(result.diffs).toEqual([
      {
        path: 'spec.template.spec.containers[name=proxy]',
        type: 'missing-in-live',
        desired: { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' },
      },
    ]);
  });

  it('blames nobody but our manager for a value changed in Git and not applied yet', () => {
    const desired = desiredShopWeb();
    containers(desired)[0].resources.limits.memory = '1Gi';
    expect(diffObjects(desired, liveShopWeb()).diffs).toEqual([
      {
        path: 'spec.template.spec.containers[name=web].resources.limits.memory',
        type: 'changed',
        desired: '1Gi',
        live: '512Mi',
        manager: 'backstage-gitops',
      },
    ]);
  });

  it('reports a missing live object at the root', () => {
    expect(diffObjects(desiredShopWeb(), undefined)).toEqual({
      modified: true,
      diffs: [{ path: '', type: 'missing-in-live' }],
      warnings: [],
    });
  });

  it('does not modify its inputs', () => {
    const desired = desiredShopWeb();
    const live = liveShopWeb();
    diffObjects(desired, live, { mode: 'strict', defaultNamespace: 'shop' });
    expect(desired).toEqual(desiredShopWeb());
    expect(live).toEqual(liveShopWeb());
  });

  it('names a duplicate env key in a warning and still compares (N14)', () => {
    const desired = desiredShopWeb();
    containers(desired)[0].env.push({ name: 'SHOP_ENV', value: 'staging' });
    const result = diffObjects(desired, liveShopWeb());
    expect(result.warnings).toEqual([
      'spec.template.spec.containers[name=web].env: duplicate entries for key [name=SHOP_ENV]; compared by position',
    ]);
    expect(summary(result)).toEqual([
      'changed spec.template.spec.containers[name=web].env',
    ]);
  });

  it('treats identical duplicate entries on both sides as in sync (N14)', () => {
    const desired = desiredShopWeb();
    const live = liveShopWeb();
    containers(desired)[0].env.push(
      { name: 'REPEATED', value: 'a' },
      { name: 'REPEATED', value: 'b' },
    );
    containers(live)[0].env.push(
      { name: 'REPEATED', value: 'a' },
      { name: 'REPEATED', value: 'b' },
    );
    const result = diffObjects(desired, live);
    expect(result.modified).toBe(false);
    expect(result.warnings).toHaveLength(1);
  });

  it('ignores paths the caller lists, with wildcards', () => {
    const live = liveShopWeb();
    containers(live)[0].image = 'other:1';
    containers(live)[1].image = 'other:2';
    const options: DiffOptions = {
      ignorePaths: ['spec.template.spec.containers[*].image'],
    };
    expect(diffObjects(desiredShopWeb(), live, options).diffs).toEqual([]);
    expect(
      summary(
        diffObjects(desiredShopWeb(), live, {
          ignorePaths: ['spec.template.spec.containers[name=web]'],
        }),
      ),
    ).toEqual([
      'changed spec.template.spec.containers[name=log-shipper].image',
    ]);
  });

  it('rejects an ignore path it cannot read', () => {
    expect(() =>
      diffObjects(desiredShopWeb(), liveShopWeb(), {
        ignorePaths: ['spec[name'],
      }),
    ).toThrow(EngineError);
  });

  it.each([
    ['a string', 'not an object'],
    ['an object without kind', { apiVersion: 'v1', metadata: {} }],
    ['an array', []],
  ])('rejects %s as desired with an EngineError', (_name, desired) => {
    expect(() =>
      diffObjects(desired as unknown as KubeObject, liveShopWeb()),
    ).toThrow(EngineError);
  });

  it('warns when live is read in another API version than Git declares (N17)', () => {
    const live = { ...liveShopWeb(), apiVersion: 'apps/v1beta2' };
    expect(diffObjects(desiredShopWeb(), live).warnings).toEqual([
      'live object is apps/v1beta2, Git declares apps/v1',
    ]);
  });

  it('compares a client-side applied object through its last-applied annotation', () => {
    const desired = desiredShopWeb();
    delete (desired.metadata.labels as Spec).team;
    const live = liveShopWeb();
    live.metadata.managedFields = live.metadata.managedFields!.filter(
      e => e.manager !== 'backstage-gitops',
    );
    live.metadata.annotations![
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = JSON.stringify(desiredShopWeb());
    expect(summary(diffObjects(desired, live))).toEqual([
      'removed-from-git metadata.labels.team',
    ]);
  });
});

const configMap = (
  data: Record<string, unknown>,
  metadata: Spec = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop', ...metadata },
  data,
});

const secret = (fields: Spec): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'shop-db', namespace: 'shop' },
  type: 'Opaque',
  ...fields,
});

const pod = (spec: Spec, metadata: Spec = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'shop', ...metadata },
  spec,
});

const service = (ports: Spec[], extra: Spec = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { ports, ...extra },
});

const widgetRegistry = SchemaRegistry.builtin().withKinds([
  {
    group: 'example.com',
    kind: 'Widget',
    namespaced: true,
    fields: { spec: struct({ interval: DURATION }) },
  },
]);

const widget = (spec: Spec, status?: Spec): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'shop' },
  spec,
  ...(status ? { status } : {}),
});

interface NormalizationCase {
  desired: KubeObject;
  live: KubeObject;
  options?: DiffOptions;
  drifts: string[];
}

const cases: Record<string, NormalizationCase> = {
  'N1 server metadata in desired is not compared': {
    desired: configMap(
      { a: '1' },
      {
        uid: 'x',
        resourceVersion: '1',
        generation: 9,
        creationTimestamp: null,
      },
    ),
    live: configMap(
      { a: '1' },
      {
        uid: '0b5f',
        resourceVersion: '42',
        creationTimestamp: '2026-01-01T00:00:00Z',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
    ),
    drifts: [],
  },
  'N2 status in desired is ignored': {
    desired: {
      ...pod({ containers: [{ name: 'a', image: 'a' }] }),
      status: { phase: 'Pending' },
    },
    live: {
      ...pod({ containers: [{ name: 'a', image: 'a' }] }),
      status: { phase: 'Running' },
    },
    drifts: [],
  },
  'N2 status compared when a custom resource opts in': {
    desired: widget({ size: 1 }, { phase: 'Ready' }),
    live: widget({ size: 1 }, { phase: 'Pending' }),
    options: { compareStatus: true, schema: widgetRegistry },
    drifts: ['changed status.phase'],
  },
  'N3 null in desired means absent': {
    desired: configMap(
      { a: '1', b: null },
      { annotations: null, labels: { team: null } },
    ),
    live: configMap({ a: '1', b: '2' }, { labels: { team: 'x' } }),
    drifts: [],
  },
  'N4 empty map in desired equals an absent one': {
    desired: configMap({}, { annotations: {} }),
    live: configMap({} as Spec),
    drifts: [],
  },
  'N4 resources: {} and empty strings, zeros and false omitted by the server': {
    desired: pod({
      hostNetwork: false,
      containers: [
        {
          name: 'a',
          image: 'a',
          resources: {},
          env: [{ name: 'EMPTY', value: '' }],
          ports: [],
        },
      ],
    }),
    live: pod({
      containers: [
        { name: 'a', image: 'a', resources: {}, env: [{ name: 'EMPTY' }] },
      ],
    }),
    drifts: [],
  },
  'N4 Role rules: [] equals absent': {
    desired: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'shop' },
      rules: [],
    },
    live: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'shop' },
    },
    drifts: [],
  },
  'N4 a non-empty value against an absent one is drift': {
    desired: configMap({ a: '1' }, { annotations: { owner: 'team-a' } }),
    live: configMap({ a: '1' }),
    drifts: ['missing-in-live metadata.annotations'],
  },
  'N5 stringData equals base64 data': {
    desired: secret({ stringData: { password: 's3cr3t', empty: null } }),
    live: secret({ data: { password: 'czNjcjN0', empty: '' } }),
    drifts: [],
  },
  'N5 a changed Secret value is drift': {
    desired: secret({ stringData: { password: 'hunter2' } }),
    live: secret({ data: { password: 'czNjcjN0' } }),
    drifts: ['changed data.password'],
  },
  'N6 container ports default to TCP before keying': {
    desired: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          ports: [{ containerPort: 8080, name: 'http' }],
        },
      ],
    }),
    live: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        },
      ],
    }),
    drifts: [],
  },
  'N6 Service ports are keyed by port and protocol': {
    desired: service([
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
      { name: 'dns-tcp', port: 53, targetPort: 5353 },
    ]),
    live: service([
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 5354 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
    ]),
    drifts: ['changed spec.ports[port=53,protocol=TCP].targetPort'],
  },
  'N7 quantities compare by value': {
    desired: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          resources: {
            requests: { cpu: '500m', memory: '1Gi' },
            limits: { cpu: 1, memory: '1000M' },
          },
        },
      ],
    }),
    live: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          resources: {
            requests: { cpu: '0.5', memory: '1024Mi' },
            limits: { cpu: '1000m', memory: '1G' },
          },
        },
      ],
    }),
    drifts: [],
  },
  'N7 a different quantity is drift': {
    desired: pod({
      containers: [
        { name: 'a', image: 'a', resources: { requests: { cpu: '250m' } } },
      ],
    }),
    live: pod({
      containers: [
        { name: 'a', image: 'a', resources: { requests: { cpu: '0.3' } } },
      ],
    }),
    drifts: ['changed spec.containers[name=a].resources.requests.cpu'],
  },
  'N7 PVC storage requests and emptyDir sizeLimit are quantities': {
    desired: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
      spec: { resources: { requests: { storage: '1Gi' } } },
    },
    live: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
      spec: {
        resources: { requests: { storage: '1024Mi' } },
        volumeMode: 'Filesystem',
      },
    },
    drifts: [],
  },
  'N8 an unknown kind has no quantities: compared as written': {
    desired: {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { cpu: '500m' },
    },
    live: {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { cpu: '0.5' },
    },
    drifts: ['changed spec.cpu'],
  },
  'N9 durations compare by value where the schema says so': {
    desired: widget({ interval: '60s' }),
    live: widget({ interval: '1m0s' }),
    options: { schema: widgetRegistry },
    drifts: [],
  },
  'N9 a different duration is drift': {
    desired: widget({ interval: '1m' }),
    live: widget({ interval: '2m' }),
    options: { schema: widgetRegistry },
    drifts: ['changed spec.interval'],
  },
  'N10 int and float compare by value, BigInt too': {
    desired: widget({ size: 1.0, big: 9007199254740993n, small: 3 }),
    live: widget({ size: 1, big: 9007199254740993n, small: 3n }),
    drifts: [],
  },
  'N11 a YAML 1.1 octal mode equals the decimal the server stores': {
    desired: pod({
      containers: [{ name: 'a', image: 'a' }],
      volumes: parse(
        '- name: config\n  configMap:\n    name: c\n    defaultMode: 0644\n',
        { version: '1.1' },
      ),
    }),
    live: pod({
      containers: [{ name: 'a', image: 'a' }],
      volumes: [{ name: 'config', configMap: { name: 'c', defaultMode: 420 } }],
    }),
    drifts: [],
  },
  'N12 int-or-string is never coerced': {
    desired: service([{ port: 80, targetPort: 8080 }]),
    live: service([{ port: 80, protocol: 'TCP', targetPort: '8080' }]),
    drifts: ['changed spec.ports[port=80,protocol=TCP].targetPort'],
  },
  'N13 env order does not matter (map list)': {
    desired: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
      ],
    }),
    live: pod({
      containers: [
        {
          name: 'a',
          image: 'a',
          env: [
            { name: 'Y', value: '2' },
            { name: 'X', value: '1' },
          ],
        },
      ],
    }),
    drifts: [],
  },
  'N13 args order matters (atomic list)': {
    desired: pod({
      containers: [{ name: 'a', image: 'a', args: ['--a', '--b'] }],
    }),
    live: pod({
      containers: [{ name: 'a', image: 'a', args: ['--b', '--a'] }],
    }),
    drifts: ['changed spec.containers[name=a].args'],
  },
  'N13 finalizers are a set': {
    desired: configMap({}, { finalizers: ['example.com/a', 'example.com/b'] }),
    live: configMap(
      {},
      { finalizers: ['example.com/b', 'example.com/a', 'kubernetes'] },
    ),
    drifts: [],
  },
  'N13 a missing set member is drift at the member': {
    desired: configMap({}, { finalizers: ['example.com/a', 'example.com/b'] }),
    live: configMap({}, { finalizers: ['example.com/a'] }),
    drifts: ['missing-in-live metadata.finalizers[="example.com/b"]'],
  },
  'N13 an atomic nodeSelector with a key added in live is drift': {
    desired: pod({
      containers: [{ name: 'a', image: 'a' }],
      nodeSelector: { disk: 'ssd' },
    }),
    live: pod({
      containers: [{ name: 'a', image: 'a' }],
      nodeSelector: { disk: 'ssd', zone: 'b' },
    }),
    drifts: ['changed spec.nodeSelector'],
  },
  'N15 the default namespace is filled in for namespaced kinds': {
    desired: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { a: '1' },
    },
    live: configMap({ a: '1' }, { namespace: 'other' }),
    options: { defaultNamespace: 'shop' },
    drifts: ['changed metadata.namespace'],
  },
  'N15 a namespace on a cluster-scoped object is dropped': {
    desired: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader', namespace: 'shop' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    },
    live: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    },
    options: { defaultNamespace: 'shop' },
    drifts: [],
  },
  'N16 the tracking label is the engine’s, not the user’s': {
    desired: configMap(
      {},
      { labels: { 'gitops.backstage.io/application': 'shop-staging' } },
    ),
    live: configMap(
      {},
      { labels: { 'gitops.backstage.io/application': 'shop-production' } },
    ),
    drifts: [],
  },
  'N18 rules of an aggregated ClusterRole belong to the aggregator': {
    desired: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'monitoring' },
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { 'rbac.example.com/aggregate': 'true' } },
        ],
      },
      rules: [],
    },
    live: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'monitoring' },
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { 'rbac.example.com/aggregate': 'true' } },
        ],
      },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    },
    drifts: [],
  },
  'N19 a webhook caBundle injected by cert-manager is not drift': {
    desired: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'shop' },
      webhooks: [
        {
          name: 'check.shop.example.com',
          clientConfig: {
            caBundle: 'Cg==',
            service: { name: 'wh', namespace: 'shop' },
          },
        },
      ],
    },
    live: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'shop' },
      webhooks: [
        {
          name: 'check.shop.example.com',
          clientConfig: {
            caBundle: 'LS0tLS1CRUdJTi==',
            service: { name: 'wh', namespace: 'shop', port: 443 },
          },
        },
      ],
    },
    drifts: [],
  },
  'N20 fields owned by an ignored manager are not drift': {
    desired: pod({
      containers: [
        { name: 'a', image: 'a', resources: { requests: { cpu: '100m' } } },
      ],
    }),
    live: pod(
      {
        containers: [
          { name: 'a', image: 'a', resources: { requests: { cpu: '250m' } } },
        ],
      },
      {
        managedFields: [
          {
            manager: 'vpa-recommender',
            operation: 'Update',
            fieldsV1: {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"a"}': {
                    'f:resources': { 'f:requests': { 'f:cpu': {} } },
                  },
                },
              },
            },
          },
        ],
      },
    ),
    options: { ignoreManagers: ['vpa-recommender'] },
    drifts: [],
  },
  'N21 HPA metrics repeated or without a type are dropped': {
    desired: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'AverageValue', averageValue: '0.5' },
            },
          },
        ],
      },
    },
    live: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'AverageValue', averageValue: '500m' },
            },
          },
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'AverageValue', averageValue: '500m' },
            },
          },
          { type: '' },
        ],
      },
    },
    drifts: [],
  },
  'N22 Endpoints subsets in another order are equal': {
    desired: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'legacy-db', namespace: 'shop' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
          ports: [{ port: 5432 }],
        },
        { addresses: [{ ip: '10.0.1.1' }], ports: [{ port: 5433 }] },
      ],
    },
    live: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'legacy-db', namespace: 'shop' },
      subsets: [
        {
          addresses: [{ ip: '10.0.1.1' }],
          ports: [{ port: 5433, protocol: 'TCP' }],
        },
        {
          addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    },
    drifts: [],
  },
  'N23 server-added fields inside volumeClaimTemplates are not drift': {
    desired: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '10Gi' } },
            },
          },
        ],
      },
    },
    live: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        volumeClaimTemplates: [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { creationTimestamp: null, name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '10240Mi' } },
              volumeMode: 'Filesystem',
            },
            status: { phase: 'Pending' },
          },
        ],
      },
    },
    drifts: [],
  },
};

describe('normalization rules', () => {
  it('prints integers past 2^53 as digits, so the result stays JSON', () => {
    const result = diffObjects(
      widget({ big: 9007199254740993n }),
      widget({ big: 9007199254740995n }),
    );
    expect(JSON.parse(JSON.stringify(result)).diffs[0]).toMatchObject({
      desired: '9007199254740993',
      live: '9007199254740995',
    });
  });

  it.each(Object.entries(cases))(
    '%s',
    (_rule, { desired, live, options, drifts }) => {
      const result = diffObjects(desired, live, options);
      expect(summary(result)).toEqual(drifts);
      expect(result.modified).toBe(drifts.length > 0);
    },
  );

  it.each([
    ['generateName', { generateName: 'migrate-' }, 'generateName'],
    [
      'a Helm hook',
      { name: 'migrate', annotations: { 'helm.sh/hook': 'pre-upgrade' } },
      'hook annotation helm.sh/hook',
    ],
    [
      'an Argo CD hook',
      { name: 'smoke', annotations: { 'argocd.argoproj.io/hook': 'PostSync' } },
      'hook annotation argocd.argoproj.io/hook',
    ],
  ])('N24 skips objects with %s', (_name, metadata, skipped) => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata,
      spec: { template: {} },
    };
    expect(diffObjects(job, undefined)).toEqual({
      modified: false,
      diffs: [],
      warnings: [],
      skipped,
    });
  });
});

describe('Secret values', () => {
  const value = 'correct-horse-battery-staple';
  const encoded = Buffer.from(value).toString('base64');
  const liveValue = 'Tr0ub4dor&3';

  it.each<[string, KubeObject, KubeObject | undefined, DiffOptions]>([
    [
      'changed through stringData',
      secret({ stringData: { password: value } }),
      secret({ data: { password: Buffer.from(liveValue).toString('base64') } }),
      {},
    ],
    [
      'changed through data',
      secret({ data: { password: encoded } }),
      secret({ data: { password: Buffer.from(liveValue).toString('base64') } }),
      {},
    ],
    [
      'missing in live',
      secret({ data: { password: encoded } }),
      secret({}),
      {},
    ],
    [
      'removed from Git',
      secret({ data: {} }),
      {
        ...secret({
          data: { password: Buffer.from(liveValue).toString('base64') },
        }),
        metadata: {
          name: 'shop-db',
          namespace: 'shop',
          managedFields: [
            {
              manager: 'backstage-gitops',
              operation: 'Apply',
              fieldsV1: { 'f:data': { 'f:password': {} } },
            },
          ],
        },
      },
      {},
    ],
    [
      'added by kubectl edit',
      secret({ data: { password: encoded } }),
      {
        ...secret({
          data: {
            password: encoded,
            token: Buffer.from(liveValue).toString('base64'),
          },
        }),
        metadata: {
          name: 'shop-db',
          namespace: 'shop',
          managedFields: [
            {
              manager: 'kubectl-edit',
              operation: 'Update',
              fieldsV1: { 'f:data': { 'f:token': {} } },
            },
          ],
        },
      },
      { mode: 'strict' },
    ],
  ])('never appear in a drift when %s', (_name, desired, live, options) => {
    const result = diffObjects(desired, live, options);
    expect(result.modified).toBe(true);
    const json = JSON.stringify(result);
    for (const secretText of [
      value,
      encoded,
      liveValue,
      Buffer.from(liveValue).toString('base64'),
    ]) {
      expect(json).not.toContain(secretText);
    }
    expect(
      result.diffs.every(
        drift => drift.sensitive && !('desired' in drift) && !('live' in drift),
      ),
    ).toBe(true);
  });

  it('compares base64 by bytes, not by text', () => {
    const wrapped = `${encoded.slice(0, 8)}\n${encoded.slice(8)}`;
    expect(
      diffObjects(
        secret({ data: { password: wrapped } }),
        secret({ data: { password: encoded } }),
      ).modified,
    ).toBe(false);
  });
});

describe('custom resources', () => {
  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Gadget', plural: 'gadgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    cpu: {
                      anyOf: [{ type: 'integer' }, { type: 'string' }],
                      pattern:
                        '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
                      'x-kubernetes-int-or-string': true,
                    },
                    targets: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          name: { type: 'string' },
                          weight: { type: 'integer' },
                        },
                      },
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['name'],
                    },
                    steps: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  const gadget = (spec: Spec, metadata: Spec = {}): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Gadget',
    metadata: { name: 'g', ...metadata },
    spec,
  });

  it('compares an unknown kind generically: lists whole and ordered', () => {
    const result = diffObjects(
      gadget({
        targets: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 2 },
        ],
      }),
      gadget({
        targets: [
          { name: 'b', weight: 2 },
          { name: 'a', weight: 1 },
        ],
      }),
    );
    expect(summary(result)).toEqual(['changed spec.targets']);
  });

  it('uses the CRD schema once registered: list keys, quantities and scope', () => {
    const schema = SchemaRegistry.builtin().withCustomResourceDefinitions([
      crd,
    ]);
    const result = diffObjects(
      gadget({
        cpu: '500m',
        targets: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 3 },
        ],
        steps: ['x', 'y'],
      }),
      gadget(
        {
          cpu: '0.5',
          targets: [
            { name: 'b', weight: 2 },
            { name: 'a', weight: 1 },
          ],
          steps: ['y', 'x'],
        },
        { namespace: 'shop' },
      ),
      { schema, defaultNamespace: 'shop' },
    );
    expect(summary(result)).toEqual([
      'changed spec.targets[name=b].weight',
      'changed spec.steps',
    ]);
  });
});
