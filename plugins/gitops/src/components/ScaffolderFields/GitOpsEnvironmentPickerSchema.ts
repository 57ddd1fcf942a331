import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/** `ui:field: GitOpsEnvironmentPicker`: an environment the fleet has, or the name of a new one. */
export const GitOpsEnvironmentPickerSchema = makeFieldSchema({
  output: z => z.string(),
});

export type GitOpsEnvironmentPickerProps =
  typeof GitOpsEnvironmentPickerSchema.TProps;
