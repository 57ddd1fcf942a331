import type { KubeObject } from '@backstage-gitops/gitops-engine';
import { syncOrder } from './syncOrder';

const object = (kind: string, name: string, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: kind === 'Namespace' ? undefined : 'shop' },
});

describe('syncOrder', () => {
  it('applies namespaces and CRDs first, workloads after their config, custom resources last', () => {
    const objects = [
      object('Widget', 'blue', 'example.gitops.test/v1'),
      object('Deployment', 'web', 'apps/v1'),
      object('Ingress', 'web', 'networking.k8s.io/v1'),
      object('Service', 'web'),
      object('ConfigMap', 'settings'),
      object(
        'CustomResourceDefinition',
        'widgets.example.gitops.test',
        'apiextensions.k8s.io/v1',
      ),
      object('Secret', 'db'),
      object('Namespace', 'shop'),
      object('ConfigMap', 'another'),
      object('ServiceAccount', 'web'),
    ];
    expect(syncOrder(objects).map(o => `${o.kind}/${o.metadata.name}`)).toEqual(
      [
        'Namespace/shop',
        'ServiceAccount/web',
        'Secret/db',
        'ConfigMap/another',
        'ConfigMap/settings',
        'CustomResourceDefinition/widgets.example.gitops.test',
        'Service/web',
        'Deployment/web',
        'Ingress/web',
        'Widget/blue',
      ],
    );
    // The input (frozen, shared with the render cache) is left as it was.
    expect(objects[0].kind).toBe('Widget');
  });
});
