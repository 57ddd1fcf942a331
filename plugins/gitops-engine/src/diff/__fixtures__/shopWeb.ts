import type { KubeObject } from '../../types';

/**
 * A realistic Deployment pair: what Git declares, and what the API server returns after
 * `backstage-gitops` applied it, the controller rolled it out and `kubectl rollout restart` ran once.
 * Every call returns a fresh copy, so tests may mutate it.
 */
export function desiredShopWeb(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'shop-web',
      namespace: 'shop',
      labels: {
        'app.kubernetes.io/name': 'shop-web',
        'app.kubernetes.io/part-of': 'shop',
        team: 'storefront',
        'gitops.backstage.io/application': 'shop-production',
      },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'shop-web' } },
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/name': 'shop-web',
            'app.kubernetes.io/part-of': 'shop',
          },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '9090',
          },
        },
        spec: {
          serviceAccountName: 'shop-web',
          containers: [
            {
              name: 'web',
              image: 'registry.example.com/shop/web:1.24.3',
              args: ['--config=/etc/shop/config.yaml', '--log-format=json'],
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'metrics', containerPort: 9090 },
              ],
              env: [
                { name: 'SHOP_ENV', value: 'production' },
                {
                  name: 'SHOP_DB_HOST',
                  value: 'postgres.shop.svc.cluster.local',
                },
                {
                  name: 'SHOP_DB_PASSWORD',
                  valueFrom: {
                    secretKeyRef: { name: 'shop-db', key: 'password' },
                  },
                },
                {
                  name: 'GOMAXPROCS',
                  valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } },
                },
              ],
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              readinessProbe: {
                httpGet: { path: '/healthz/ready', port: 'http' },
                periodSeconds: 5,
              },
              livenessProbe: {
                httpGet: { path: '/healthz/live', port: 'http' },
                initialDelaySeconds: 10,
              },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/shop', readOnly: true },
                { name: 'cache', mountPath: '/var/cache/shop' },
              ],
            },
            {
              name: 'log-shipper',
              image: 'registry.example.com/infra/log-shipper:3.1.0',
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { memory: '128Mi' },
              },
              volumeMounts: [
                { name: 'cache', mountPath: '/var/cache/shop', readOnly: true },
              ],
            },
          ],
          volumes: [
            {
              name: 'config',
              configMap: { name: 'shop-web-config', defaultMode: 420 },
            },
            { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
    },
  };
}

