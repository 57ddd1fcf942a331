import { liveShopWeb } from '../diff/__fixtures__/shopWeb';
import { EngineError } from '../errors';
import { compactLiveObject } from '../live/compactLiveObject';
import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { aggregateHealth } from './aggregateHealth';
import { assessHealth } from './assessHealth';

type Spec = Record<string, any>;

function withDeployment(
  generation: number,
  spec: Spec,
  status: Spec,
): KubeObject {
  const live = liveShopWeb();
  live.metadata.generation = generation;
  Object.assign(live.spec as Spec, spec);
  live.status = status;
  return live;
}

const progressingCondition = (
  reason: string,
  status = 'True',
  message = '',
) => ({
  type: 'Progressing',
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-21T15:40:02Z',
  lastUpdateTime: '2026-11-21T15:40:02Z',
});

const deployments: [string, KubeObject, HealthResult][] = [
  [
    'a rolled-out Deployment',
    liveShopWeb(),
    { status: 'Healthy', message: '3 of 3 replicas available' },
  ],
  [
    'a Deployment whose new pods are not available yet',
    withDeployment(
      5,
      {},
      {
        observedGeneration: 5,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 1,
        availableReplicas: 1,
        unavailableReplicas: 2,
        conditions: [progressingCondition('ReplicaSetUpdated')],
      },
    ),
    {
      status: 'Progressing',
      message: 'Waiting for rollout: 1 of 3 updated replicas are available',
    },
  ],
  [
    'a Deployment half-way through replacing pods',
    withDeployment(
      5,
      {},
      {
        observedGeneration: 5,
        replicas: 4,
        updatedReplicas: 2,
        availableReplicas: 3,
        conditions: [progressingCondition('ReplicaSetUpdated')],
      },
    ),
    {
      status: 'Progressing',
      message: 'Waiting for rollout: 2 of 3 replicas are updated',
    },
  ],
  [
    'a Deployment with old pods terminating',
    withDeployment(
      5,
      {},
      {
        observedGeneration: 5,
        replicas: 4,
        updatedReplicas: 3,
        availableReplicas: 3,
      },
    ),
    {
      status: 'Progressing',
      message: 'Waiting for rollout: 1 old replicas are pending termination',
    },
  ],
  [
    'a Deployment the controller has not seen yet',
    withDeployment(
      6,
      {},
      {
        observedGeneration: 5,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 3,
      },
    ),
    {
      status: 'Progressing',
      message: 'Waiting for the controller to observe generation 6',
    },
  ],
  [
    'a Deployment past its progress deadline',
    withDeployment(
      5,
      {},
      {
        observedGeneration: 5,
        replicas: 4,
        updatedReplicas: 1,
        availableReplicas: 3,
        conditions: [
          progressingCondition(
            'ProgressDeadlineExceeded',
            'False',
            'ReplicaSet "shop-web-6b7f9c5d48" has timed out progressing.',
          ),
        ],
      },
    ),
    {
      status: 'Degraded',
      message: 'Deployment "shop-web" exceeded its progress deadline',
    },
  ],
  [
    'a paused Deployment',
    withDeployment(
      5,
      { paused: true },
      { observedGeneration: 5, replicas: 3, updatedReplicas: 1 },
    ),
    { status: 'Suspended', message: 'Deployment is paused' },
  ],
];

const statefulSet = (spec: Spec, status: Spec, generation = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'shop', generation },
  spec: {
    replicas: 3,
    serviceName: 'db',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...spec,
  },
  status: { observedGeneration: 2, replicas: 3, ...status },
});

