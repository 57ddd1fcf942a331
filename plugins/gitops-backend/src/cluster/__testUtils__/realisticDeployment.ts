import {
  TRACKING_LABEL,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';

/** A Deployment shaped like a typical service's (probes, env, resources, volumes), scaled to 0 so no pods run. */
export function realisticDeployment(
  namespace: string,
  name: string,
  application: string,
  labelKey: string = TRACKING_LABEL,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels: {
        [labelKey]: application,
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/part-of': 'shop',
        team: 'checkout',
      },
      annotations: { 'example.com/owner': 'team-checkout@example.com' },
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/name': name,
            'app.kubernetes.io/part-of': 'shop',
          },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '9090',
          },
        },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'web',
              image: `shop/${name}:1.42.7`,
              args: ['--port=8080', '--metrics-port=9090'],
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'metrics', containerPort: 9090 },
              ],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'DB_HOST', value: `${name}-db.${namespace}.svc` },
                {
                  name: 'DB_PASSWORD',
                  valueFrom: {
                    secretKeyRef: { name: `${name}-db`, key: 'password' },
                  },
                },
                {
                  name: 'POD_NAMESPACE',
                  valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
                },
                { name: 'FEATURE_FLAGS', value: 'checkout-v2,fast-cart' },
              ],
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                initialDelaySeconds: 10,
              },
              readinessProbe: {
                httpGet: { path: '/ready', port: 'http' },
                periodSeconds: 5,
              },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/shop', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: `${name}-config` } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
