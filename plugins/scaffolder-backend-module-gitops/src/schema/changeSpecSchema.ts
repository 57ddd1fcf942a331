import {
  Zod,
  changeRequestIdSchema,
  dnsLabelSchema,
  envVarNameSchema,
  imageTagSchema,
  kindSchema,
  objectNameSchema,
  quantitySchema,
} from './nameSchemas';
import {
  newApplicationFields,
  newApplicationProblems,
} from './newApplicationSchema';

/** At most this many changes in one change request: one reviewable pull request. */
export const MAX_CHANGES = 50;

const workloadSchema = (z: Zod) =>
  z
    .object({
      kind: kindSchema(z, 'workload.kind'),
      name: objectNameSchema(z, 'workload.name'),
    })
    .optional()
    .describe(
      "The workload to edit; default: the application's only workload.",
    );

const resourceQuantitiesSchema = (z: Zod, what: string) =>
  z
    .object({
      cpu: quantitySchema(z, `${what}.cpu`).optional(),
      memory: quantitySchema(z, `${what}.memory`).optional(),
    })
    .optional();

/** One ChangeSpec: the zod mirror of the contract's union (plugins/gitops-common/src/changes.ts). */
export const changeSpecSchema = (z: Zod) => {
  const application = dnsLabelSchema(z, 'application').describe(
    'Application name, e.g. shop-api-prod.',
  );
  const container = dnsLabelSchema(z, 'container')
    .optional()
    .describe("Container name; default: the workload's only container.");
  return z.discriminatedUnion('type', [
    z.object({
      type: z.literal('image'),
      application,
      workload: workloadSchema(z),
      container,
      tag: imageTagSchema(z, 'tag').describe(
        'The new image tag; the repository stays.',
      ),
    }),
    z.object({
      type: z.literal('replicas'),
      application,
      workload: workloadSchema(z),
      replicas: z.number().int().min(0).max(10000),
    }),
    z.object({
      type: z.literal('env'),
      application,
      workload: workloadSchema(z),
      container,
      name: envVarNameSchema(z, 'name').describe('Environment variable name.'),
      value: z
        .string()
        .max(32768)
        .nullable()
        .describe('The new value; null removes the variable.'),
    }),
    z
      .object({
        type: z.literal('resources'),
        application,
        workload: workloadSchema(z),
        container,
        requests: resourceQuantitiesSchema(z, 'requests'),
        limits: resourceQuantitiesSchema(z, 'limits'),
      })
      .describe('Container requests and limits; at least one quantity.'),
    z.object({
      type: z.literal('promote'),
      from: dnsLabelSchema(z, 'from').describe(
        'Application whose image versions to copy.',
      ),
      to: dnsLabelSchema(z, 'to').describe('Application that gets them.'),
    }),
    z.object({
      type: z.literal('rollback'),
      changeRequest: changeRequestIdSchema(z, 'changeRequest').describe(
        'The merged change request whose commit to revert.',
      ),
    }),
    z.object({
      type: z.literal('codify'),
      application,
      resource: z.object({
        group: z.string().max(253),
        kind: kindSchema(z, 'resource.kind'),
        namespace: z.string().max(63),
        name: objectNameSchema(z, 'resource.name'),
      }),
      path: z
        .string()
        .min(1)
        .max(512)
        .describe(
          'The drift path, e.g. spec.template.spec.containers[name=web].image.',
        ),
    }),
    z.object({ type: z.literal('application'), ...newApplicationFields(z) }),
  ]);
};

/** A non-empty list of ChangeSpecs, with the rules that span fields of one change. */
export const changeSpecListSchema = (z: Zod) =>
  z
    .array(changeSpecSchema(z))
    .min(1, { message: 'changes must hold at least one change' })
    .max(MAX_CHANGES, {
      message: `changes must hold at most ${MAX_CHANGES} changes`,
    })
    .superRefine((changes, ctx) => {
      changes.forEach((change, index) => {
        if (change.type === 'resources') {
          const quantities = [change.requests, change.limits].flatMap(q =>
            q ? [q.cpu, q.memory] : [],
          );
          if (!quantities.some(Boolean)) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message:
                'a resources change must set at least one request or limit',
            });
          }
        }
        if (change.type === 'promote' && change.from === change.to) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'to'],
            message: `promote needs two different applications (from and to are both ${change.from})`,
          });
        }
        if (change.type === 'application') {
          for (const problem of newApplicationProblems(change)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, ...problem.path],
              message: problem.message,
            });
          }
        }
      });
    })
    .describe('The changes, proposed together as one change request.');
