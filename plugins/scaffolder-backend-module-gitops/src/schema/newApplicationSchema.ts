import {
  Zod,
  clusterNameSchema,
  dnsLabelSchema,
  entityRefSchema,
  imageRepositorySchema,
  imageTagSchema,
  repoIdSchema,
} from './nameSchemas';

/** At most this many environments per new application; more is a typo, not a service. */
export const MAX_ENVIRONMENTS = 20;
// So that every application name, <name>-<environment>, stays a DNS label (at most 63 characters).
const MAX_NAME_LENGTH = 40;
const MAX_ENVIRONMENT_LENGTH = 20;

/**
 * The fields of a new application (ChangeSpec `application`), shared by `gitops:application:create` and the
 * `application` member of `gitops:change:propose`. Cross-field rules are in {@link newApplicationProblems}.
 */
export const newApplicationFields = (z: Zod) => ({
  name: dnsLabelSchema(z, 'name', MAX_NAME_LENGTH).describe(
    'The service name (DNS label): apps/<name>/ in the config repo, the Deployment and Service, and <name>-<environment> for each application.',
  ),
  entityRef: entityRefSchema(z, 'entityRef').describe(
    'The catalog entity the new applications deploy, e.g. component:default/payments.',
  ),
  image: imageRepositorySchema(z, 'image').describe(
    'Image repository without tag or digest, e.g. ghcr.io/acme/payments.',
  ),
  tag: imageTagSchema(z, 'tag').describe('Image tag to deploy, e.g. 1.0.0.'),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .describe(
      'The container port; the Service exposes it as port 80, named http.',
    ),
  environments: z
    .array(
      z.object({
        name: dnsLabelSchema(
          z,
          'environment name',
          MAX_ENVIRONMENT_LENGTH,
        ).describe(
          'Environment name, e.g. dev; the application is named <name>-<environment>.',
        ),
        namespace: dnsLabelSchema(z, 'namespace').describe(
          'Namespace this environment deploys to.',
        ),
        cluster: clusterNameSchema(z, 'cluster')
          .optional()
          .describe(
            'Cluster from app-config gitops.clusters[].name; default: the only configured cluster.',
          ),
        replicas: z
          .number()
          .int()
          .min(0)
          .max(1000)
          .optional()
          .describe('Replicas in this environment; default 1.'),
      }),
    )
    .min(1, { message: 'environments must name at least one environment' })
    .max(MAX_ENVIRONMENTS, {
      message: `environments must name at most ${MAX_ENVIRONMENTS} environments`,
    })
    .describe('One entry per environment, each an overlay and an application.'),
  repo: repoIdSchema(z, 'repo')
    .optional()
    .describe(
      'Config repo id (app-config gitops.configRepos[].id); default: the only configured one.',
    ),
});

/** What is wrong across the environments of a new application: an environment listed twice. */
export function newApplicationProblems(value: {
  environments: Array<{ name: string }>;
}): Array<{ path: Array<string | number>; message: string }> {
  const seen = new Set<string>();
  return value.environments.flatMap((environment, index) => {
    const twice = seen.has(environment.name);
    seen.add(environment.name);
    return twice
      ? [
          {
            path: ['environments', index, 'name'],
            message: `environment ${JSON.stringify(
              environment.name,
            )} is listed twice`,
          },
        ]
      : [];
  });
}
