import { ConflictError, InputError } from '@backstage/errors';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import { stringify } from 'yaml';
import type { WorkingTree } from '../WorkingTree';

type NewApplication = Extract<ChangeSpec, { type: 'application' }>;

const HEADER = '# Written by Backstage GitOps for a new service; edit freely, later changes patch it in place.\n';

/**
 * Writes a new service's config: a Kustomize base (Deployment and Service), one overlay per environment
 * (namespace, image tag, replicas) and the Application declarations. Refuses to overwrite anything.
 */
export async function planNewApplication(
  change: NewApplication,
  tree: WorkingTree,
  clusters: readonly string[] = [],
): Promise<string[]> {
  const { name, image, tag, port } = change;
  if (change.environments.length === 0) {
    throw new InputError(`new application ${name} needs at least one environment`);
  }
  const seen = new Set<string>();
  for (const env of change.environments) {
    if (seen.has(env.name)) throw new InputError(`environment ${env.name} is listed twice`);
    seen.add(env.name);
  }
  const base = `apps/${name}/base`;
  const files: Record<string, string> = {
    [`${base}/kustomization.yaml`]: doc({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment.yaml', 'service.yaml'],
    }),
    [`${base}/deployment.yaml`]: doc({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { 'app.kubernetes.io/name': name } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': name } },
          spec: {
            containers: [
              {
                name: 'app',
                image: `${image}:${tag}`,
                ports: [{ name: 'http', containerPort: port }],
                resources: {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { memory: '256Mi' },
                },
              },
            ],
          },
        },
      },
    }),
    [`${base}/service.yaml`]: doc({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: { 'app.kubernetes.io/name': name } },
      spec: {
        selector: { 'app.kubernetes.io/name': name },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    }),
  };
  const applications: string[] = [];
  for (const env of change.environments) {
    const overlay = `apps/${name}/overlays/${env.name}`;
    files[`${overlay}/kustomization.yaml`] = doc({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: env.namespace,
      resources: ['../../base', 'namespace.yaml'],
      images: [{ name: image, newTag: tag }],
      replicas: [{ name, count: env.replicas ?? 1 }],
    });
    files[`${overlay}/namespace.yaml`] = doc({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: env.namespace },
    });
    const cluster = env.cluster ?? onlyCluster(clusters, env.name);
    applications.push(
      stringify({
        apiVersion: 'gitops.backstage.io/v1alpha1',
        kind: 'Application',
        metadata: { name: `${name}-${env.name}` },
        spec: {
          entityRef: change.entityRef,
          environment: env.name,
          source: { path: overlay, renderer: 'kustomize' },
          destination: { cluster, namespace: env.namespace },
          syncPolicy: { automated: true, prune: true, selfHeal: true },
        },
      }),
    );
  }
  files[`applications/${name}.yaml`] = `${HEADER}${applications.join('---\n')}`;

  for (const path of Object.keys(files)) {
    if (await tree.exists(path)) {
      throw new ConflictError(`${path} already exists in the config repo: is ${name} already declared?`);
    }
  }
  for (const [path, content] of Object.entries(files)) {
    await tree.write(path, content);
  }
  return Object.keys(files);
}

function doc(value: unknown): string {
  return `${HEADER}${stringify(value)}`;
}

function onlyCluster(clusters: readonly string[], environment: string): string {
  if (clusters.length !== 1) {
    throw new InputError(
      `environment ${environment} names no cluster and ${clusters.length === 0 ? 'none is' : 'several are'} configured: set "cluster"`,
    );
  }
  return clusters[0];
}
