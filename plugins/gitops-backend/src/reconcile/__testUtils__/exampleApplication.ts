import {
  TRACKING_LABEL,
  parseManifests,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';

export interface ExampleApplicationOptions {
  name: string;
  entityRef: string;
  cluster: string;
  /** Created beforehand; the manifests name none, the destination fills it in. */
  namespace: string;
  /** Image of the Deployment's `web` container. */
  image: string;
}

export interface ExampleApplication {
  applicationFile: string;
  manifestFile: string;
  /** Config repo files (path to content) declaring the application and its plain-YAML manifests. */
  files: Record<string, string>;
  /** The objects as a sync applies them: namespace filled in, tracking label added. */
  objects: KubeObject[];
}

/** A config repo application of three plain-YAML objects: a Deployment, a Service and a ConfigMap. */
export function exampleApplication(
  options: ExampleApplicationOptions,
): ExampleApplication {
  const { name, namespace } = options;
  const applicationFile = `applications/${name}.yaml`;
  const manifestFile = `apps/${name}/manifests.yaml`;
  const application = `apiVersion: gitops.backstage.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  entityRef: ${options.entityRef}
  environment: dev
  source:
    path: apps/${name}
    renderer: plain
  destination:
    cluster: ${options.cluster}
    namespace: ${namespace}
`;
  const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: web
          image: ${options.image}
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-settings
data:
  greeting: hello
  mode: normal
`;
  const objects = parseManifests(manifests, { file: manifestFile }).map(
    object => ({
      ...object,
      metadata: {
        ...object.metadata,
        namespace,
        labels: { ...object.metadata.labels, [TRACKING_LABEL]: name },
      },
    }),
  );
  return {
    applicationFile,
    manifestFile,
    files: { [applicationFile]: application, [manifestFile]: manifests },
    objects,
  };
}
