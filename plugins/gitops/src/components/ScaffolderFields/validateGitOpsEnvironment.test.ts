import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { validateGitOpsEnvironment } from './validateGitOpsEnvironment';

function errorsOf(value: unknown, uiSchema: object = {}) {
  const validation = createFieldValidation();
  validateGitOpsEnvironment(value as string, validation, {
    apiHolder: { get: () => undefined },
    formData: {},
    schema: {},
    uiSchema,
  });
  return validation.__errors ?? [];
}

describe('validateGitOpsEnvironment', () => {
  it.each([
    ['dev', true],
    ['prod-eu-1', true],
    ['a', true],
    ['1', true],
    ['x'.repeat(63), true],
    ['', true],
    ['x'.repeat(64), false],
    ['Prod', false],
    ['prod_eu', false],
    ['-dev', false],
    ['dev-', false],
    ['dev.eu', false],
    ['dev eu', false],
  ])('%p is valid: %p', (name, valid) => {
    expect(errorsOf(name)).toEqual(
      valid
        ? []
        : [
            `"${name}" is not a valid environment name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit`,
          ],
    );
  });

  it('checks each item when the scaffolder passes a whole array of objects', () => {
    const uiSchema = {
      name: { 'ui:field': 'GitOpsEnvironmentPicker' },
      namespace: {},
    };
    expect(
      errorsOf(
        [
          { name: 'dev', namespace: 'Not_Checked' },
          { name: 'Prod', namespace: 'shop' },
          { namespace: 'shop' },
        ],
        uiSchema,
      ),
    ).toEqual([
      'Item 2: "Prod" is not a valid environment name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    ]);
  });

  it('checks each item of an array of names', () => {
    expect(errorsOf(['dev', 'QA'])).toHaveLength(1);
  });
});