const ourFields = {
  'f:metadata': {
    'f:labels': {
      'f:app.kubernetes.io/name': {},
      'f:app.kubernetes.io/part-of': {},
      'f:gitops.backstage.io/application': {},
      'f:team': {},
    },
  },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': {
        'f:annotations': {
          'f:prometheus.io/port': {},
          'f:prometheus.io/scrape': {},
        },
        'f:labels': {
          'f:app.kubernetes.io/name': {},
          'f:app.kubernetes.io/part-of': {},
        },
      },
      'f:spec': {
        'f:containers': {
          'k:{"name":"log-shipper"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:resources': {
              'f:limits': { 'f:memory': {} },
              'f:requests': { 'f:cpu': {}, 'f:memory': {} },
            },
            'f:volumeMounts': {
              'k:{"mountPath":"/var/cache/shop"}': {
                '.': {},
                'f:mountPath': {},
                'f:name': {},
                'f:readOnly': {},
              },
            },
          },
          'k:{"name":"web"}': {
            '.': {},
            'f:args': {},
            'f:env': {
              'k:{"name":"GOMAXPROCS"}': {
                '.': {},
                'f:name': {},
                'f:valueFrom': { 'f:resourceFieldRef': {} },
              },
              'k:{"name":"SHOP_DB_HOST"}': {
                '.': {},
                'f:name': {},
                'f:value': {},
              },
              'k:{"name":"SHOP_DB_PASSWORD"}': {
                '.': {},
                'f:name': {},
                'f:valueFrom': { 'f:secretKeyRef': {} },
              },
              'k:{"name":"SHOP_ENV"}': { '.': {}, 'f:name': {}, 'f:value': {} },
            },
            'f:image': {},
            'f:livenessProbe': {
              'f:httpGet': { 'f:path': {}, 'f:port': {} },
              'f:initialDelaySeconds': {},
            },
            'f:name': {},
            'f:ports': {
              'k:{"containerPort":8080,"protocol":"TCP"}': {
                '.': {},
                'f:containerPort': {},
                'f:name': {},
              },
              'k:{"containerPort":9090,"protocol":"TCP"}': {
                '.': {},
                'f:containerPort': {},
                'f:name': {},
              },
            },
            'f:readinessProbe': {
              'f:httpGet': { 'f:path': {}, 'f:port': {} },
              'f:periodSeconds': {},
            },
            'f:resources': {
              'f:limits': { 'f:cpu': {}, 'f:memory': {} },
              'f:requests': { 'f:cpu': {}, 'f:memory': {} },
            },
            'f:volumeMounts': {
              'k:{"mountPath":"/etc/shop"}': {
                '.': {},
                'f:mountPath': {},
                'f:name': {},
                'f:readOnly': {},
              },
              'k:{"mountPath":"/var/cache/shop"}': {
                '.': {},
                'f:mountPath': {},
                'f:name': {},
              },
            },
          },
        },
        'f:serviceAccountName': {},
        'f:volumes': {
          'k:{"name":"cache"}': {
            '.': {},
            'f:emptyDir': { 'f:sizeLimit': {} },
            'f:name': {},
          },
          'k:{"name":"config"}': {
            '.': {},
            'f:configMap': { 'f:defaultMode': {}, 'f:name': {} },
            'f:name': {},
          },
        },
      },
    },
  },
};

