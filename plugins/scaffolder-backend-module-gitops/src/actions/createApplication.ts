import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import { GitOpsChangesClient } from '../client/GitOpsChangesClient';
import type { Zod } from '../schema/nameSchemas';
import {
  newApplicationFields,
  newApplicationProblems,
} from '../schema/newApplicationSchema';
import { changeOutcomeSchema } from './changeOutcomeSchema';
import { parseActionInput } from './parseActionInput';
import { proposeChangeRequest } from './proposeChangeRequest';
import { examples } from './createApplication.examples';

export const CREATE_APPLICATION_ACTION_ID = 'gitops:application:create';

export const createApplicationInputSchema = (z: Zod) =>
  z
    .object({
      ...newApplicationFields(z),
      title: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Title of the change request; default: "Add <name>".'),
      description: z
        .string()
        .max(10000)
        .optional()
        .describe(
          'Description (Markdown) of the change request and its pull request.',
        ),
    })
    .superRefine((input, ctx) => {
      for (const problem of newApplicationProblems(input)) {
        ctx.addIssue({
          code: 'custom',
          path: problem.path,
          message: problem.message,
        });
      }
    });

export const createApplicationOutputSchema = (z: Zod) =>
  changeOutcomeSchema(z).extend({
    applications: z
      .array(z.string())
      .describe(
        'The applications it declares, <name>-<environment>, in the order given.',
      ),
  });

/**
 * `gitops:application:create`: adds a new service to the config repo (Kustomize base, an overlay and an
 * Application per environment) through a change request, as ChangeSpec `application`.
 */
export function createCreateApplicationAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const client = new GitOpsChangesClient(options);
  return createTemplateAction({
    id: CREATE_APPLICATION_ACTION_ID,
    description:
      "Adds a new service's GitOps config (Kustomize base, one overlay and Application per environment) to the config repo through a change request. Dry run: previews only.",
    examples,
    supportsDryRun: true,
    schema: {
      input: createApplicationInputSchema,
      output: createApplicationOutputSchema,
    },
    async handler(ctx) {
      const { title, description, ...application } = parseActionInput(
        CREATE_APPLICATION_ACTION_ID,
        createApplicationInputSchema,
        ctx.input,
      );
      const change: ChangeSpec = { type: 'application', ...application };
      const outcome = await proposeChangeRequest({
        ctx,
        client,
        body: {
          title: title ?? `Add ${application.name}`,
          description,
          changes: [change],
        },
      });
      if (outcome.changeRequestId) {
        ctx.output('changeRequestId', outcome.changeRequestId);
      }
      ctx.output('state', outcome.state);
      if (outcome.pullRequestUrl) {
        ctx.output('pullRequestUrl', outcome.pullRequestUrl);
      }
      ctx.output('policyVerdict', outcome.policyVerdict);
      if (outcome.files) {
        ctx.output('files', outcome.files);
      }
      ctx.output(
        'applications',
        application.environments.map(e => `${application.name}-${e.name}`),
      );
    },
  });
}
