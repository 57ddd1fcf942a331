/*
 * Applies one environment of the demo config repo to a cluster by server-side apply, with the tracking
 * label the backend watches by, so `make start` has live objects to reconcile. The portal itself never
 * applies by hand: this seeds the embedded demo cluster only.
 *
 * Usage: applyEnvironment.ts CONFIG_REPO_DIR ENVIRONMENT KUBECONFIG
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeObject } from '@backstage-gitops/gitops-engine';
import { loadApplications, formatApplicationError } from '../../plugins/gitops-backend/src/applications';
import { ApplicationRenderer } from '../../plugins/gitops-backend/src/render';
import { KubeHttpClient } from '../../plugins/gitops-backend/src/cluster';

// Namespaces and CRDs first, so the objects that live in them can be created.
const FIRST = ['Namespace', 'CustomResourceDefinition'];

async function main() {
  const [dir, environment, kubeconfig] = process.argv.slice(2);
  if (!dir || !environment || !kubeconfig) {
    throw new Error('usage: applyEnvironment.ts CONFIG_REPO_DIR ENVIRONMENT KUBECONFIG');
  }
  const { applications, errors } = await loadApplications(dir, 'demo');
  errors.forEach(error => console.error(`warning: ${formatApplicationError(error)}`));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  const client = new KubeHttpClient(kubeConfig);
  const renderer = new ApplicationRenderer();
  const tree = { dir, sha: 'working-tree', treeHash: async (path: string) => path };
  let applied = 0;
  try {
    for (const app of applications.filter(a => a.environment === environment)) {
      const rendered = await renderer.renderApplication(app, tree);
      if (rendered.problem) {
        throw new Error(`${app.name}: ${rendered.problem.message}`);
      }
      const objects = [...rendered.objects].sort(
        (a: KubeObject, b: KubeObject) =>
          Number(FIRST.includes(b.kind)) - Number(FIRST.includes(a.kind)),
      );
      for (const object of objects) {
        await client.apply(object, { fieldManager: 'backstage-gitops', force: true });
        applied++;
      }
      console.error(`applied ${app.name}: ${objects.length} objects`);
    }
  } finally {
    client.close();
  }
  console.error(`applied ${applied} objects of environment ${environment}`);
}

main().catch(error => {
  console.error(`applyEnvironment: ${error.message ?? error}`);
  process.exit(1);
});
