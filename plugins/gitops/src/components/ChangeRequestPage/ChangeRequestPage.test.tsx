import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  GITOPS_CHANGE_SIGNAL_CHANNEL,
  type ChangeRequest,
} from '@backstage-gitops/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { changeRequestsRouteRef } from '../../routes';
import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { MockSignalApi } from '../../__testUtils__/MockSignalApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { ChangeRequestPage } from './ChangeRequestPage';

const NEW_IMAGE_CHANGE =
  '/gitops/changes/new?entity=component:default/shop-api&application=shop-api-prod&type=image';

function renderPage(
  path: string,
  gitopsApi: GitOpsApi = mockGitOpsApi(),
  signals = new MockSignalApi(),
) {
  renderInTestApp(<ChangeRequestPage />, {
    mountPath: '/gitops/changes',
    initialRouteEntries: [path],
    mountedRoutes: {
      '/gitops/changes': changeRequestsRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
    apis: [
      [gitopsApiRef, gitopsApi],
      [signalApiRef, signals],
    ],
  });
  return signals;
}

const STATUS_TEXTS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
};

async function responseError(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: STATUS_TEXTS[status],
        headers: { 'Content-Type': 'application/json' },
      },
    ),
  );
}

const submitButton = () => screen.getByRole('button', { name: 'Submit' });

async function previewImageTag(tag = '1.5.0') {
  const user = userEvent.setup();
  await user.type(
    await screen.findByRole('textbox', { name: 'New image tag' }),
    tag,
  );
  await user.click(screen.getByRole('button', { name: 'Preview' }));
  return user;
}

