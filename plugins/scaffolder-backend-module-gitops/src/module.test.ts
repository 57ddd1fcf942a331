import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleGitops } from './module';

describe('scaffolderModuleGitops', () => {
  it('adds the GitOps actions to the scaffolder', async () => {
    const addActions = jest.fn();

    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [scaffolderModuleGitops, mockServices.discovery.factory()],
    });

    expect(addActions.mock.calls.flat().map(action => action.id)).toEqual([
      'gitops:change:propose',
      'gitops:change:wait',
      'gitops:application:create',
    ]);
  });
});
