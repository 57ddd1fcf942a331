import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { screen } from '@testing-library/react';
import { gitopsApiRef, type GitOpsApi } from './api/GitOpsApi';
import { MockSignalApi } from './__testUtils__/MockSignalApi';
import { shopApiFixtures } from './__testUtils__/shopApiFixtures';
import gitopsPlugin from '.';

function apis(): [
  [typeof gitopsApiRef, GitOpsApi],
  [typeof signalApiRef, MockSignalApi],
] {
  const fixtures = shopApiFixtures();
  return [
    [
      gitopsApiRef,
      {
        getEntityStatus: jest.fn().mockResolvedValue(fixtures.status),
        getApplication: jest.fn().mockResolvedValue(fixtures.devDetail),
        getApplicationHistory: jest.fn().mockResolvedValue(fixtures.devHistory),
      },
    ],
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