describe('ChangeRequestPage: a new change request', () => {
  it('opens prefilled from the query, previews files, manifests, policy and approvals, then submits', async () => {
    const gitopsApi = mockGitOpsApi();
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    expect(
      await screen.findByRole('heading', { name: 'New change request' }),
    ).toBeInTheDocument();
    expect(gitopsApi.getEntityStatus).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'shop-api',
    });
    expect(
      await screen.findByRole('button', { name: /Image tag.*Kind of change/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /prod \(shop-api-prod\).*Application/,
      }),
    ).toBeInTheDocument();
    expect(submitButton()).toBeDisabled();

    const user = await previewImageTag();

    expect(gitopsApi.previewChange).toHaveBeenCalledWith({
      changes: [{ type: 'image', application: 'shop-api-prod', tag: '1.5.0' }],
    });
    const files = await screen.findByRole('group', {
      name: 'Diff of apps/shop-api/overlays/prod/kustomization.yaml',
    });
    expect(
      within(files).getByText('newTag: 1.5.0', { exact: false }),
    ).toBeInTheDocument();
    expect(
      within(files).getByText('newTag: 1.4.2', { exact: false }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Against config repo commit 3f9c2e7'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'prod', selected: true }),
    ).toBeInTheDocument();
    const manifest = screen.getByRole('group', {
      name: 'Diff of Deployment shop-prod/shop-api',
    });
    expect(
      within(manifest).getByText('image: ghcr.io/acme/shop-api:1.5.0', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Policy allows this change')).toBeInTheDocument();
    expect(
      screen.getByText('Change window open for prod.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('prod: 1 approval from group:default/platform-team'),
    ).toBeInTheDocument();

    await waitFor(() => expect(submitButton()).toBeEnabled());
    await user.click(submitButton());

    await waitFor(() =>
      expect(gitopsApi.createChangeRequest).toHaveBeenCalled(),
    );
    const body = gitopsApi.createChangeRequest.mock.calls[0][0];
    expect(body).toMatchObject({
      changes: [{ type: 'image', application: 'shop-api-prod', tag: '1.5.0' }],
      baseSha: '3f9c2e7a1b4d5c6e7f8091a2b3c4d5e6f7081920',
    });
    expect(body.idempotencyKey).toMatch(/^[\w-]{8,128}$/);
    // The page follows the new request.
    expect(
      await screen.findByRole('heading', {
        name: 'shop-api: image 1.5.0 in prod',
      }),
    ).toBeInTheDocument();
    expect(gitopsApi.getChangeRequest).toHaveBeenCalledWith('cr-42');
  });

  it('blocks submit when policy denies, and says why', async () => {
    const gitopsApi = mockGitOpsApi();
    const { preview } = changeFixtures();
    gitopsApi.previewChange.mockResolvedValue({
      ...preview,
      policy: {
        verdict: 'deny',
        findings: [
          {
            policy: 'require-pinned-tags',
            object: 'apps/Deployment/shop-prod/shop-api',
            application: 'shop-api-prod',
            action: 'Deny',
            message: 'tag latest is not pinned',
          },
        ],
      },
    });
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    await previewImageTag('latest');

    expect(
      await screen.findByText('Policy denies this change'),
    ).toBeInTheDocument();
    expect(screen.getByText(/tag latest is not pinned/)).toBeInTheDocument();
    expect(
      screen.getByText('Policy denies this change, so it cannot be submitted.'),
    ).toBeInTheDocument();
    expect(submitButton()).toBeDisabled();
  });

  it('shows a policy warning and still lets the change be submitted', async () => {
    const gitopsApi = mockGitOpsApi();
    const { preview } = changeFixtures();
    gitopsApi.previewChange.mockResolvedValue({
      ...preview,
      policy: {
        verdict: 'warn',
        findings: [
          {
            policy: 'require-requests',
            object: 'apps/Deployment/shop-prod/shop-api',
            application: 'shop-api-prod',
            action: 'Warn',
            message: 'no memory request',
          },
        ],
      },
    });
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    await previewImageTag();

    expect(
      await screen.findByText('Policy warns about this change'),
    ).toBeInTheDocument();
    expect(screen.getByText(/no memory request/)).toBeInTheDocument();
    await waitFor(() => expect(submitButton()).toBeEnabled());
  });

  it('blocks submit while a change window is closed, with when it opens', async () => {
    const gitopsApi = mockGitOpsApi();
    const { preview } = changeFixtures();
    gitopsApi.previewChange.mockResolvedValue({
      ...preview,
      windows: [
        {
          environment: 'prod',
          open: false,
          reason: 'deny: Fridays from 16:00 (Europe/Berlin)',
          nextOpenAt: '2026-11-23T08:00:00Z',
        },
      ],
    });
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    await previewImageTag();

    expect(
      await screen.findByText('Change window closed for prod'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /deny: Fridays from 16:00 \(Europe\/Berlin\)\. Opens next/,
      ),
    ).toBeInTheDocument();
    expect(submitButton()).toBeDisabled();
  });

  it('asks for a new preview when the change is edited after one', async () => {
    renderPage(NEW_IMAGE_CHANGE);
    const user = await previewImageTag();
    await waitFor(() => expect(submitButton()).toBeEnabled());

    await user.type(
      screen.getByRole('textbox', { name: 'New image tag' }),
      '1',
    );

    expect(submitButton()).toBeDisabled();
    expect(
      screen.getByText(
        'The change was edited after its preview: preview it again before submitting.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Policy allows this change'),
    ).not.toBeInTheDocument();
  });

  it('says what is missing instead of previewing an incomplete change', async () => {
    renderPage(NEW_IMAGE_CHANGE);

    expect(
      await screen.findByText('Enter the new image tag.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();
  });

  it('shows the backend error when the preview is refused', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.previewChange.mockRejectedValue(
      await responseError(
        400,
        'InputError',
        'shop-api-prod has two workloads; name one',
      ),
    );
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    await previewImageTag();

    expect(
      await screen.findByText('shop-api-prod has two workloads; name one'),
    ).toBeInTheDocument();
    expect(submitButton()).toBeDisabled();
  });

  it('shows a conflict on submit and stays on the form', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.createChangeRequest.mockRejectedValue(
      await responseError(
        409,
        'ConflictError',
        'Change window closed for prod',
      ),
    );
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);
    const user = await previewImageTag();
    await waitFor(() => expect(submitButton()).toBeEnabled());

    await user.click(submitButton());

    expect(
      await screen.findByText(/Change window closed for prod$/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'New change request' }),
    ).toBeInTheDocument();
  });

  it('previews a codify of a drifted field straight from its link', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderPage(
      '/gitops/changes/new?entity=component:default/shop-api&application=shop-api-dev&type=codify' +
        '&resource=apps/Deployment/shop-dev/shop-api&path=spec.template.spec.containers%5Bname%3Dweb%5D.image',
      gitopsApi,
    );

    await user.click(await screen.findByRole('button', { name: 'Preview' }));

    expect(gitopsApi.previewChange).toHaveBeenCalledWith({
      changes: [
        {
          type: 'codify',
          application: 'shop-api-dev',
          resource: {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'shop-dev',
            name: 'shop-api',
          },
          path: 'spec.template.spec.containers[name=web].image',
        },
      ],
    });
  });

  it('offers the merged change requests of the entity for a rollback', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderPage(
      '/gitops/changes/new?entity=component:default/shop-api&type=rollback',
      gitopsApi,
    );

    await user.click(
      await screen.findByRole('button', {
        name: /Change request to roll back/,
      }),
    );
    const options = await screen.findAllByRole('option');
    // Only the merged one: cr-42 is still an open PR.
    expect(options.map(option => option.textContent)).toEqual([
      'shop-api: 3 replicas in staging (cr-41)',
    ]);
    expect(gitopsApi.listChangeRequests).toHaveBeenCalledWith({
      entityRef: 'component:default/shop-api',
      limit: 50,
    });
    await user.click(options[0]);
    await user.click(screen.getByRole('button', { name: 'Preview' }));

    expect(gitopsApi.previewChange).toHaveBeenCalledWith({
      changes: [{ type: 'rollback', changeRequest: 'cr-41' }],
    });
  });

  it('switches the fields with the kind of change', async () => {
    const user = userEvent.setup();
    renderPage(NEW_IMAGE_CHANGE);

    await user.click(
      await screen.findByRole('button', { name: /Kind of change/ }),
    );
    await user.click(
      await screen.findByRole('option', {
        name: 'Unset an environment variable',
      }),
    );

    expect(
      await screen.findByRole('textbox', { name: 'Variable name' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('textbox', { name: 'Value' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('textbox', { name: 'New image tag' }),
    ).not.toBeInTheDocument();
  });

  it('asks for the entity when the link names none', async () => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderPage('/gitops/changes/new', gitopsApi);

    await user.type(
      await screen.findByRole('textbox', { name: 'Entity reference' }),
      'component:default/shop-api',
    );
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(
      await screen.findByRole('button', { name: /Kind of change/ }),
    ).toBeInTheDocument();
    expect(gitopsApi.getEntityStatus).toHaveBeenCalledTimes(1);
  });

  it('shows progress while the entity loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockReturnValue(new Promise(() => {}));
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when the entity cannot be read', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockRejectedValue(
      await responseError(
        403,
        'NotAllowedError',
        'Not allowed to read component:default/shop-api',
      ),
    );
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    expect(
      await screen.findByText('Not allowed to read component:default/shop-api'),
    ).toBeInTheDocument();
  });

  it('says so when the entity has no application to change', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getEntityStatus.mockResolvedValue({
      entityRef: 'component:default/shop-api',
      applications: [],
    });
    renderPage(NEW_IMAGE_CHANGE, gitopsApi);

    expect(
      await screen.findByText('No applications deploy this entity yet'),
    ).toBeInTheDocument();
  });
});

