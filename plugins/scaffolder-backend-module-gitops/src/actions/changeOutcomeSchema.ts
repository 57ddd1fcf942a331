import { CHANGE_REQUEST_STATES } from '@backstage-gitops/plugin-gitops-common';
import type { Zod } from '../schema/nameSchemas';

/** Output of the actions that propose a change request (see `ChangeOutcome`). */
export const changeOutcomeSchema = (z: Zod) =>
  z.object({
    changeRequestId: z
      .string()
      .optional()
      .describe(
        'The change request (cr-…); absent in a dry run, which creates nothing.',
      ),
    state: z
      .enum(CHANGE_REQUEST_STATES)
      .describe(
        'Its state when proposed (usually pr-open); in a dry run checked, or rejected when policy denies.',
      ),
    pullRequestUrl: z
      .string()
      .optional()
      .describe(
        'The pull request on the forge, when the SCM provider has one.',
      ),
    policyVerdict: z
      .enum(['allow', 'warn', 'deny'])
      .describe('What the policies said about the change.'),
    files: z
      .array(z.string())
      .optional()
      .describe(
        'Dry run only: the config repo files the change would edit or create.',
      ),
  });
