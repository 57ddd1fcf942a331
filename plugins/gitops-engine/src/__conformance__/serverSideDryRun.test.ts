import type { DryRunClient } from '../diff/serverDryRun';
import { serverSideDryRun } from '../diff/serverDryRun';
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
} from './__testUtils__/controlPlane';
import { GITOPS_MANAGER } from './__testUtils__/KubeTestClient';

type Spec = Record<string, any>;

const corpus = loadCorpus();
const schema = SchemaRegistry.builtin().withCustomResourceDefinitions(
  corpus
    .map(entry => entry.object)
    .filter(obj => obj.kind === 'CustomResourceDefinition'),
);
const OPTIONS: DiffOptions = { defaultNamespace: CORPUS_NAMESPACE, schema };

/** A fresh copy of the corpus object `kind name`, changed by `edit`. */
function edited(
  kind: string,
  name: string,
  edit: (spec: Spec) => void,
): KubeObject {
  const found = corpus.find(
    entry => entry.object.kind === kind && entry.object.metadata.name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name} in the corpus`);
  const copy = structuredClone(found.object);
  edit(copy as Spec);
  return copy;
}

describeConformance(
  'tier 2: server-side dry run against the real API server',
  () => {
    let plane: ControlPlane | undefined;
    let dryRuns = 0;
    /** `metadata.generation` right after the corpus was applied: only a stored spec change moves it. */
    const generations = new Map<string, number | undefined>();

    /** The engine's client interface, on the test helper: `?dryRun=All&force=true`. */
    const client: DryRunClient = {
      applyDryRun: (obj, fieldManager) => {
        dryRuns += 1;
        return plane!.client.apply(obj, { fieldManager, dryRun: true });
      },
    };

    async function live(desired: KubeObject): Promise<KubeObject> {
      return plane!.client.get(desired, CORPUS_NAMESPACE);
    }

    beforeAll(async () => {
      plane = await startControlPlane();
      await applyCorpus(plane.client, corpus);
      for (const { label, object } of corpus)
        generations.set(label, (await live(object)).metadata.generation);
    }, START_TIMEOUT_MS);

    afterAll(() => stopControlPlane(plane), STOP_TIMEOUT_MS);

    it.each(corpus.map(entry => [entry.label, entry.object] as const))(
      '%s: in sync, the prediction equals live (raw and compact)',
      async (_label, desired) => {
        const current = await live(desired);
        const expected = {
          outcome: 'Compared',
          result: { modified: false, diffs: [], warnings: [] },
        };
        expect(
          await serverSideDryRun(client, desired, current, OPTIONS),
        ).toEqual(expected);
        expect(
          await serverSideDryRun(
            client,
            desired,
            compactLiveObject(current, { schema }),
            OPTIONS,
          ),
        ).toEqual(expected);
      },
    );

    it('predicts a change Git makes, at its path, and stores nothing', async () => {
      const desired = edited('Deployment', 'web', spec => {
        spec.spec.template.spec.containers[0].image =
          'registry.invalid/shop/web:1.25.0';
      });
      const before = await live(desired);
      const result = await serverSideDryRun(client, desired, before, OPTIONS);
      expect(result).toEqual({
        outcome: 'Compared',
        result: {
          modified: true,
          diffs: [
            {
              path: 'spec.template.spec.containers[name=web].image',
              type: 'changed',
              desired: 'registry.invalid/shop/web:1.25.0',
              live: 'registry.invalid/shop/web:1.24.3',
              manager: GITOPS_MANAGER,
            },
          ],
          warnings: [],
        },
      });
      const after = await live(desired);
      expect(after.metadata.resourceVersion).toBe(
        before.metadata.resourceVersion,
      );
    });

    it.each([
      [
        'Deployment spec.selector',
        edited('Deployment', 'web', o => {
          o.spec.selector.matchLabels.tier = 'frontend';
          o.spec.template.metadata.labels.tier = 'frontend';
        }),
        'spec.selector',
        /field is immutable/,
      ],
      [
        'Job spec.template',
        edited('Job', 'db-migrate', o => {
          o.spec.template.spec.containers[0].image =
            'registry.invalid/shop/migrate:1.25.0';
        }),
        'spec.template',
        /field is immutable/,
      ],
      [
        'Service spec.clusterIP',
        edited('Service', 'web', o => {
          o.spec.clusterIP = '10.96.250.250';
        }),
        'spec.clusterIPs[0]',
        /may not change once set/,
      ],
      [
        'StatefulSet spec.volumeClaimTemplates',
        edited('StatefulSet', 'postgres', o => {
          o.spec.volumeClaimTemplates[0].spec.resources.requests.storage =
            '16Gi';
        }),
        'spec',
        /updates to statefulset spec for fields other than .* are forbidden/,
      ],
      [
        'RoleBinding roleRef',
        edited('RoleBinding', 'shop-web', o => {
          o.roleRef.name = 'shop-admin';
        }),
        'roleRef',
        /cannot change roleRef/,
      ],
    ])(
      'classifies a changed %s as RequiresReplace',
      async (_what, desired, field, wording) => {
        const result = await serverSideDryRun(
          client,
          desired,
          await live(desired),
          OPTIONS,
        );
        expect(result).toMatchObject({
          outcome: 'RequiresReplace',
          message: expect.stringMatching(wording),
          causes: [expect.objectContaining({ field })],
        });
      },
    );

    it.each([
      [
        'negative replicas',
        edited('Deployment', 'web', o => {
          o.spec.replicas = -1;
        }),
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        { reason: 'FieldValueInvalid', field: 'spec.replicas' },
      ],
      [
        'a container name that is not a DNS label',
        edited('Deployment', 'worker', o => {
          o.spec.template.spec.containers[0].name = 'Worker_1';
        }),
        expect.stringMatching(
          /^Deployment\.apps "worker" is invalid: spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Worker_1": a lowercase RFC 1123 label/,
        ),
        {
          reason: 'FieldValueInvalid',
          field: 'spec.template.spec.containers[0].name',
        },
      ],
      [
        'a custom resource value outside its schema enum',
        edited('Widget', 'storefront', o => {
          o.spec.size = 'huge';
        }),
        expect.stringMatching(
          /^Widget\.example\.com "storefront" is invalid: spec\.size: Unsupported value: "huge": supported values: "small", "medium", "large"/,
        ),
        { reason: 'FieldValueNotSupported', field: 'spec.size' },
      ],
    ])(
      'classifies %s as InvalidDesired, with the server message',
      async (_what, desired, message, cause) => {
        const result = await serverSideDryRun(
          client,
          desired,
          await live(desired),
          OPTIONS,
        );
        expect(result).toEqual({
          outcome: 'InvalidDesired',
          message,
          causes: [expect.objectContaining(cause)],
        });
      },
    );

    it('sent every request as a dry run: nothing in the corpus changed', async () => {
      expect(dryRuns).toBeGreaterThan(corpus.length);
      for (const { label, object } of corpus) {
        const current = await live(object);
        expect([label, current.metadata.generation]).toEqual([
          label,
          generations.get(label),
        ]);
        expect(
          await serverSideDryRun(client, object, current, OPTIONS),
        ).toMatchObject({ outcome: 'Compared', result: { modified: false } });
      }
    });
  },
);