describe('ChangeRequestPage: one change request', () => {
  it('shows the lifecycle with timestamps, the PR and who must approve', async () => {
    renderPage('/gitops/changes/cr-42');

    expect(
      await screen.findByRole('heading', {
        name: 'shop-api: image 1.5.0 in prod',
      }),
    ).toBeInTheDocument();
    const steps = within(screen.getByRole('list', { name: 'Lifecycle' }))
      .getAllByRole('listitem')
      .map(step => step.textContent);
    expect(steps).toEqual([
      'Draft30m ago',
      'Checked29m ago',
      'PR open20m ago',
      'Mergednot yet',
      'Syncednot yet',
      'Healthynot yet',
    ]);
    expect(
      within(screen.getByRole('list', { name: 'Lifecycle' }))
        .getByText('PR open')
        .closest('li'),
    ).toHaveAttribute('aria-current', 'step');
    expect(screen.getByRole('link', { name: 'github #42' })).toHaveAttribute(
      'href',
      'https://github.com/acme/fleet-config/pull/42',
    );
    expect(screen.getByText(/branch/)).toHaveTextContent(
      'branch gitops/cr-42 · checks success',
    );
    expect(
      screen.getByText(
        'Required: prod: 1 approval from group:default/platform-team',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Nobody has approved yet.')).toBeInTheDocument();
    expect(
      screen.getByText('Set the image tag to 1.5.0 in shop-api-prod'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Timeline' })).getAllByRole(
        'listitem',
      ),
    ).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Merge' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });

  it('approves and shows the request as the backend returns it', async () => {
    const { prOpen } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.approveChangeRequest.mockResolvedValue({
      ...prOpen,
      approvals: [
        {
          by: 'user:default/carol',
          at: new Date().toISOString(),
          source: 'backstage',
        },
      ],
    });
    const user = userEvent.setup();
    renderPage('/gitops/changes/cr-42', gitopsApi);

    await user.click(await screen.findByRole('button', { name: 'Approve' }));

    expect(gitopsApi.approveChangeRequest).toHaveBeenCalledWith('cr-42');
    expect(
      await screen.findByText(/user:default\/carol \(in Backstage\)/),
    ).toBeInTheDocument();
  });

  it('shows the catalog user a GitHub review counts as, and one not resolved yet by its login', async () => {
    const { prOpen } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getChangeRequest.mockResolvedValue({
      ...prOpen,
      approvals: [
        {
          by: 'bobby-gh',
          at: new Date().toISOString(),
          source: 'forge',
          user: 'user:default/bob',
          groups: ['user:default/bob', 'group:default/platform-team'],
        },
        { by: 'carol', at: new Date().toISOString(), source: 'forge' },
      ],
    });
    renderPage('/gitops/changes/cr-42', gitopsApi);

    const approvals = within(
      await screen.findByRole('list', { name: 'Approvals' }),
    )
      .getAllByRole('listitem')
      .map(item => item.textContent);
    expect(approvals).toEqual([
      expect.stringMatching(
        /^bobby-gh as user:default\/bob \(on the forge, member of user:default\/bob, group:default\/platform-team\), /,
      ),
      expect.stringMatching(/^carol \(on the forge\), /),
    ]);
  });

  it.each([
    ['Merge', 'mergeChangeRequest'],
    ['Cancel', 'cancelChangeRequest'],
  ] as const)('%s calls %s for this request', async (button, method) => {
    const gitopsApi = mockGitOpsApi();
    const user = userEvent.setup();
    renderPage('/gitops/changes/cr-42', gitopsApi);

    await user.click(await screen.findByRole('button', { name: button }));

    await waitFor(() =>
      expect(gitopsApi[method]).toHaveBeenCalledWith('cr-42'),
    );
  });

  it('shows why an action was refused', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.mergeChangeRequest.mockRejectedValue(
      await responseError(
        409,
        'ConflictError',
        'cr-42 needs 1 approval from group:default/platform-team',
      ),
    );
    const user = userEvent.setup();
    renderPage('/gitops/changes/cr-42', gitopsApi);

    await user.click(await screen.findByRole('button', { name: 'Merge' }));

    expect(
      await screen.findByText(
        'cr-42 needs 1 approval from group:default/platform-team',
      ),
    ).toBeInTheDocument();
  });

  it('follows the request live on gitops:change signals for it, and only those', async () => {
    const { prOpen } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    const merged: ChangeRequest = {
      ...prOpen,
      state: 'merged',
      events: [
        ...prOpen.events,
        {
          at: new Date().toISOString(),
          state: 'merged',
          actor: 'user:default/bob',
        },
      ],
    };
    gitopsApi.getChangeRequest
      .mockResolvedValueOnce(prOpen)
      .mockResolvedValueOnce(merged);
    const signals = renderPage('/gitops/changes/cr-42', gitopsApi);
    await screen.findByRole('button', { name: 'Merge' });

    signals.publish(GITOPS_CHANGE_SIGNAL_CHANNEL, {
      id: 'cr-99',
      entityRef: 'component:default/shop-api',
      state: 'merged',
    });
    expect(gitopsApi.getChangeRequest).toHaveBeenCalledTimes(1);

    signals.publish(GITOPS_CHANGE_SIGNAL_CHANNEL, {
      id: 'cr-42',
      entityRef: 'component:default/shop-api',
      state: 'merged',
    });

    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Merge' }),
      ).not.toBeInTheDocument(),
    );
    const lifecycle = within(screen.getByRole('list', { name: 'Lifecycle' }));
    expect(lifecycle.getByText('Merged').closest('li')).toHaveTextContent(
      'Merged0s ago',
    );
    expect(gitopsApi.getChangeRequest).toHaveBeenCalledTimes(2);
  });

  it('ends a rejected request at the rejection, with the reason and no actions', async () => {
    const { rejected } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getChangeRequest.mockResolvedValue(rejected);
    renderPage('/gitops/changes/cr-40', gitopsApi);

    await screen.findByRole('heading', { name: rejected.title });
    const steps = within(screen.getByRole('list', { name: 'Lifecycle' }))
      .getAllByRole('listitem')
      .map(step => step.textContent);
    expect(steps).toEqual([
      'Draft1h ago',
      'Rejected1h agodenied by policy disallow-privileged',
    ]);
    expect(
      screen.getByText(/privileged containers are not allowed/),
    ).toBeInTheDocument();
    for (const name of ['Approve', 'Merge', 'Cancel', 'Roll back']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
      expect(screen.queryByRole('link', { name })).not.toBeInTheDocument();
    }
  });

  it('links a healthy request to its rollback', async () => {
    const { merged } = changeFixtures();
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getChangeRequest.mockResolvedValue(merged);
    renderPage('/gitops/changes/cr-41', gitopsApi);

    const rollback = await screen.findByRole('link', { name: 'Roll back' });
    const url = new URL(rollback.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe('/gitops/changes/new');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      entity: 'component:default/shop-api',
      type: 'rollback',
      changeRequest: 'cr-41',
    });
    expect(
      screen.getByText(/user:default\/bob \(in Backstage\)/),
    ).toBeInTheDocument();
  });

  it('shows progress while the request loads', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getChangeRequest.mockReturnValue(new Promise(() => {}));
    renderPage('/gitops/changes/cr-42', gitopsApi);

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error for an unknown request', async () => {
    const gitopsApi = mockGitOpsApi();
    gitopsApi.getChangeRequest.mockRejectedValue(
      await responseError(404, 'NotFoundError', 'No change request cr-404'),
    );
    renderPage('/gitops/changes/cr-404', gitopsApi);

    expect(
      await screen.findByText('No change request cr-404'),
    ).toBeInTheDocument();
  });
});
