import {
  DEPLOYMENT_REVISION_ANNOTATION,
  LAST_APPLIED_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  TRACKING_LABEL,
} from '../normalize/trackingMetadata';
import type { SchemaNode } from './SchemaNode';
import { GENERIC_NODE } from './SchemaNode';
import {
  IGNORED,
  INT_OR_STRING,
  QUANTITY,
  QUANTITY_MAP,
  atomicList,
  mapList,
  mapOf,
  schemaNode,
  setList,
  struct,
} from './schemaBuilders';

/** One kind the engine knows without asking a cluster. `spec` holds every top-level field but metadata. */
export interface BuiltinKind {
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly fields: Readonly<Record<string, SchemaNode>>;
}

// Markers below follow the `+listType`, `+listMapKey`, `+mapType` and `+structType` comments of
// k8s.io/api; anything not listed is atomic (lists) or granular (maps), as server-side apply treats it.

const TCP = { protocol: 'TCP' };

/** `metadata` inside templates: labels and annotations merge key by key. */
const TEMPLATE_METADATA = struct({
  annotations: mapOf(GENERIC_NODE, {
    fields: {
      [RESTARTED_AT_ANNOTATION]: schemaNode({ foreignWritesExpected: true }),
    },
  }),
  finalizers: setList(),
  creationTimestamp: IGNORED,
});

/** Top-level `metadata`: server-populated fields and engine-owned tracking are never compared (N1, N16). */
export const OBJECT_METADATA = struct({
  labels: mapOf(GENERIC_NODE, { fields: { [TRACKING_LABEL]: IGNORED } }),
  annotations: mapOf(GENERIC_NODE, {
    fields: {
      [LAST_APPLIED_ANNOTATION]: IGNORED,
      [DEPLOYMENT_REVISION_ANNOTATION]: IGNORED,
    },
  }),
  finalizers: setList(),
  ownerReferences: mapList(['uid']),
  uid: IGNORED,
  resourceVersion: IGNORED,
  generation: IGNORED,
  creationTimestamp: IGNORED,
  deletionTimestamp: IGNORED,
  deletionGracePeriodSeconds: IGNORED,
  selfLink: IGNORED,
  managedFields: IGNORED,
});

/** `status` when a caller opts in to comparing it: conditions merge by type. */
export const OBJECT_STATUS = struct({ conditions: mapList(['type']) });

const RESOURCE_FIELD_REF = struct({ divisor: QUANTITY }, { mapType: 'atomic' });

const RESOURCE_REQUIREMENTS = struct({
  limits: QUANTITY_MAP,
  requests: QUANTITY_MAP,
  claims: mapList(['name']),
});

const PORT_ACTIONS = {
  httpGet: struct({ port: INT_OR_STRING }),
  tcpSocket: struct({ port: INT_OR_STRING }),
};
const PROBE = struct(PORT_ACTIONS);
const LIFECYCLE = struct({ postStart: PROBE, preStop: PROBE });

const CONTAINER = struct({
  ports: mapList(['containerPort', 'protocol'], GENERIC_NODE, TCP),
  env: mapList(
    ['name'],
    struct({
      valueFrom: struct({
        resourceFieldRef: RESOURCE_FIELD_REF,
        configMapKeyRef: struct({}, { mapType: 'atomic' }),
        secretKeyRef: struct({}, { mapType: 'atomic' }),
        fieldRef: struct({}, { mapType: 'atomic' }),
      }),
    }),
  ),
  volumeMounts: mapList(['mountPath'], struct({ bindMountOptions: setList() })),
  volumeDevices: mapList(['devicePath']),
  resources: RESOURCE_REQUIREMENTS,
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  lifecycle: LIFECYCLE,
});

const DOWNWARD_API_ITEMS = atomicList(
  struct({ resourceFieldRef: RESOURCE_FIELD_REF }),
);

const PVC_SPEC = struct({
  resources: struct({ limits: QUANTITY_MAP, requests: QUANTITY_MAP }),
});

const VOLUME = struct({
  emptyDir: struct({ sizeLimit: QUANTITY }),
  downwardAPI: struct({ items: DOWNWARD_API_ITEMS }),
  projected: struct({
    sources: atomicList(
      struct({ downwardAPI: struct({ items: DOWNWARD_API_ITEMS }) }),
    ),
  }),
  ephemeral: struct({ volumeClaimTemplate: struct({ spec: PVC_SPEC }) }),
});

