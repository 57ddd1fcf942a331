import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { GitOpsApplicationPicker } from './GitOpsApplicationPicker';
import type { GitOpsApplicationPickerProps } from './GitOpsApplicationPickerSchema';

/** The picker in a form whose other fields are `form`; `onChange` sees every value it sets. */
function renderPicker(options: {
  api?: GitOpsApi;
  form?: Record<string, unknown>;
  value?: string;
  uiOptions?: { entityRefField?: string };
  onChange?: jest.Mock;
}) {
  const api = options.api ?? mockGitOpsApi();
  const onChange = options.onChange ?? jest.fn();
  function Form() {
    const [value, setValue] = useState<string | undefined>(options.value);
    const props = {
      formData: value,
      onChange: (next?: string) => {
        onChange(next);
        setValue(next);
      },
      schema: { type: 'string', title: 'Environment' },
      uiSchema: { 'ui:options': options.uiOptions ?? {} },
      idSchema: { $id: 'root_application' },
      rawErrors: [],
      required: true,
      formContext: { formData: options.form ?? {} },
    } as unknown as GitOpsApplicationPickerProps;
    return <GitOpsApplicationPicker {...props} />;
  }
  renderInTestApp(<Form />, { apis: [[gitopsApiRef, api]] });
  return { api, onChange };
}

const trigger = () => screen.findByRole('button', { name: /Environment/ });

describe('GitOpsApplicationPicker', () => {
  it('offers the applications of the entity named in entityRef, with their environments', async () => {
    const user = userEvent.setup();
    const { api, onChange } = renderPicker({
      form: { entityRef: 'component:default/shop-api' },
    });

    await waitFor(async () => expect(await trigger()).toBeEnabled());
    await user.click(await trigger());
    const options = await screen.findAllByRole('option');
    expect(options.map(option => option.textContent)).toEqual([
      'dev (shop-api-dev)',
      'staging (shop-api-staging)',
      'prod (shop-api-prod)',
    ]);
    expect(api.getEntityStatus).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'shop-api',
    });

    await user.click(options[1]);
    expect(onChange).toHaveBeenLastCalledWith('shop-api-staging');
  });

  it('reads the entity from the field ui:options.entityRefField names, in short form too', async () => {
    const { api } = renderPicker({
      form: { entityRef: 'component:default/other', service: 'shop-api' },
      uiOptions: { entityRefField: 'service' },
    });
    await waitFor(() =>
      expect(api.getEntityStatus).toHaveBeenCalledWith({
        kind: 'component',
        namespace: 'default',
        name: 'shop-api',
      }),
    );
  });

  it('asks for the entity first while its field is empty', async () => {
    const { api } = renderPicker({ form: {} });
    expect(
      await screen.findByText(
        'Choose the entity first: its applications show here.',
      ),
    ).toBeInTheDocument();
    expect(await trigger()).toBeDisabled();
    expect(api.getEntityStatus).not.toHaveBeenCalled();
  });

  it('says it is loading until the applications arrive', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatus.mockReturnValue(new Promise(() => {}));
    renderPicker({ api, form: { entityRef: 'component:default/shop-api' } });
    expect(
      await screen.findByText('Loading the applications…'),
    ).toBeInTheDocument();
    expect(await trigger()).toBeDisabled();
  });

  it('shows why the applications could not be loaded', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatus.mockRejectedValue(
      new Error('Not allowed to read the GitOps status'),
    );
    renderPicker({ api, form: { entityRef: 'component:default/shop-api' } });
    expect(
      await screen.findByText(
        'Could not load the applications: Not allowed to read the GitOps status',
      ),
    ).toBeInTheDocument();
    expect(await trigger()).toBeDisabled();
  });

  it('says so when the entity has no applications', async () => {
    const api = mockGitOpsApi();
    api.getEntityStatus.mockResolvedValue({
      entityRef: 'component:default/ledger',
      applications: [],
    });
    renderPicker({ api, form: { entityRef: 'component:default/ledger' } });
    expect(
      await screen.findByText(
        'component:default/ledger has no GitOps applications.',
      ),
    ).toBeInTheDocument();
    expect(await trigger()).toBeDisabled();
  });

  it('keeps a value that is one of the entity\u2019s applications', async () => {
    const kept = renderPicker({
      form: { entityRef: 'component:default/shop-api' },
      value: 'shop-api-prod',
    });
    await waitFor(async () => expect(await trigger()).toBeEnabled());
    expect(kept.onChange).not.toHaveBeenCalled();
    expect(await trigger()).toHaveTextContent('prod (shop-api-prod)');
  });

  it('clears a value left from another entity', async () => {
    const { onChange } = renderPicker({
      form: { entityRef: 'component:default/shop-api' },
      value: 'billing-prod',
    });
    await waitFor(() => expect(onChange).toHaveBeenCalledWith(undefined));
  });
});
