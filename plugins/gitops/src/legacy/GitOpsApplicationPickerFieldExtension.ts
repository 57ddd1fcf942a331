import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import {
  GitOpsApplicationPicker,
  GitOpsApplicationPickerSchema,
  validateGitOpsApplication,
} from '../components/ScaffolderFields';
import { legacyGitOpsPlugin } from './legacyGitOpsPlugin';

/**
 * `ui:field: GitOpsApplicationPicker` for legacy apps: put it inside `<ScaffolderFieldExtensions>` of the
 * `ScaffolderPage` route.
 */
export const GitOpsApplicationPickerFieldExtension = legacyGitOpsPlugin.provide(
  createScaffolderFieldExtension({
    name: 'GitOpsApplicationPicker',
    component: GitOpsApplicationPicker,
    validation: validateGitOpsApplication,
    schema: GitOpsApplicationPickerSchema.schema,
  }),
);