/** The live object as `kubectl get deploy shop-web -o json --show-managed-fields` prints it. */
export function liveShopWeb(): KubeObject {
  const probeDefaults = {
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: {
        'deployment.kubernetes.io/revision': '4',
      },
      creationTimestamp: '2026-10-02T08:14:51Z',
      generation: 4,
      labels: {
        'app.kubernetes.io/name': 'shop-web',
        'app.kubernetes.io/part-of': 'shop',
        'gitops.backstage.io/application': 'shop-production',
        team: 'storefront',
      },
      managedFields: [
        {
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: structuredClone(ourFields),
          manager: 'backstage-gitops',
          operation: 'Apply',
          time: '2026-11-20T09:02:11Z',
        },
        {
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:spec': {
              'f:template': {
                'f:metadata': {
                  'f:annotations': {
                    'f:kubectl.kubernetes.io/restartedAt': {},
                  },
                },
              },
            },
          },
          manager: 'kubectl-rollout',
          operation: 'Update',
          time: '2026-11-21T15:40:02Z',
        },
        {
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:annotations': {
                '.': {},
                'f:deployment.kubernetes.io/revision': {},
              },
            },
            'f:status': {
              'f:availableReplicas': {},
              'f:conditions': {
                '.': {},
                'k:{"type":"Available"}': {
                  '.': {},
                  'f:lastTransitionTime': {},
                  'f:lastUpdateTime': {},
                  'f:message': {},
                  'f:reason': {},
                  'f:status': {},
                  'f:type': {},
                },
                'k:{"type":"Progressing"}': {
                  '.': {},
                  'f:lastTransitionTime': {},
                  'f:lastUpdateTime': {},
                  'f:message': {},
                  'f:reason': {},
                  'f:status': {},
                  'f:type': {},
                },
              },
              'f:observedGeneration': {},
              'f:readyReplicas': {},
              'f:replicas': {},
              'f:updatedReplicas': {},
            },
          },
          manager: 'kube-controller-manager',
          operation: 'Update',
          subresource: 'status',
          time: '2026-11-21T15:40:31Z',
        },
      ],
      name: 'shop-web',
      namespace: 'shop',
      resourceVersion: '1873405',
      uid: '5f0c6a7e-1d3b-4c59-9a0e-7b2f4d8e6c21',
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 3,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'shop-web' } },
      strategy: {
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        type: 'RollingUpdate',
      },
      template: {
        metadata: {
          annotations: {
            'kubectl.kubernetes.io/restartedAt': '2026-11-21T15:40:02Z',
            'prometheus.io/port': '9090',
            'prometheus.io/scrape': 'true',
          },
          creationTimestamp: null,
          labels: {
            'app.kubernetes.io/name': 'shop-web',
            'app.kubernetes.io/part-of': 'shop',
          },
        },
        spec: {
          containers: [
            {
              args: ['--config=/etc/shop/config.yaml', '--log-format=json'],
              env: [
                { name: 'SHOP_ENV', value: 'production' },
                {
                  name: 'SHOP_DB_HOST',
                  value: 'postgres.shop.svc.cluster.local',
                },
                {
                  name: 'SHOP_DB_PASSWORD',
                  valueFrom: {
                    secretKeyRef: { key: 'password', name: 'shop-db' },
                  },
                },
                {
                  name: 'GOMAXPROCS',
                  valueFrom: {
                    resourceFieldRef: { divisor: '0', resource: 'limits.cpu' },
                  },
                },
              ],
              image: 'registry.example.com/shop/web:1.24.3',
              imagePullPolicy: 'IfNotPresent',
              livenessProbe: {
                ...probeDefaults,
                httpGet: {
                  path: '/healthz/live',
                  port: 'http',
                  scheme: 'HTTP',
                },
                initialDelaySeconds: 10,
                periodSeconds: 10,
              },
              name: 'web',
              ports: [
                { containerPort: 8080, name: 'http', protocol: 'TCP' },
                { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
              ],
              readinessProbe: {
                ...probeDefaults,
                httpGet: {
                  path: '/healthz/ready',
                  port: 'http',
                  scheme: 'HTTP',
                },
                periodSeconds: 5,
              },
              resources: {
                limits: { cpu: '1', memory: '512Mi' },
                requests: { cpu: '250m', memory: '256Mi' },
              },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              volumeMounts: [
                { mountPath: '/etc/shop', name: 'config', readOnly: true },
                { mountPath: '/var/cache/shop', name: 'cache' },
              ],
            },
            {
              image: 'registry.example.com/infra/log-shipper:3.1.0',
              imagePullPolicy: 'IfNotPresent',
              name: 'log-shipper',
              resources: {
                limits: { memory: '128Mi' },
                requests: { cpu: '50m', memory: '64Mi' },
              },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              volumeMounts: [
                { mountPath: '/var/cache/shop', name: 'cache', readOnly: true },
              ],
            },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          serviceAccount: 'shop-web',
          serviceAccountName: 'shop-web',
          terminationGracePeriodSeconds: 30,
          volumes: [
            {
              configMap: { defaultMode: 420, name: 'shop-web-config' },
              name: 'config',
            },
            { emptyDir: { sizeLimit: '1Gi' }, name: 'cache' },
          ],
        },
      },
    },
    status: {
      availableReplicas: 3,
      conditions: [
        {
          lastTransitionTime: '2026-10-02T08:15:20Z',
          lastUpdateTime: '2026-10-02T08:15:20Z',
          message: 'Deployment has minimum availability.',
          reason: 'MinimumReplicasAvailable',
          status: 'True',
          type: 'Available',
        },
        {
          lastTransitionTime: '2026-10-02T08:14:51Z',
          lastUpdateTime: '2026-11-21T15:40:31Z',
          message:
            'ReplicaSet "shop-web-7c9d5f8b6d" has successfully progressed.',
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing',
        },
      ],
      observedGeneration: 4,
      readyReplicas: 3,
      replicas: 3,
      updatedReplicas: 3,
    },
  };
}