const workloads: [string, KubeObject, HealthResult][] = [
  [
    'a StatefulSet with all pods ready on the update revision',
    statefulSet(
      {},
      {
        readyReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'db-7d9',
        updateRevision: 'db-7d9',
      },
    ),
    { status: 'Healthy', message: '3 of 3 pods ready' },
  ],
  [
    'a StatefulSet waiting for pods',
    statefulSet(
      {},
      { readyReplicas: 1, currentRevision: 'db-7d9', updateRevision: 'db-7d9' },
    ),
    { status: 'Progressing', message: 'Waiting for pods: 1 of 3 are ready' },
  ],
  [
    'a StatefulSet rolling to a new revision',
    statefulSet(
      {},
      {
        readyReplicas: 3,
        updatedReplicas: 1,
        currentRevision: 'db-7d9',
        updateRevision: 'db-5c4',
      },
    ),
    {
      status: 'Progressing',
      message: 'Waiting for rolling update: 1 of 3 pods are updated',
    },
  ],
  [
    'a StatefulSet with a partitioned rollout done',
    statefulSet(
      {
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { partition: 2 },
        },
      },
      {
        readyReplicas: 3,
        updatedReplicas: 1,
        currentRevision: 'db-7d9',
        updateRevision: 'db-5c4',
      },
    ),
    {
      status: 'Healthy',
      message: 'Partitioned rollout complete: 1 pods updated',
    },
  ],
  [
    'a StatefulSet never observed',
    statefulSet({}, { observedGeneration: undefined }, 1),
    {
      status: 'Progressing',
      message: 'Waiting for the controller to observe generation 1',
    },
  ],
  [
    'a DaemonSet on every node',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'node-exporter',
        namespace: 'monitoring',
        generation: 3,
      },
      spec: { updateStrategy: { type: 'RollingUpdate' } },
      status: {
        observedGeneration: 3,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 4,
        numberAvailable: 4,
        numberReady: 4,
      },
    },
    { status: 'Healthy', message: '4 of 4 pods available' },
  ],
  [
    'a DaemonSet rolling out',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'node-exporter',
        namespace: 'monitoring',
        generation: 3,
      },
      spec: { updateStrategy: { type: 'RollingUpdate' } },
      status: {
        observedGeneration: 3,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 2,
        numberAvailable: 3,
      },
    },
    {
      status: 'Progressing',
      message: 'Waiting for rollout: 2 of 4 nodes run the updated pod',
    },
  ],
  [
    'a ReplicaSet that cannot create pods',
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'shop-web-7c9d5f8b6d',
        namespace: 'shop',
        generation: 1,
      },
      spec: { replicas: 3 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        availableReplicas: 1,
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message:
              'pods "shop-web-7c9d5f8b6d-x" is forbidden: exceeded quota: compute',
          },
        ],
      },
    },
    {
      status: 'Degraded',
      message:
        'FailedCreate: pods "shop-web-7c9d5f8b6d-x" is forbidden: exceeded quota: compute',
    },
  ],
];

const pod = (status: Spec, spec: Spec = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shop-web-7c9d5f8b6d-4xk2p', namespace: 'shop' },
  spec: {
    restartPolicy: 'Always',
    containers: [{ name: 'web', image: 'web:1' }],
    ...spec,
  },
  status,
});

const running = (ready: boolean, lastState: Spec = {}) => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [
    {
      name: 'web',
      ready,
      restartCount: lastState.terminated ? 1 : 0,
      state: { running: {} },
      lastState,
    },
  ],
});

const pods: [string, KubeObject, HealthResult][] = [
  [
    'a running, ready Pod',
    pod(running(true)),
    { status: 'Healthy', message: 'Pod is running and ready' },
  ],
  [
    'a Pod starting up',
    pod(running(false)),
    {
      status: 'Progressing',
      message: 'Waiting for containers to become ready',
    },
  ],
  [
    'a Pod that restarted and is not ready',
    pod(running(false, { terminated: { reason: 'OOMKilled', exitCode: 137 } })),
    {
      status: 'Degraded',
      message: 'Container web restarted: OOMKilled (exit code 137)',
    },
  ],
  [
    'a Pod in CrashLoopBackOff',
    pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          ready: false,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: 'back-off 5m0s restarting failed container',
            },
          },
        },
      ],
    }),
    {
      status: 'Degraded',
      message:
        'Container web is CrashLoopBackOff: back-off 5m0s restarting failed container',
    },
  ],
  [
    'a Pod that cannot pull its image',
    pod({
      phase: 'Pending',
      containerStatuses: [
        { name: 'web', state: { waiting: { reason: 'ImagePullBackOff' } } },
      ],
    }),
    { status: 'Degraded', message: 'Container web is ImagePullBackOff' },
  ],
  [
    'an unscheduled Pod',
    pod({ phase: 'Pending' }),
    { status: 'Progressing', message: 'Pod is pending' },
  ],
  [
    'a finished Job Pod',
    pod({ phase: 'Succeeded' }, { restartPolicy: 'Never' }),
    { status: 'Healthy', message: 'Pod completed' },
  ],
  [
    'a failed Job Pod',
    pod(
      {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'web',
            state: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      },
      { restartPolicy: 'Never' },
    ),
    { status: 'Degraded', message: 'Container web failed: Error' },
  ],
  [
    'a running Job Pod',
    pod(running(false), { restartPolicy: 'OnFailure' }),
    { status: 'Progressing', message: 'Pod is running' },
  ],
];

const job = (status: Spec, spec: Spec = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'shop' },
  spec: { backoffLimit: 6, ...spec },
  status,
});

const cronJob = (spec: Spec, status: Spec): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly-report', namespace: 'shop' },
  spec: { schedule: '0 3 * * *', ...spec },
  status,
});

