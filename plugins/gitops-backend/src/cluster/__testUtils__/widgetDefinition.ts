import type { KubeObject } from '@backstage-gitops/gitops-engine';

/** A namespaced CRD whose spec keeps fields its schema does not declare, like many operators' CRDs. */
export const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.gitops.test' },
  spec: {
    group: 'example.gitops.test',
    scope: 'Namespaced',
    names: {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
    },
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
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { size: { type: 'integer' } },
              },
            },
          },
        },
      },
    ],
  },
};
