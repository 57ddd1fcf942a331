/*
 * One backend replica for the process-level tests: the real gitops plugin in a real Backstage backend
 * (`createBackend`: database, scheduler, HTTP server, lifecycle), started by `ReplicaProcess` as its own
 * node process. Only what lies outside the plugin is stubbed: the catalog (empty), users (every request is
 * alice's) and permissions (all allowed).
 *
 *   GITOPS_REPLICA_CONFIG      app-config as JSON (backend.listen, backend.database, gitops.*)
 *   GITOPS_REPLICA_HANG_FILE   when set, opening a PR pushes the branch, writes the branch name to this file,
 *                              then never returns: a process to kill between storing a request and its PR
 */
import { createBackend } from '@backstage/backend-defaults';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitopsScmProvidersExtensionPoint } from '@backstage-gitops/plugin-gitops-node';
import { promises as fs } from 'node:fs';
import { LocalScmProvider } from '../../changes/scm/LocalScmProvider';
import { gitopsPlugin } from '../../plugin';

const hangFile = process.env.GITOPS_REPLICA_HANG_FILE;

/** The local provider, stuck after pushing the branch and before the PR is recorded. */
const hangingScmModule = createBackendModule({
  pluginId: 'gitops',
  moduleId: 'hanging-scm',
  register(reg) {
    reg.registerInit({
      deps: { providers: gitopsScmProvidersExtensionPoint },
      async init({ providers }) {
        const local = new LocalScmProvider();
        providers.addScmProvider({
          type: 'local',
          supports: repository => local.supports(repository),
          async openPullRequest(proposal) {
            await local.openPullRequest(proposal);
            await fs.writeFile(hangFile!, proposal.branch);
            return new Promise<never>(() => {});
          },
          getPullRequest: (repository, pr) =>
            local.getPullRequest(repository, pr),
          mergePullRequest: (repository, pr, options) =>
            local.mergePullRequest(repository, pr, options),
          closePullRequest: (repository, pr) =>
            local.closePullRequest(repository, pr),
          setCommitStatus: (repository, sha, status) =>
            local.setCommitStatus(repository, sha, status),
        });
      },
    });
  },
});

async function main() {
  const config = JSON.parse(process.env.GITOPS_REPLICA_CONFIG ?? '{}');
  const backend = createBackend();
  backend.add(mockServices.rootConfig.factory({ data: config }));
  backend.add(
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.user('user:default/alice'),
    }),
  );
  backend.add(mockServices.auth.factory());
  backend.add(mockServices.permissions.factory());
  backend.add(mockServices.userInfo.factory());
  backend.add(catalogServiceMock.factory({ entities: [] }));
  backend.add(gitopsPlugin);
  if (hangFile) backend.add(hangingScmModule);
  await backend.start();
  // The parent waits for this line.
  process.stdout.write(
    `${JSON.stringify({ ready: true, pid: process.pid })}\n`,
  );
  const stop = () => {
    backend.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`replica failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