const jobs: [string, KubeObject, HealthResult][] = [
  [
    'a completed Job',
    job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
    { status: 'Healthy', message: 'Job completed' },
  ],
  [
    'a Job out of retries',
    job({
      failed: 7,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ],
    }),
    {
      status: 'Degraded',
      message:
        'BackoffLimitExceeded: Job has reached the specified backoff limit',
    },
  ],
  [
    'a suspended Job',
    job(
      {
        conditions: [
          { type: 'Suspended', status: 'True', message: 'Job suspended' },
        ],
      },
      { suspend: true },
    ),
    { status: 'Suspended', message: 'Job suspended' },
  ],
  [
    'a running Job',
    job({ active: 1 }),
    { status: 'Progressing', message: 'Job is running (1 active pods)' },
  ],
  [
    'a suspended CronJob',
    cronJob({ suspend: true }, {}),
    { status: 'Suspended', message: 'CronJob is suspended' },
  ],
  [
    'a CronJob whose last run failed',
    cronJob(
      {},
      {
        lastScheduleTime: '2026-11-22T03:00:00Z',
        lastSuccessfulTime: '2026-11-21T03:01:12Z',
      },
    ),
    {
      status: 'Degraded',
      message: 'The job scheduled at 2026-11-22T03:00:00Z did not succeed',
    },
  ],
  [
    'a CronJob whose last run succeeded',
    cronJob(
      {},
      {
        lastScheduleTime: '2026-11-22T03:00:00Z',
        lastSuccessfulTime: '2026-11-22T03:01:09Z',
      },
    ),
    {
      status: 'Healthy',
      message: 'Last job succeeded at 2026-11-22T03:01:09Z',
    },
  ],
  [
    'a CronJob with a job running',
    cronJob(
      {},
      {
        active: [{ kind: 'Job', name: 'nightly-report-29123' }],
        lastScheduleTime: '2026-11-22T03:00:00Z',
      },
    ),
    { status: 'Healthy', message: '1 job(s) running' },
  ],
];

const hpaV2 = (conditions: Spec[]): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'shop-web', namespace: 'shop' },
  spec: {
    minReplicas: 2,
    maxReplicas: 10,
    scaleTargetRef: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'shop-web',
    },
  },
  status: { currentReplicas: 3, desiredReplicas: 3, conditions },
});

const others: [string, KubeObject, HealthResult | undefined][] = [
  [
    'a bound PVC',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Bound' },
    },
    { status: 'Healthy', message: 'Claim is bound' },
  ],
  [
    'a pending PVC',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Pending' },
    },
    { status: 'Progressing', message: 'Waiting for the claim to be bound' },
  ],
  [
    'a lost PVC',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Lost' },
    },
    { status: 'Degraded', message: 'Claim lost its volume' },
  ],
  [
    'a LoadBalancer Service without an address',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: {} },
    },
    {
      status: 'Progressing',
      message: 'Waiting for the load balancer to get an address',
    },
  ],
  [
    'a LoadBalancer Service with an address',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer' },
      status: {
        loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] },
      },
    },
    { status: 'Healthy' },
  ],
  [
    'a ClusterIP Service',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'ClusterIP' },
      status: { loadBalancer: {} },
    },
    { status: 'Healthy' },
  ],
  [
    'an Ingress with an address',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web' },
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
    },
    { status: 'Healthy' },
  ],
  [
    'an Ingress not picked up yet',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web' },
      status: { loadBalancer: {} },
    },
    {
      status: 'Progressing',
      message: 'Waiting for the ingress controller to assign an address',
    },
  ],
  [
    'a working v2 HPA',
    hpaV2([
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'ReadyForNewScale',
        message: 'recommended size matches current size',
      },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
    ]),
    { status: 'Healthy', message: 'recommended size matches current size' },
  ],
  [
    'a v2 HPA without metrics',
    hpaV2([
      { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
      {
        type: 'ScalingActive',
        status: 'False',
        reason: 'FailedGetResourceMetric',
        message:
          'the HPA was unable to compute the replica count: failed to get cpu utilization',
      },
    ]),
    {
      status: 'Degraded',
      message:
        'FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization',
    },
  ],
  [
    'a v1 HPA reporting through its annotation',
    {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: {
        name: 'shop-web',
        annotations: {
          'autoscaling.alpha.kubernetes.io/conditions':
            '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-11-20T09:00:00Z","reason":"SucceededGetScale","message":"the HPA controller was able to get the target\'s current scale"}]',
        },
      },
      spec: { maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
      status: { currentReplicas: 3, desiredReplicas: 3 },
    },
    {
      status: 'Healthy',
      message: "the HPA controller was able to get the target's current scale",
    },
  ],
  [
    'a new HPA',
    hpaV2([]),
    { status: 'Progressing', message: 'Waiting to autoscale' },
  ],
  [
    'an available APIService',
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      status: {
        conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }],
      },
    },
    { status: 'Healthy' },
  ],
  [
    'an APIService whose backend is down',
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      status: {
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MissingEndpoints',
            message:
              'endpoints for service/metrics-server in "kube-system" have no addresses',
          },
        ],
      },
    },
    {
      status: 'Degraded',
      message:
        'MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses',
    },
  ],
  [
    'a terminating Namespace',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'old' },
      status: { phase: 'Terminating' },
    },
    { status: 'Progressing', message: 'Namespace is terminating' },
  ],
  [
    'an active Namespace',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
      status: { phase: 'Active' },
    },
    { status: 'Healthy' },
  ],
  [
    'any object being deleted',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        deletionTimestamp: '2026-11-22T10:00:00Z',
        finalizers: ['example.com/x'],
      },
    },
    { status: 'Progressing', message: 'Pending deletion' },
  ],
  [
    'a ConfigMap (no health)',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: '1' },
    },
    undefined,
  ],
];

