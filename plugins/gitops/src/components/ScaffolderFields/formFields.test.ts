import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import gitopsPlugin from '../..';
import {
  gitopsApplicationPickerFormField,
  gitopsEnvironmentPickerFormField,
} from './formFields';

describe('the scaffolder form fields of the gitops plugin', () => {
  it.each([
    [
      'scaffolder-form-field:gitops/application-picker',
      gitopsApplicationPickerFormField,
    ],
    [
      'scaffolder-form-field:gitops/environment-picker',
      gitopsEnvironmentPickerFormField,
    ],
  ] as const)('installs %s for the scaffolder to load', async (id, field) => {
    const load = createExtensionTester(gitopsPlugin.getExtension(id)).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(await load()).toBe(field);
  });
});
