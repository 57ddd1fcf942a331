import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { validateGitOpsApplication } from './validateGitOpsApplication';

async function errorsOf(
  value: string,
  formData: Record<string, string>,
  options: { api?: GitOpsApi | undefined; entityRefField?: string } = {},
) {
  const api = 'api' in options ? options.api : mockGitOpsApi();
  const validation = createFieldValidation();
  await validateGitOpsApplication(value, validation, {
    apiHolder: {
      get: (ref: { id: string }) =>
        ref.id === gitopsApiRef.id ? api : undefined,
    } as any,
    formData,
    schema: {},
    uiSchema: options.entityRefField
      ? { 'ui:options': { entityRefField: options.entityRefField } }
      : {},
  });
  return validation.__errors ?? [];
}

const SHOP = { entityRef: 'component:default/shop-api' };

describe('validateGitOpsApplication', () => {
  it('accepts an application of the entity', async () => {
    expect(await errorsOf('shop-api-staging', SHOP)).toEqual([]);
  });

  it('refuses an application of another entity', async () => {
    expect(await errorsOf('billing-prod', SHOP)).toEqual([
      'billing-prod is not an application of component:default/shop-api; choose one of its environments',
    ]);
  });

  it('reads the entity from the field entityRefField names', async () => {
    const api = mockGitOpsApi();
    expect(
      await errorsOf(
        'shop-api-dev',
        { service: 'shop-api' },
        { api, entityRefField: 'service' },
      ),
    ).toEqual([]);
    expect(api.getEntityStatus).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'shop-api',
    });
  });

  it('asks for the entity when its field is empty or not a ref', async () => {
    expect(await errorsOf('shop-api-dev', {})).toEqual([
      'Choose the entity before its application',
    ]);
    expect(
      await errorsOf('shop-api-dev', { entityRef: 'component:default/' }),
    ).toEqual(['Choose a valid entity before its application']);
  });

  it('leaves an empty value to the template\u2019s required', async () => {
    const api = mockGitOpsApi();
    expect(await errorsOf('', SHOP, { api })).toEqual([]);
    expect(api.getEntityStatus).not.toHaveBeenCalled();
  });

  it('does not block the form when the app has no GitOps API', async () => {
    expect(await errorsOf('anything', SHOP, { api: undefined })).toEqual([]);
  });
});
