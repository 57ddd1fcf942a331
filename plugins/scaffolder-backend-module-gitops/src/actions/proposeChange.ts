import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { GitOpsChangesClient } from '../client/GitOpsChangesClient';
import { changeSpecListSchema } from '../schema/changeSpecSchema';
import { Zod, entityRefSchema } from '../schema/nameSchemas';
import { assertChangesBelongToEntity } from './assertChangesBelongToEntity';
import { changeOutcomeSchema } from './changeOutcomeSchema';
import { parseActionInput } from './parseActionInput';
import { proposeChangeRequest } from './proposeChangeRequest';
import { examples } from './proposeChange.examples';

export const PROPOSE_CHANGE_ACTION_ID = 'gitops:change:propose';

export const proposeChangeInputSchema = (z: Zod) =>
  z
    .object({
      entityRef: entityRefSchema(z, 'entityRef').describe(
        'The catalog entity whose applications change, e.g. component:default/shop-api. Every application the changes name must be one of its applications.',
      ),
      changes: changeSpecListSchema(z),
      title: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe(
          'Title of the change request and its pull request; default: generated.',
        ),
      description: z
        .string()
        .max(10000)
        .optional()
        .describe(
          'Description (Markdown) of the change request and its pull request.',
        ),
    })
    .superRefine((input, ctx) => {
      input.changes.forEach((change, index) => {
        if (
          change.type === 'application' &&
          change.entityRef.toLocaleLowerCase('en-US') !==
            input.entityRef.toLocaleLowerCase('en-US')
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['changes', index, 'entityRef'],
            message: `a new application must deploy the step's entity ${input.entityRef}, not ${change.entityRef}`,
          });
        }
      });
    });

/**
 * `gitops:change:propose`: proposes changes to an entity's applications as one change request (a branch and a
 * pull request on the config repo, after policy checks). In a dry run it previews and pushes nothing.
 */
export function createProposeChangeAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const client = new GitOpsChangesClient(options);
  return createTemplateAction({
    id: PROPOSE_CHANGE_ACTION_ID,
    description:
      "Proposes changes to an entity's GitOps applications (image, replicas, env, resources, promote, rollback, codify, application) as one change request with a pull request on the config repo. Dry run: previews only.",
    examples,
    supportsDryRun: true,
    schema: {
      input: proposeChangeInputSchema,
      output: changeOutcomeSchema,
    },
    async handler(ctx) {
      const input = parseActionInput(
        PROPOSE_CHANGE_ACTION_ID,
        proposeChangeInputSchema,
        ctx.input,
      );
      const outcome = await proposeChangeRequest({
        ctx,
        client,
        body: {
          title: input.title,
          description: input.description,
          changes: input.changes,
        },
        precondition: credentials =>
          assertChangesBelongToEntity({
            client,
            entityRef: input.entityRef,
            changes: input.changes,
            credentials,
          }),
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
    },
  });
}
