import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { screen } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from './api/GitOpsApi';
import { MockSignalApi } from './__testUtils__/MockSignalApi';
import { mockGitOpsApi } from './__testUtils__/mockGitOpsApi';
import { shopApiFixtures } from './__testUtils__/shopApiFixtures';
import gitopsPlugin, { GitOpsChangeRequestPage, GitOpsGovernancePage } from '.';

function apis(): [
  [typeof gitopsApiRef, GitOpsApi],
  [typeof signalApiRef, MockSignalApi],
] {
  return [
    [gitopsApiRef, mockGitOpsApi()],
    [signalApiRef, new MockSignalApi()],
  ];
}

describe('gitops plugin', () => {
  const entityCard = gitopsPlugin.getExtension('entity-card:gitops');
  const entityContent = gitopsPlugin.getExtension('entity-content:gitops');

  it('puts the overview card on entities that declare applications', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: shopApiFixtures().entity }),
        entityCard,
      ],
      apis: apis(),
    });

    expect(await screen.findByText('GitOps')).toBeInTheDocument();
    expect(await screen.findByText('staging')).toBeInTheDocument();
  });

  it.each([
    ['card', 'entity-card:gitops'],
    ['tab', 'entity-content:gitops'],
  ] as const)(
    'shows the %s only on entities that declare applications',
    (_, id) => {
      const { entity } = shopApiFixtures();
      const filter = createExtensionTester(gitopsPlugin.getExtension(id)).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      );

      expect(filter?.(entity)).toBe(true);
      expect(
        filter?.({
          ...entity,
          metadata: { name: 'plain', namespace: 'default' },
        }),
      ).toBe(false);
    },
  );

  it('renders the GitOps tab for annotated entities', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: shopApiFixtures().entity }),
        entityContent,
      ],
      apis: apis(),
    });

    expect(
      await screen.findByRole('tab', { name: 'dev', selected: true }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('spec.template.spec.containers[name=web].image'),
    ).toBeInTheDocument();
  });
});

describe('gitops pages', () => {
  const governancePage = gitopsPlugin.getExtension('page:gitops');
  const changeRequestPage = gitopsPlugin.getExtension('page:gitops/changes');
  const catalogEntityRoute = {
    '/catalog/:namespace/:kind/:name': entityRouteRef,
  };

  it('serves the governance page at /gitops with the fleet', async () => {
    renderTestApp({
      extensions: [governancePage, changeRequestPage],
      initialRouteEntries: ['/gitops'],
      mountedRoutes: catalogEntityRoute,
      apis: apis(),
    });

    expect(
      await screen.findByRole('heading', { name: 'GitOps governance' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('ledger-prod')).toBeInTheDocument();
  });

  it('serves a change request below /gitops/changes, not the governance page', async () => {
    renderTestApp({
      extensions: [governancePage, changeRequestPage],
      initialRouteEntries: ['/gitops/changes/cr-42'],
      mountedRoutes: catalogEntityRoute,
      apis: apis(),
    });

    expect(
      await screen.findByRole('heading', {
        name: 'shop-api: image 1.5.0 in prod',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'GitOps governance' }),
    ).not.toBeInTheDocument();
  });

  it('serves the new change request form prefilled from its query', async () => {
    renderTestApp({
      extensions: [governancePage, changeRequestPage],
      initialRouteEntries: [
        '/gitops/changes/new?entity=component:default/shop-api&application=shop-api-prod&type=image',
      ],
      apis: apis(),
    });

    expect(
      await screen.findByRole('heading', { name: 'New change request' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('textbox', { name: 'New image tag' }),
    ).toBeInTheDocument();
  });

  it('links from the entity tab to the change request pages of the same app', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: shopApiFixtures().entity }),
        gitopsPlugin.getExtension('entity-content:gitops'),
        changeRequestPage,
      ],
      apis: apis(),
    });

    // The whole entity page loads first, which takes a while in jsdom.
    const link = await screen.findByRole(
      'link',
      { name: /shop-api: image 1.5.0 in prod/ },
      { timeout: 5000 },
    );
    expect(link).toHaveAttribute('href', '/gitops/changes/cr-42');
  });

  it('keeps the legacy routable pages for apps on the old frontend system', () => {
    expect(GitOpsChangeRequestPage).toEqual(expect.any(Function));
    expect(GitOpsGovernancePage).toEqual(expect.any(Function));
  });
});
