import { diffObjects } from '../diff/diffObjects';
import { EngineError } from '../errors';
import type { KubeObject } from '../types';
import { SchemaRegistry } from './SchemaRegistry';
import type { OpenApiV3Document } from './kindsFromOpenApi';

const ref = (name: string) => ({
  allOf: [{ $ref: `#/components/schemas/${name}` }],
  default: {},
});

/** Shaped like `/openapi/v3/apis/rollouts.example.com/v1alpha1`: refs into shared core schemas, markers on arrays. */
const rolloutDocument: OpenApiV3Document = {
  openapi: '3.0.0',
  info: { title: 'Kubernetes', version: 'v1.34.0' },
  paths: {},
  components: {
    schemas: {
      'com.example.rollouts.v1alpha1.Rollout': {
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
          spec: ref('com.example.rollouts.v1alpha1.RolloutSpec'),
          status: {
            type: 'object',
            properties: {
              conditions: { type: 'array', items: { type: 'object' } },
            },
          },
        },
        'x-kubernetes-group-version-kind': [
          {
            group: 'rollouts.example.com',
            kind: 'Rollout',
            version: 'v1alpha1',
          },
        ],
      },
      'com.example.rollouts.v1alpha1.RolloutList': {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: ref('com.example.rollouts.v1alpha1.Rollout'),
          },
        },
        'x-kubernetes-group-version-kind': [
          {
            group: 'rollouts.example.com',
            kind: 'RolloutList',
            version: 'v1alpha1',
          },
        ],
      },
      'com.example.rollouts.v1alpha1.RolloutSpec': {
        type: 'object',
        properties: {
          selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
          template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
          maxSurge: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
          pauseDuration: { type: 'string', format: 'duration' },
          analysis: ref('com.example.rollouts.v1alpha1.Analysis'),
        },
      },
      'com.example.rollouts.v1alpha1.Analysis': {
        type: 'object',
        properties: {
          nested: ref('com.example.rollouts.v1alpha1.Analysis'),
          args: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                value: { type: 'string' },
              },
            },
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
          },
        },
      },
      'io.k8s.api.core.v1.PodTemplateSpec': {
        type: 'object',
        properties: {
          metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
          spec: ref('io.k8s.api.core.v1.PodSpec'),
        },
      },
      'io.k8s.api.core.v1.PodSpec': {
        type: 'object',
        properties: {
          containers: {
            type: 'array',
            items: ref('io.k8s.api.core.v1.Container'),
            'x-kubernetes-list-map-keys': ['name'],
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-patch-merge-key': 'name',
            'x-kubernetes-patch-strategy': 'merge',
          },
          nodeSelector: {
            type: 'object',
            additionalProperties: { type: 'string', default: '' },
            'x-kubernetes-map-type': 'atomic',
          },
        },
        required: ['containers'],
      },
      'io.k8s.api.core.v1.Container': {
        type: 'object',
        properties: {
          name: { type: 'string', default: '' },
          image: { type: 'string' },
          args: {
            type: 'array',
            items: { type: 'string', default: '' },
            'x-kubernetes-list-type': 'atomic',
          },
          ports: {
            type: 'array',
            items: ref('io.k8s.api.core.v1.ContainerPort'),
            'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
            'x-kubernetes-list-type': 'map',
          },
          resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
        },
      },
      'io.k8s.api.core.v1.ContainerPort': {
        type: 'object',
        properties: {
          containerPort: { type: 'integer', format: 'int32', default: 0 },
          name: { type: 'string' },
          protocol: {
            type: 'string',
            default: 'TCP',
            enum: ['SCTP', 'TCP', 'UDP'],
          },
        },
        required: ['containerPort'],
      },
      'io.k8s.api.core.v1.ResourceRequirements': {
        type: 'object',
        properties: {
          limits: {
            type: 'object',
            additionalProperties: ref(
              'io.k8s.apimachinery.pkg.api.resource.Quantity',
            ),
          },
          requests: {
            type: 'object',
            additionalProperties: ref(
              'io.k8s.apimachinery.pkg.api.resource.Quantity',
            ),
          },
        },
      },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': {
        oneOf: [{ type: 'string' }, { type: 'number' }],
      },
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
        format: 'int-or-string',
        oneOf: [{ type: 'integer' }, { type: 'string' }],
      },
      'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
        type: 'object',
        properties: {
          matchLabels: {
            type: 'object',
            additionalProperties: { type: 'string' },
          },
        },
        'x-kubernetes-map-type': 'atomic',
      },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
        type: 'object',
        properties: {
          name: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
};

const rollout = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'rollouts.example.com/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'shop-web', namespace: 'shop' },
  spec,
});

const template = (
  containers: unknown[],
  nodeSelector?: Record<string, string>,
) => ({
  metadata: { labels: { app: 'shop-web' } },
  spec: { containers, ...(nodeSelector ? { nodeSelector } : {}) },
});