export const POD_SPEC = struct({
  containers: mapList(['name'], CONTAINER),
  initContainers: mapList(['name'], CONTAINER),
  ephemeralContainers: mapList(['name'], CONTAINER),
  volumes: mapList(['name'], VOLUME),
  imagePullSecrets: mapList(['name']),
  hostAliases: mapList(['ip']),
  topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: mapList(['name']),
  resourceClaims: mapList(['name']),
  nodeSelector: mapOf(GENERIC_NODE, { mapType: 'atomic' }),
  overhead: QUANTITY_MAP,
  resources: RESOURCE_REQUIREMENTS,
});

export const POD_TEMPLATE = struct({
  metadata: TEMPLATE_METADATA,
  spec: POD_SPEC,
});

const LABEL_SELECTOR = struct({}, { mapType: 'atomic' });

const JOB_SPEC = struct({ template: POD_TEMPLATE, selector: LABEL_SELECTOR });

/** N23: the API server adds `apiVersion`, `kind` and `status` inside volumeClaimTemplates. */
const VOLUME_CLAIM_TEMPLATE = struct({
  apiVersion: IGNORED,
  kind: IGNORED,
  status: IGNORED,
  metadata: TEMPLATE_METADATA,
  spec: PVC_SPEC,
});

const ROLLING_UPDATE = struct({
  maxSurge: INT_OR_STRING,
  maxUnavailable: INT_OR_STRING,
});

const METRIC_TARGET = struct({ value: QUANTITY, averageValue: QUANTITY });
const METRIC_SPEC = struct({
  resource: struct({ target: METRIC_TARGET, targetAverageValue: QUANTITY }),
  containerResource: struct({
    target: METRIC_TARGET,
    targetAverageValue: QUANTITY,
  }),
  pods: struct({ target: METRIC_TARGET, targetAverageValue: QUANTITY }),
  object: struct({
    target: METRIC_TARGET,
    targetValue: QUANTITY,
    averageValue: QUANTITY,
  }),
  external: struct({
    target: METRIC_TARGET,
    targetValue: QUANTITY,
    targetAverageValue: QUANTITY,
  }),
});
const HPA_SCALING_RULES = struct({ tolerance: QUANTITY });

const WEBHOOKS = mapList(
  ['name'],
  struct({ clientConfig: struct({ caBundle: IGNORED }) }),
);

const LIMIT_RANGE_ITEM = struct({
  max: QUANTITY_MAP,
  min: QUANTITY_MAP,
  default: QUANTITY_MAP,
  defaultRequest: QUANTITY_MAP,
  maxLimitRequestRatio: QUANTITY_MAP,
});

/** Secret values: compared, never shown (N5). */
const SECRET_DATA = mapOf(schemaNode({ sensitive: true }), { sensitive: true });

const ENDPOINT_SUBSET = struct({
  addresses: atomicList(GENERIC_NODE, { unordered: true }),
  notReadyAddresses: atomicList(GENERIC_NODE, { unordered: true }),
  ports: atomicList(GENERIC_NODE, { unordered: true }),
});

function kind(
  group: string,
  name: string,
  namespaced: boolean,
  fields: Record<string, SchemaNode> = {},
): BuiltinKind {
  return Object.freeze({
    group,
    kind: name,
    namespaced,
    fields: Object.freeze(fields),
  });
}

