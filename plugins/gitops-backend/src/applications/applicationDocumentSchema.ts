import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { normalizeRepoPath } from '../git/normalizeRepoPath';

export const APPLICATION_API_VERSION = 'gitops.backstage.io/v1alpha1';
export const APPLICATION_KIND = 'Application';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const dnsLabel = (what: string) =>
  z
    .string()
    .max(63, { error: `${what} must be at most 63 characters` })
    .regex(DNS_LABEL, {
      error: `${what} must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit`,
    });

const entityRef = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseEntityRef(value, { defaultNamespace: 'default' });
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a catalog entity reference like component:default/shop-api (${
          (error as Error).message
        })`,
      });
    }
  })
  .transform(value =>
    stringifyEntityRef(parseEntityRef(value, { defaultNamespace: 'default' })),
  )
  .meta({
    description:
      'The catalog entity this application deploys, as kind:namespace/name (namespace defaults to "default").',
    examples: ['component:default/shop-api'],
  });

const sourcePath = z
  .string()
  .min(1, { error: 'path must not be empty' })
  .superRefine((value, ctx) => {
    try {
      normalizeRepoPath(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  })
  .transform(value => normalizeRepoPath(value))
  .meta({
    description:
      'Directory to render, relative to the config root (the config repo, or its configured subdirectory). No absolute paths, no "..".',
    examples: ['apps/shop-api/overlays/dev'],
  });

// Helm's own rule for release names: a DNS-1123 label of at most 53 characters.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const helmOptions = z
  .strictObject({
    valueFiles: z
      .array(
        z
          .string()
          .min(1, { error: 'a values file must not be empty' })
          .refine(file => !file.startsWith('/'), {
            error:
              'a values file is relative to the chart directory, not absolute',
          }),
      )
      .max(20)
      .default([])
      .meta({
        description:
          'Values files, relative to the chart directory (spec.source.path), in the order helm reads them: later files win. They must stay inside the config repo.',
        examples: [['values-prod.yaml']],
      }),
    releaseName: z
      .string()
      .max(53, {
        error: 'spec.source.helm.releaseName must be at most 53 characters',
      })
      .regex(RELEASE_NAME, {
        error:
          'spec.source.helm.releaseName must be lower-case letters, digits and "-", starting and ending with a letter or digit',
      })
      .optional()
      .meta({
        description:
          "Helm's release name. Default: the application's name, when it has at most 53 characters.",
      }),
  })
  .meta({
    description:
      'Options for a helm chart: values files per environment and the release name.',
  });

/**
 * The `Application` document as written in a config repo's `applications/*.yaml`. Parsing applies the
 * defaults (renderer `auto`, every sync policy flag false) and normalizes the entity ref and path.
 */
export const applicationDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(APPLICATION_API_VERSION),
    kind: z.literal(APPLICATION_KIND),
    metadata: z.looseObject({
      name: dnsLabel('metadata.name').meta({
        description:
          'Unique within the config repo; also the value of the gitops.backstage.io/application label on every object it deploys.',
        examples: ['shop-api-dev'],
      }),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
    spec: z.strictObject({
      entityRef,
      environment: dnsLabel('spec.environment').meta({
        description:
          'Environment name shown on the entity page, e.g. dev, staging, prod.',
        examples: ['dev'],
      }),
      source: z
        .strictObject({
          path: sourcePath,
          renderer: z
            .enum(['auto', 'plain', 'kustomize', 'helm'])
            .default('auto')
            .meta({
              description:
                'How manifests are produced: auto picks kustomize when a kustomization file exists, helm when Chart.yaml exists, else plain YAML.',
            }),
          helm: helmOptions.optional(),
        })
        .superRefine((source, ctx) => {
          if (
            source.helm &&
            (source.renderer === 'plain' || source.renderer === 'kustomize')
          ) {
            ctx.addIssue({
              code: 'custom',
              path: ['helm'],
              message: `helm options apply to helm charts, not to the ${source.renderer} renderer`,
            });
          }
          for (const [i, file] of (source.helm?.valueFiles ?? []).entries()) {
            try {
              normalizeRepoPath(`${source.path}/${file}`);
            } catch (error) {
              ctx.addIssue({
                code: 'custom',
                path: ['helm', 'valueFiles', i],
                message: `values file ${JSON.stringify(
                  file,
                )} is outside the config repo: ${(error as Error).message}`,
              });
            }
          }
        }),
      destination: z.strictObject({
        cluster: z
          .string()
          .max(253)
          .regex(CLUSTER_NAME, {
            error:
              'spec.destination.cluster must be a cluster name from gitops.clusters',
          })
          .meta({
            description: 'Cluster name from app-config gitops.clusters[].name.',
            examples: ['local'],
          }),
        namespace: dnsLabel('spec.destination.namespace').meta({
          description:
            'Namespace given to namespaced objects that do not set one.',
          examples: ['shop-dev'],
        }),
      }),
      syncPolicy: z
        .strictObject({
          automated: z.boolean().default(false).meta({
            description: 'Apply Git changes automatically when policies allow.',
          }),
          prune: z.boolean().default(false).meta({
            description:
              'Delete live objects with our tracking label that Git no longer declares.',
          }),
          selfHeal: z.boolean().default(false).meta({
            description: 'Revert out-of-band changes to live objects.',
          }),
        })
        .prefault({}),
    }),
  })
  .meta({
    title: 'GitOps Application',
    description:
      'One deployable unit of one catalog entity in one environment, declared in a config repo under applications/.',
  });

/** An `Application` document after parsing: defaults applied, entity ref and path normalized. */
export type ApplicationDocument = z.output<typeof applicationDocumentSchema>;
