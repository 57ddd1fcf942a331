import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/** `ui:field: GitOpsApplicationPicker`: one application (one environment) of the entity another field names. */
export const GitOpsApplicationPickerSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      entityRefField: z
        .string()
        .optional()
        .describe(
          'The form field holding the entity whose applications are offered; defaults to entityRef',
        ),
    }),
});

export type GitOpsApplicationPickerProps =
  typeof GitOpsApplicationPickerSchema.TProps;

export interface GitOpsApplicationPickerUiOptions {
  entityRefField?: string;
}