export const BUILTIN_KINDS: readonly BuiltinKind[] = Object.freeze([
  // core
  kind('', 'Pod', true, { spec: POD_SPEC }),
  kind('', 'PodTemplate', true, { template: POD_TEMPLATE }),
  kind('', 'ReplicationController', true, {
    spec: struct({
      template: POD_TEMPLATE,
      selector: mapOf(GENERIC_NODE, { mapType: 'atomic' }),
    }),
  }),
  kind('', 'Service', true, {
    spec: struct({
      ports: mapList(
        ['port', 'protocol'],
        struct({ targetPort: INT_OR_STRING }),
        TCP,
      ),
      selector: mapOf(GENERIC_NODE, { mapType: 'atomic' }),
    }),
  }),
  kind('', 'Endpoints', true, {
    subsets: atomicList(ENDPOINT_SUBSET, { unordered: true }),
  }),
  kind('', 'ConfigMap', true),
  kind('', 'Secret', true, { data: SECRET_DATA, stringData: SECRET_DATA }),
  kind('', 'ServiceAccount', true, {
    secrets: mapList(['name']),
  }),
  kind('', 'PersistentVolumeClaim', true, { spec: PVC_SPEC }),
  kind('', 'PersistentVolume', false, {
    spec: struct({ capacity: QUANTITY_MAP }),
  }),
  kind('', 'Namespace', false),
  kind('', 'Node', false, { spec: struct({ podCIDRs: setList() }) }),
  kind('', 'LimitRange', true, {
    spec: struct({ limits: atomicList(LIMIT_RANGE_ITEM) }),
  }),
  kind('', 'ResourceQuota', true, { spec: struct({ hard: QUANTITY_MAP }) }),
  kind('', 'Event', true),
  // apps
  kind('apps', 'Deployment', true, {
    spec: struct({
      template: POD_TEMPLATE,
      selector: LABEL_SELECTOR,
      strategy: struct({ rollingUpdate: ROLLING_UPDATE }),
    }),
  }),
  kind('apps', 'StatefulSet', true, {
    spec: struct({
      template: POD_TEMPLATE,
      selector: LABEL_SELECTOR,
      volumeClaimTemplates: atomicList(VOLUME_CLAIM_TEMPLATE),
      updateStrategy: struct({ rollingUpdate: ROLLING_UPDATE }),
    }),
  }),
  kind('apps', 'DaemonSet', true, {
    spec: struct({
      template: POD_TEMPLATE,
      selector: LABEL_SELECTOR,
      updateStrategy: struct({ rollingUpdate: ROLLING_UPDATE }),
    }),
  }),
  kind('apps', 'ReplicaSet', true, {
    spec: struct({ template: POD_TEMPLATE, selector: LABEL_SELECTOR }),
  }),
  kind('apps', 'ControllerRevision', true),
  // batch
  kind('batch', 'Job', true, { spec: JOB_SPEC }),
  kind('batch', 'CronJob', true, {
    spec: struct({
      jobTemplate: struct({ metadata: TEMPLATE_METADATA, spec: JOB_SPEC }),
    }),
  }),
  // networking
  kind('networking.k8s.io', 'Ingress', true),
  kind('networking.k8s.io', 'IngressClass', false),
  kind('networking.k8s.io', 'NetworkPolicy', true),
  // autoscaling (v1 and v2 fields do not collide, so one table serves both)
  kind('autoscaling', 'HorizontalPodAutoscaler', true, {
    spec: struct({
      metrics: atomicList(METRIC_SPEC, { dedupe: true }),
      behavior: struct({
        scaleUp: HPA_SCALING_RULES,
        scaleDown: HPA_SCALING_RULES,
      }),
    }),
  }),
  // policy
  kind('policy', 'PodDisruptionBudget', true, {
    spec: struct({
      minAvailable: INT_OR_STRING,
      maxUnavailable: INT_OR_STRING,
      selector: LABEL_SELECTOR,
    }),
  }),
  // rbac
  kind('rbac.authorization.k8s.io', 'Role', true),
  kind('rbac.authorization.k8s.io', 'ClusterRole', false),
  kind('rbac.authorization.k8s.io', 'RoleBinding', true, {
    roleRef: struct({}, { mapType: 'atomic' }),
  }),
  kind('rbac.authorization.k8s.io', 'ClusterRoleBinding', false, {
    roleRef: struct({}, { mapType: 'atomic' }),
  }),
  // extension APIs
  kind('apiextensions.k8s.io', 'CustomResourceDefinition', false, {
    spec: struct({
      conversion: struct({
        webhook: struct({ clientConfig: struct({ caBundle: IGNORED }) }),
      }),
    }),
  }),
  kind('apiregistration.k8s.io', 'APIService', false, {
    spec: struct({ caBundle: IGNORED }),
  }),
  kind('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', false, {
    webhooks: WEBHOOKS,
  }),
  kind(
    'admissionregistration.k8s.io',
    'ValidatingWebhookConfiguration',
    false,
    { webhooks: WEBHOOKS },
  ),
  kind('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', false, {
    spec: struct({ variables: mapList(['name']) }),
  }),
  kind(
    'admissionregistration.k8s.io',
    'ValidatingAdmissionPolicyBinding',
    false,
    {
      spec: struct({ validationActions: setList() }),
    },
  ),
  // storage, scheduling, discovery
  kind('storage.k8s.io', 'StorageClass', false),
  kind('storage.k8s.io', 'CSIDriver', false, {
    spec: struct({ volumeLifecycleModes: setList() }),
  }),
  kind('scheduling.k8s.io', 'PriorityClass', false),
  kind('discovery.k8s.io', 'EndpointSlice', true),
  kind('coordination.k8s.io', 'Lease', true),
]);
