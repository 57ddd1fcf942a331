import { assessHealth } from '../health/assessHealth';
import type { HealthResult } from '../health/HealthResult';
import { compactLiveObject } from '../live/compactLiveObject';
import type { KubeObject } from '../types';
import {
  corpusObject,
  createNamespace,
  inNamespace,
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

const NAMESPACE = 'health';

/** Health of the raw object; the compact form a live cache keeps must say the same. */
function health(obj: KubeObject): HealthResult | undefined {
  const result = assessHealth(obj);
  expect(assessHealth(compactLiveObject(obj))).toEqual(result);
  return result;
}

function condition(obj: KubeObject, type: string): Spec | undefined {
  return ((obj.status as Spec)?.conditions ?? []).find(
    (c: Spec) => c.type === type,
  );
}

describeConformance(
  'health of real objects, with kwok standing in for the kubelet',
  () => {
    let plane: ControlPlane | undefined;

    /** The object once `ready` holds for it, read again until then. */
    function until(
      obj: KubeObject,
      what: string,
      ready: (live: KubeObject) => boolean,
      timeoutMs = 60_000,
    ): Promise<KubeObject> {
      return waitFor(
        `${obj.kind} ${obj.metadata.name}: ${what}`,
        async () => {
          const live = await plane!.client.get(obj);
          return ready(live) ? live : undefined;
        },
        timeoutMs,
      );
    }

    /** `kubectl rollout status`'s rule: the latest spec is observed, every replica updated and available, no old one left. */
    function rolledOut(live: KubeObject): boolean {
      const status = (live.status ?? {}) as Spec;
      const replicas = (live.spec as Spec).replicas;
      return (
        (status.observedGeneration ?? 0) >= (live.metadata.generation ?? 0) &&
        status.updatedReplicas === replicas &&
        status.replicas === replicas &&
        status.availableReplicas === replicas
      );
    }

    beforeAll(async () => {
      plane = await startControlPlane();
      await createNamespace(plane.client, NAMESPACE);
    }, START_TIMEOUT_MS);

    afterAll(() => stopControlPlane(plane), STOP_TIMEOUT_MS);

    it('reports a Deployment Healthy once it is Available, Progressing right after an image change, then Healthy again', async () => {
      const web = inNamespace(corpusObject('Deployment', 'echo'), NAMESPACE);
      (web.spec as Spec).replicas = 2;
      await plane!.client.apply(web);
      const available = await until(web, 'rolled out', rolledOut);
      expect(condition(available, 'Available')?.status).toBe('True');
      expect(health(available)).toEqual({
        status: 'Healthy',
        message: '2 of 2 replicas available',
      });

      const changed = structuredClone(web);
      (changed.spec as Spec).template.spec.containers[0].image =
        'registry.invalid/echo:1.1';
      // The apply's response is the object as stored, before the controller has seen the new generation.
      const stored = await plane!.client.apply(changed);
      expect(stored.metadata.generation).toBe(
        (available.metadata.generation ?? 0) + 1,
      );
      expect(health(stored)).toEqual({
        status: 'Progressing',
        message: `Waiting for the controller to observe generation ${stored.metadata.generation}`,
      });

      // Every state seen on the way is Progressing until kubectl would call the rollout done, then Healthy.
      const seen: { health?: string; rolledOut: boolean }[] = [];
      const rolled = await until(changed, 'new image rolled out', live => {
        seen.push({
          health: assessHealth(live)?.status,
          rolledOut: rolledOut(live),
        });
        return rolledOut(live);
      });
      for (const state of seen)
        expect(state.health).toBe(state.rolledOut ? 'Healthy' : 'Progressing');
      expect(health(rolled)?.status).toBe('Healthy');
    });

    it('reports a paused Deployment Suspended', async () => {
      const paused = inNamespace(
        corpusObject('Deployment', 'worker'),
        NAMESPACE,
      );
      paused.metadata.name = 'paused';
      (paused.spec as Spec).paused = true;
      const stored = await plane!.client.apply(paused);
      expect(health(stored)).toEqual({
        status: 'Suspended',
        message: 'Deployment is paused',
      });
      // The controller records the pause as the Progressing reason; health stays Suspended.
      const observed = await until(
        paused,
        'pause observed',
        live => condition(live, 'Progressing')?.reason === 'DeploymentPaused',
      );
      expect(health(observed)?.status).toBe('Suspended');
    });

    it('reports a Job Progressing while it runs and Healthy once kwok has completed its pod', async () => {
      const job = inNamespace(corpusObject('Job', 'db-migrate'), NAMESPACE);
      const stored = await plane!.client.apply(job);
      expect(health(stored)).toEqual({
        status: 'Progressing',
        message: 'Job is running',
      });
      // kwok's pod-complete stage moves Running pods owned by a Job to Succeeded with exit code 0.
      const complete = await until(
        job,
        'Complete',
        live => condition(live, 'Complete')?.status === 'True',
      );
      expect((complete.status as Spec).succeeded).toBe(1);
      expect(health(complete)).toEqual({
        status: 'Healthy',
        message: condition(complete, 'Complete')!.message ?? 'Job completed',
      });
    });

    it('reports a claim with no provisioner Pending, so Progressing', async () => {
      const claim = inNamespace(
        corpusObject('PersistentVolumeClaim', 'uploads'),
        NAMESPACE,
      );
      await plane!.client.apply(claim);
      // The API server defaults the phase to Pending; nothing here ever binds the claim.
      const live = await plane!.client.get(claim);
      expect((live.status as Spec).phase).toBe('Pending');
      expect(health(live)).toEqual({
        status: 'Progressing',
        message: 'Waiting for the claim to be bound',
      });
    });

    it('reports a LoadBalancer Service without an ingress address Progressing, a ClusterIP one Healthy', async () => {
      const balancer = inNamespace(
        corpusObject('Service', 'web-public'),
        NAMESPACE,
      );
      const plain = inNamespace(corpusObject('Service', 'web'), NAMESPACE);
      await plane!.client.apply(balancer);
      await plane!.client.apply(plain);
      // No cloud controller runs here: status.loadBalancer stays empty.
      const live = await plane!.client.get(balancer);
      expect((live.status as Spec).loadBalancer).toEqual({});
      expect(health(live)).toEqual({
        status: 'Progressing',
        message: 'Waiting for the load balancer to get an address',
      });
      expect(health(await plane!.client.get(plain))).toEqual({
        status: 'Healthy',
      });
    });
  },
);
