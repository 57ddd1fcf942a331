import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { GitOpsEnvironmentPicker } from './GitOpsEnvironmentPicker';
import type { GitOpsEnvironmentPickerProps } from './GitOpsEnvironmentPickerSchema';

function renderPicker(options: { api?: GitOpsApi; value?: string } = {}) {
  const api = options.api ?? mockGitOpsApi();
  const onChange = jest.fn();
  function Form() {
    const [value, setValue] = useState<string | undefined>(options.value);
    const props = {
      formData: value,
      onChange: (next?: string) => {
        onChange(next);
        setValue(next);
      },
      schema: { type: 'string', title: 'Environment' },
      uiSchema: {},
      idSchema: { $id: 'root_environments_0_name' },
      rawErrors: [],
      required: true,
      formContext: { formData: {} },
    } as unknown as GitOpsEnvironmentPickerProps;
    return <GitOpsEnvironmentPicker {...props} />;
  }
  renderInTestApp(<Form />, { apis: [[gitopsApiRef, api]] });
  return { api, onChange };
}

const input = () => screen.findByRole('combobox', { name: /Environment/ });

describe('GitOpsEnvironmentPicker', () => {
  it('offers the environments of the fleet, dev-like first, with their applications and clusters', async () => {
    const user = userEvent.setup();
    const { onChange } = renderPicker();
    await waitFor(() =>
      expect(screen.queryByText('Loading the environments…')).toBeNull(),
    );

    await user.click(await input());
    const options = await screen.findAllByRole('option');
    expect(
      options.map(option => within(option).getAllByText(/\S/)[0].textContent),
    ).toEqual(['dev', 'staging', 'prod']);
    expect(options[2]).toHaveTextContent('2 applications on prod-eu, prod-us');
    expect(options[1]).toHaveTextContent('1 application on staging-cluster');

    await user.click(options[1]);
    expect(onChange).toHaveBeenLastCalledWith('staging');
    expect(await input()).toHaveValue('staging');
    expect(screen.queryByText(/is a new environment/)).toBeNull();
  });

  it('takes the name of a new environment', async () => {
    const user = userEvent.setup();
    const { onChange } = renderPicker();
    await user.type(await input(), 'perf');
    await user.tab();

    expect(onChange).toHaveBeenLastCalledWith('perf');
    expect(await input()).toHaveValue('perf');
    expect(
      await screen.findByText('"perf" is a new environment.'),
    ).toBeInTheDocument();
  });

  it('says at once when a name is not a DNS label', async () => {
    const user = userEvent.setup();
    renderPicker();
    await user.type(await input(), 'Perf_1');

    expect(
      await screen.findByText(
        /^"Perf_1" is not a valid environment name: use at most 63 lower-case letters/,
      ),
    ).toBeInTheDocument();
    expect(await input()).toHaveAttribute('aria-invalid', 'true');
  });

  it('says it is loading until the environments arrive', async () => {
    const api = mockGitOpsApi();
    api.listEnvironments.mockReturnValue(new Promise(() => {}));
    renderPicker({ api });
    expect(
      await screen.findByText('Loading the environments…'),
    ).toBeInTheDocument();
  });

  it('still takes a typed name when the environments cannot be loaded', async () => {
    const user = userEvent.setup();
    const api = mockGitOpsApi();
    api.listEnvironments.mockRejectedValue(
      new Error('Not allowed to read the GitOps fleet'),
    );
    const { onChange } = renderPicker({ api });
    expect(
      await screen.findByText(
        'Could not load the existing environments (Not allowed to read the GitOps fleet); you can still type a name.',
      ),
    ).toBeInTheDocument();

    await user.type(await input(), 'dev');
    expect(onChange).toHaveBeenLastCalledWith('dev');
  });

  it('asks for the first environment when the fleet has none', async () => {
    const api = mockGitOpsApi();
    api.listEnvironments.mockResolvedValue({ items: [] });
    renderPicker({ api });
    expect(
      await screen.findByText(
        'No environments yet: type the name of the first one.',
      ),
    ).toBeInTheDocument();
  });

  it('shows a value from the form', async () => {
    renderPicker({ value: 'prod' });
    expect(await input()).toHaveValue('prod');
  });
});
