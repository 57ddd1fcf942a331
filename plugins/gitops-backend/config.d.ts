import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  gitops?: {
    /** Where config repos are cloned and rendered. Defaults to `<backend working directory>/gitops`. */
    workingDirectory?: string;

    /** Field manager used for server-side apply and to recognise fields we own. Default `backstage-gitops`. */
    fieldManager?: string;

    /**
     * How drift is judged: `assert` compares only what Git sets (plus fields we own that Git dropped);
     * `strict` also reports fields added by hand with kubectl (edit, patch, label, scale). Default `strict`.
     */
    diffMode?: 'assert' | 'strict';

    /** Config repositories holding Applications and their manifests. */
    configRepos?: Array<{
      /** Short id, used in URLs and as the Application's `source.repo`. */
      id: string;
      /** https, ssh or file URL, or a local path. Credentials come from `integrations`. */
      url: string;
      /** Branch holding the desired state. Default `main`. */
      branch?: string;
      /** Subdirectory of the repo holding `applications/` (and usually `apps/`). Default: the root. */
      path?: string;
    }>;

    /**
     * Clusters applications deploy to, in the shape of the Kubernetes plugin's `type: config` entries,
     * or a kubeconfig file, or the cluster the backend runs in.
     */
    clusters?: Array<{
      name: string;
      /** API server URL, for `authProvider: serviceAccount`. */
      url?: string;
      authProvider?: 'serviceAccount';
      /** @visibility secret */
      serviceAccountToken?: string;
      /** Base64 PEM of the API server's CA. */
      caData?: string;
      caFile?: string;
      skipTLSVerify?: boolean;
      /** A kubeconfig file and optionally one of its contexts, instead of url and token. */
      kubeconfig?: {
        path: string;
        context?: string;
      };
      /** Use the service account of the pod the backend runs in. */
      inCluster?: boolean;
    }>;

    webhooks?: {
      github?: {
        /**
         * Secret of the GitHub webhook (`POST /api/events/http/github`); pushes are verified with it.
         * @visibility secret
         */
        secret?: string;
        /**
         * Secrets still accepted while a rotation is under way.
         * @visibility secret
         */
        previousSecrets?: string[];
      };
    };

    /** How often each config repo is probed with `git ls-remote` (webhooks make it immediate). */
    poll?: SchedulerServiceTaskScheduleDefinitionConfig;
  };
}
