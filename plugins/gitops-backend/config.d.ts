import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

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
     * Which config repo remotes are accepted: `any` (default) takes https, ssh, file URLs and local paths;
     * `integrations` only https and ssh remotes on a host configured under `integrations`.
     */
    configRepoRemotes?: 'any' | 'integrations';

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

    /** Per environment (an Application's `spec.environment`): what governs changes to it. */
    environments?: {
      [environment: string]: {
        /**
         * When changes may be applied, as Argo CD sync windows: an active `deny` window blocks; once any
         * `allow` window exists, changes happen only inside one; deny wins. Automated syncs wait for the
         * window to open; a manual sync goes through only when every blocking window sets `manualSync`.
         */
        changeWindows?: Array<{
          kind: 'allow' | 'deny';
          /** Five-field cron (`minute hour day-of-month month day-of-week`) of when each window opens. */
          schedule: string;
          /** How long each window lasts, e.g. `1h30m`, `45m`. */
          duration: string;
          /** IANA time zone the schedule is read in, e.g. `Europe/Berlin`. Default `UTC`. */
          timeZone?: string;
          /** A manual sync may go ahead while this window blocks. Default false. */
          manualSync?: boolean;
          /** Shown where the window blocks a change, e.g. `Fridays from 16:00`. */
          description?: string;
        }>;
        /**
         * Approvals a change request needs before it may merge, e.g. prod: `{ count: 1, from:
         * ['group:default/platform-team'] }`. Requesters never approve their own change; approvers need
         * `gitops.change.approve` on the entity. Reviews on the forge count too.
         */
        approvals?: {
          count: number;
          /** Users or groups whose approvals count; anyone allowed to approve when absent. */
          from?: string[];
        };
      };
    };

    /** Policies (`kind: Policy` YAML documents) checked on every change request besides the config repo's `policies/`. */
    policies?: string[];

    /** Change requests. */
    changes?: {
      /** Author of the commits change requests make; the requester is named in a `Requested-by` trailer. */
      commitAuthor?: { name: string; email: string };
      /** A merged change that is not synced and healthy within this long fails. Default 30 minutes. */
      healthTimeout?: HumanDuration | string;
      /** How often open change requests are checked on the forge. Default every 15 seconds. */
      track?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /** Automated sync (Applications with `syncPolicy.automated`). */
    sync?: {
      /**
       * Pacing of self-heal when something keeps reverting our changes: the n-th self-heal in a row waits
       * `initialSeconds * factor^n` after the previous sync, at most `maxSeconds`; the count starts over
       * once the application stayed synced for `maxSeconds`. Defaults 2, 3 and 300.
       */
      selfHealBackoff?: {
        initialSeconds?: number;
        factor?: number;
        maxSeconds?: number;
      };
    };

    /** Several backend replicas on one PostgreSQL: each cluster is watched, reconciled and synced by one of them. */
    replicas?: {
      /**
       * How long a replica's lease on a cluster lasts without renewal; leases are renewed every third of it.
       * A replica that dies is replaced on its clusters within about this long plus a third. Default 15.
       */
      leaseSeconds?: number;
    };
  };
}