const kustomization = (generation: number, status: Spec): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system', generation },
  spec: { interval: '10m', path: './apps', prune: true },
  status,
});

const customResources: [string, KubeObject, HealthResult | undefined][] = [
  [
    'a ready custom resource',
    kustomization(3, {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: 'Applied revision: main@sha1:4e1f',
        },
      ],
    }),
    { status: 'Healthy', message: 'Applied revision: main@sha1:4e1f' },
  ],
  [
    'a custom resource that failed',
    kustomization(3, {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'BuildFailed',
          message: 'kustomize build failed',
        },
      ],
    }),
    { status: 'Degraded', message: 'BuildFailed: kustomize build failed' },
  ],
  [
    'a custom resource reconciling',
    kustomization(3, {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'Progressing',
          message: 'Building manifests',
        },
        { type: 'Ready', status: 'Unknown', reason: 'Progressing' },
      ],
    }),
    { status: 'Progressing', message: 'Progressing: Building manifests' },
  ],
  [
    'a stalled custom resource',
    kustomization(3, {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Stalled',
          status: 'True',
          reason: 'InvalidPath',
          message: 'path ./apps not found',
        },
      ],
    }),
    { status: 'Degraded', message: 'InvalidPath: path ./apps not found' },
  ],
  [
    'a custom resource its controller has not seen',
    kustomization(4, {
      observedGeneration: 3,
      conditions: [{ type: 'Ready', status: 'True' }],
    }),
    {
      status: 'Progressing',
      message: 'Waiting for the controller to observe generation 4',
    },
  ],
  [
    'a custom resource without status',
    kustomization(1, undefined as unknown as Spec),
    undefined,
  ],
];

describe('assessHealth', () => {
  it.each([
    ...deployments,
    ...workloads,
    ...pods,
    ...jobs,
    ...others,
    ...customResources,
  ])('%s', (_name, obj, expected) => {
    expect(assessHealth(obj)).toEqual(expected);
  });

  it.each([
    ...deployments,
    ...workloads,
    ...jobs,
    ...others.filter(([, obj]) => obj.kind !== 'ConfigMap'),
  ])('gives the same answer on the compact live form: %s', (_name, obj) => {
    expect(assessHealth(compactLiveObject(obj))).toEqual(assessHealth(obj));
  });

  it('rejects something that is not an object', () => {
    expect(() => assessHealth({} as KubeObject)).toThrow(EngineError);
  });
});

describe('aggregateHealth', () => {
  it.each<
    [string, (HealthResult['status'] | undefined)[], HealthResult['status']]
  >([
    ['all healthy', ['Healthy', 'Healthy'], 'Healthy'],
    ['nothing with health', [undefined, undefined], 'Healthy'],
    ['one suspended', ['Healthy', 'Suspended'], 'Suspended'],
    [
      'progressing beats suspended',
      ['Suspended', 'Progressing', 'Healthy'],
      'Progressing',
    ],
    ['missing beats progressing', ['Progressing', 'Missing'], 'Missing'],
    ['degraded beats missing', ['Missing', 'Degraded', 'Healthy'], 'Degraded'],
    ['unknown is worst', ['Degraded', 'Unknown'], 'Unknown'],
  ])('%s', (_name, statuses, expected) => {
    expect(aggregateHealth(statuses)).toBe(expected);
  });

  it('accepts health results', () => {
    expect(
      aggregateHealth([
        { status: 'Healthy' },
        { status: 'Degraded', message: 'x' },
        undefined,
      ]),
    ).toBe('Degraded');
  });
});
