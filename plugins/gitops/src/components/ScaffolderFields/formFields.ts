import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { GitOpsApplicationPicker } from './GitOpsApplicationPicker';
import { GitOpsApplicationPickerSchema } from './GitOpsApplicationPickerSchema';
import { GitOpsEnvironmentPicker } from './GitOpsEnvironmentPicker';
import { GitOpsEnvironmentPickerSchema } from './GitOpsEnvironmentPickerSchema';
import { validateGitOpsApplication } from './validateGitOpsApplication';
import { validateGitOpsEnvironment } from './validateGitOpsEnvironment';

/** `ui:field: GitOpsApplicationPicker` for the new frontend system's scaffolder. */
export const gitopsApplicationPickerFormField = createFormField({
  name: 'GitOpsApplicationPicker',
  component: GitOpsApplicationPicker,
  validation: validateGitOpsApplication,
  schema: GitOpsApplicationPickerSchema,
});

/** `ui:field: GitOpsEnvironmentPicker` for the new frontend system's scaffolder. */
export const gitopsEnvironmentPickerFormField = createFormField({
  name: 'GitOpsEnvironmentPicker',
  component: GitOpsEnvironmentPicker,
  validation: validateGitOpsEnvironment,
  schema: GitOpsEnvironmentPickerSchema,
});