describe('SchemaRegistry', () => {
  const builtin = SchemaRegistry.builtin();

  it.each([
    ['apps/v1', 'Deployment', true],
    ['v1', 'Secret', true],
    ['v1', 'Namespace', false],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole', false],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', true],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', false],
    ['apiregistration.k8s.io/v1', 'APIService', false],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', true],
    ['autoscaling/v1', 'HorizontalPodAutoscaler', true],
    ['example.com/v1', 'Widget', undefined],
  ])('knows the scope of %s %s', (apiVersion, kind, namespaced) => {
    expect(builtin.isNamespaced(apiVersion, kind)).toBe(namespaced);
  });

  it('reads list keys, key defaults, quantities, int-or-string, durations and atomic maps from OpenAPI v3', () => {
    const schema = builtin.withOpenApiV3(rolloutDocument, {
      namespaced: { Rollout: true },
    });
    expect(
      schema.isNamespaced('rollouts.example.com/v1alpha1', 'Rollout'),
    ).toBe(true);
    expect(schema.knows('rollouts.example.com/v1alpha1', 'RolloutList')).toBe(
      false,
    );

    const desired = rollout({
      maxSurge: 1,
      pauseDuration: '90s',
      template: template(
        [
          {
            name: 'web',
            image: 'web:2',
            ports: [{ containerPort: 8080 }],
            resources: { limits: { cpu: '500m' } },
          },
          { name: 'sidecar', image: 'sidecar:1', args: ['--a', '--b'] },
        ],
        { disk: 'ssd' },
      ),
      analysis: {
        args: [
          { name: 'a', value: '1' },
          { name: 'b', value: '2' },
        ],
      },
    });
    const live = rollout({
      maxSurge: '1',
      pauseDuration: '1m30s',
      template: template(
        [
          { name: 'sidecar', image: 'sidecar:1', args: ['--b', '--a'] },
          {
            name: 'web',
            image: 'web:2',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            resources: { limits: { cpu: '0.5' } },
          },
        ],
        { disk: 'ssd', zone: 'b' },
      ),
      analysis: {
        args: [
          { name: 'b', value: '2' },
          { name: 'a', value: '1' },
        ],
      },
    });

    expect(
      diffObjects(desired, live, { schema }).diffs.map(d => d.path),
    ).toEqual([
      'spec.maxSurge',
      'spec.template.spec.containers[name=sidecar].args',
      'spec.template.spec.nodeSelector',
    ]);
    expect(diffObjects(desired, live).diffs.map(d => d.path)).toEqual([
      'spec.maxSurge',
      'spec.pauseDuration',
      'spec.template.spec.containers',
      'spec.analysis.args',
    ]);
  });

  it('keeps its built-in entry for a kind OpenAPI also describes, unless told to replace it', () => {
    const document: OpenApiV3Document = {
      components: {
        schemas: {
          'io.k8s.api.core.v1.Secret': {
            type: 'object',
            properties: {
              data: {
                type: 'object',
                additionalProperties: { type: 'string', format: 'byte' },
              },
            },
            'x-kubernetes-group-version-kind': [
              { group: '', kind: 'Secret', version: 'v1' },
            ],
          },
        },
      },
    };
    const kept = builtin.withOpenApiV3(document);
    expect(kept.kindSchema('v1', 'Secret').root.fields?.data?.sensitive).toBe(
      true,
    );
    const replaced = builtin.withOpenApiV3(document, { replace: true });
    expect(
      replaced.kindSchema('v1', 'Secret').root.fields?.data?.sensitive,
    ).toBeUndefined();
  });

  it('records a scope from discovery without losing the schema', () => {
    const schema = builtin
      .withOpenApiV3(rolloutDocument)
      .withScope('rollouts.example.com', 'Rollout', false);
    expect(
      schema.isNamespaced('rollouts.example.com/v1alpha1', 'Rollout'),
    ).toBe(false);
    expect(
      schema.kindSchema('rollouts.example.com/v1alpha1', 'Rollout').root.fields
        ?.spec?.fields?.maxSurge?.format,
    ).toBe('int-or-string');
  });

  it('never changes the shared built-in registry', () => {
    builtin.withOpenApiV3(rolloutDocument);
    expect(
      SchemaRegistry.builtin().knows(
        'rollouts.example.com/v1alpha1',
        'Rollout',
      ),
    ).toBe(false);
  });

  it.each([
    ['a document without components', { openapi: '3.0.0' }],
    ['a document whose schemas are not a map', { components: { schemas: [] } }],
  ])('rejects %s with a SCHEMA_INVALID error', (_name, document) => {
    expect(() => builtin.withOpenApiV3(document as OpenApiV3Document)).toThrow(
      expect.objectContaining({ code: 'SCHEMA_INVALID' }),
    );
  });

  it('rejects a CustomResourceDefinition without group or kind', () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'x' },
      spec: {},
    };
    expect(() => builtin.withCustomResourceDefinitions([crd])).toThrow(
      EngineError,
    );
  });
});
