import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import {
  GitOpsEnvironmentPicker,
  GitOpsEnvironmentPickerSchema,
  validateGitOpsEnvironment,
} from '../components/ScaffolderFields';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/**
 * `ui:field: GitOpsEnvironmentPicker` for legacy apps: put it inside `<ScaffolderFieldExtensions>` of the
 * `ScaffolderPage` route.
 */
export const GitOpsEnvironmentPickerFieldExtension = legacyGitOpsPlugin.provide(
  createScaffolderFieldExtension({
    name: 'GitOpsEnvironmentPicker',
    component: GitOpsEnvironmentPicker,
    validation: validateGitOpsEnvironment,
    schema: GitOpsEnvironmentPickerSchema.schema,
  }),
);
