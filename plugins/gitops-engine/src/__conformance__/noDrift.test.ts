import { diffObjects } from '../diff/diffObjects';
import type { DiffOptions } from '../diff/Drift';
import { compactLiveObject } from '../live/compactLiveObject';
import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeObject } from '../types';
import {
  CORPUS_NAMESPACE,
  applyCorpus,
  loadCorpus,
} from './__testUtils__/corpus';
import type { ControlPlane } from './__testUtils__/controlPlane';
import {
  START_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  describeConformance,
  startControlPlane,
  stopControlPlane,
  waitFor,
} from './__testUtils__/controlPlane';

type Spec = Record<string, any>;

const corpus = loadCorpus();
const crds = corpus
  .map(entry => entry.object)
  .filter(obj => obj.kind === 'CustomResourceDefinition');
const schema = SchemaRegistry.builtin().withCustomResourceDefinitions(crds);
const NO_DRIFT = { modified: false, diffs: [], warnings: [] };

/** The corpus object whose label ends with `suffix`, e.g. `Deployment web`. */
function byLabel(suffix: string): KubeObject {
  const found = corpus.find(entry => entry.label.endsWith(`: ${suffix}`));
  if (!found) throw new Error(`no ${suffix} in the corpus`);
  return found.object;
}

function options(mode: 'assert' | 'strict'): DiffOptions {
  return { mode, defaultNamespace: CORPUS_NAMESPACE, schema };
}

function condition(obj: KubeObject, type: string): Spec | undefined {
  return ((obj.status as Spec)?.conditions ?? []).find(
    (c: Spec) => c.type === type,
  );
}

