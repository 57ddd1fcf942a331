/** How an application's manifests are produced from its source path. */
export type Renderer = 'plain' | 'kustomize' | 'helm' | 'auto';

/**
 * One deployable unit of one catalog entity in one environment, declared in a config repo
 * (`apiVersion: gitops.backstage.io/v1alpha1`, `kind: Application`).
 */
export interface ApplicationSpec {
  /** Unique within the config repo; also the tracking label value on live objects. */
  name: string;
  /** The catalog entity this application deploys, e.g. `component:default/shop-api`. */
  entityRef: string;
  environment: string;
  source: {
    /** Id of the config repo (from app-config `gitops.configRepos[].id`). */
    repo: string;
    /** Directory in the repo, relative to its root. */
    path: string;
    renderer: Renderer;
    /** Options for a helm chart, as the Application declared them. */
    helm?: {
      /** Values files in the order helm reads them (later ones win), relative to the config root. */
      valueFiles: string[];
      /** Helm's release name; default: the application's name, when at most 53 characters. */
      releaseName?: string;
    };
  };
  destination: {
    /** Cluster name from app-config `gitops.clusters[].name`. */
    cluster: string;
    /** Namespace for namespaced objects that do not set one. */
    namespace: string;
  };
  syncPolicy: {
    automated: boolean;
    prune: boolean;
    selfHeal: boolean;
  };
  /** File in the config repo that declares it, for error messages and links. */
  declaredIn: string;
}