describeConformance(
  'the corpus, applied with server-side apply, shows no drift',
  () => {
    let plane: ControlPlane | undefined;

    async function live(desired: KubeObject): Promise<KubeObject> {
      return plane!.client.get(desired, CORPUS_NAMESPACE);
    }

    /** The diff in strict and assert mode, and against the compact form a live cache keeps. */
    function diffAllWays(desired: KubeObject, liveObject: KubeObject) {
      const compact = compactLiveObject(liveObject, { schema });
      return {
        strict: diffObjects(desired, liveObject, options('strict')),
        assert: diffObjects(desired, liveObject, options('assert')),
        compact: diffObjects(desired, compact, options('strict')),
      };
    }

    const NO_DRIFT_ANY_WAY = {
      strict: NO_DRIFT,
      assert: NO_DRIFT,
      compact: NO_DRIFT,
    };

    beforeAll(async () => {
      plane = await startControlPlane();
      await applyCorpus(plane.client, corpus);
    }, START_TIMEOUT_MS);

    afterAll(() => stopControlPlane(plane), STOP_TIMEOUT_MS);

    it('reads back objects that carry the defaults and canonical forms the diff must ignore', async () => {
      const web = await live(byLabel('Deployment web'));
      const spec = web.spec as Spec;
      expect(spec).toMatchObject({
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 10,
        strategy: { type: 'RollingUpdate' },
      });
      const pod = spec.template.spec;
      expect(pod).toMatchObject({
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
      });
      const [webContainer, proxy] = pod.containers;
      expect(webContainer).toMatchObject({
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        ports: [
          { containerPort: 8080, protocol: 'TCP' },
          { containerPort: 9090, protocol: 'TCP' },
        ],
        resources: { limits: { cpu: '1', memory: '1Gi' } },
      });
      // Written as `cpu: 0.5`, `cpu: 1` and `memory: 0.125Gi` (numbers and fractions) in Git.
      expect(proxy.resources).toEqual({
        requests: { cpu: '500m', memory: '64Mi' },
        limits: { cpu: '1', memory: '128Mi' },
      });
      // `defaultMode: 0644` is YAML 1.1 octal: 420.
      expect(pod.volumes[0].configMap.defaultMode).toBe(420);

      const service = await live(byLabel('Service web'));
      expect(service.spec).toMatchObject({
        type: 'ClusterIP',
        sessionAffinity: 'None',
        clusterIP: expect.stringMatching(/^10\.96\./),
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 9090, protocol: 'TCP' },
        ],
      });

      const worker = await live(byLabel('Deployment worker'));
      const workerPod = (worker.spec as Spec).template.spec;
      expect(workerPod.containers[0].resources.limits).toEqual({
        cpu: '2',
        memory: '1536Mi',
        'ephemeral-storage': '2G',
      });
      expect(
        workerPod.containers[0].securityContext.allowPrivilegeEscalation,
      ).toBe(false);

      const secret = await live(byLabel('Secret shop-tls-extra'));
      expect(secret.stringData).toBeUndefined();
      expect(secret.data).toEqual({
        'ca.crt': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==',
        token: Buffer.from('abc123').toString('base64'),
        empty: '',
      });

      // Rendered with a namespace; the server drops it from a cluster-scoped object (N15).
      const clusterRole = await live(byLabel('ClusterRole shop-node-reader'));
      expect(clusterRole.metadata.namespace).toBeUndefined();

      const quota = await live(byLabel('ResourceQuota storage'));
      expect((quota.spec as Spec).hard).toEqual({
        'requests.storage': '100Gi',
        persistentvolumeclaims: '10',
        'services.loadbalancers': '2',
      });
    });

    it('compares the custom resource with a schema read from the cluster OpenAPI v3', async () => {
      const widget = byLabel('Widget storefront');
      // The OpenAPI v3 of a new CRD is published a moment after it is Established.
      const document = await waitFor(`OpenAPI v3 of ${widget.apiVersion}`, () =>
        plane!.client.openApiV3(widget.apiVersion),
      );
      const fromCluster = SchemaRegistry.builtin().withOpenApiV3(document, {
        namespaced: { Widget: true },
      });
      expect(fromCluster.knows(widget.apiVersion, 'Widget')).toBe(true);
      const liveWidget = await live(widget);
      const clusterOptions: DiffOptions = {
        mode: 'strict',
        defaultNamespace: CORPUS_NAMESPACE,
        schema: fromCluster,
      };
      expect(diffObjects(widget, liveWidget, clusterOptions)).toEqual(NO_DRIFT);

      // Same content, written differently: keyed routes and set tags reordered, memory as 1Gi (live: 1024Mi).
      const rewritten = structuredClone(widget);
      const spec = rewritten.spec as Spec;
      spec.routes.reverse();
      spec.tags.reverse();
      spec.memory = '1Gi';
      expect(diffObjects(rewritten, liveWidget, clusterOptions)).toEqual(
        NO_DRIFT,
      );
      expect(diffObjects(rewritten, liveWidget, options('strict'))).toEqual(
        NO_DRIFT,
      );
      // Without the schema, lists are atomic and ordered and memory is a plain string: all three drift.
      const blind = diffObjects(rewritten, liveWidget, {
        mode: 'strict',
        defaultNamespace: CORPUS_NAMESPACE,
      });
      expect(blind.diffs.map(drift => drift.path).sort()).toEqual([
        'spec.memory',
        'spec.routes',
        'spec.tags',
      ]);
    });

    it.each(corpus.map(entry => [entry.label, entry.object] as const))(
      '%s: no drift right after apply (strict, assert, compact)',
      async (_label, desired) => {
        expect(diffAllWays(desired, await live(desired))).toEqual(
          NO_DRIFT_ANY_WAY,
        );
      },
    );

    it('shows no drift once controllers have rolled out, completed and aggregated', async () => {
      const client = plane!.client;
      for (const name of ['Deployment web', 'Deployment worker']) {
        await waitFor(
          `${name} Available`,
          async () => {
            const obj = await live(byLabel(name));
            const status = (obj.status ?? {}) as Spec;
            return status.observedGeneration === obj.metadata.generation &&
              status.availableReplicas === (obj.spec as Spec).replicas
              ? obj
              : undefined;
          },
          60_000,
        );
      }
      await waitFor(
        'Job db-migrate Complete',
        async () => {
          const job = await live(byLabel('Job db-migrate'));
          return condition(job, 'Complete')?.status === 'True'
            ? job
            : undefined;
        },
        60_000,
      );
      await waitFor('ClusterRole shop-aggregate-view aggregated', async () => {
        const role = await client.get(
          byLabel('ClusterRole shop-aggregate-view'),
        );
        return (role.rules as unknown[] | undefined)?.length ? role : undefined;
      });
      for (const { label, object } of corpus) {
        expect([label, diffAllWays(object, await live(object))]).toEqual([
          label,
          NO_DRIFT_ANY_WAY,
        ]);
      }
    }, 120_000);
  },
);
