import { diffObjects } from '../diff/diffObjects';
import type { DiffOptions, DiffResult } from '../diff/Drift';
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
} from './__testUtils__/controlPlane';
import { GITOPS_MANAGER } from './__testUtils__/KubeTestClient';

type Spec = Record<string, any>;

const STRICT: DiffOptions = { mode: 'strict' };
const ASSERT: DiffOptions = { mode: 'assert' };
const WEB_IMAGE = 'registry.invalid/shop/web:1.24.3';
const HOTFIX_IMAGE = 'registry.invalid/shop/web:1.25.0-hotfix';
const WEB_CONTAINER = 'spec.template.spec.containers[name=web]';

/** The `$setElementOrder` directive kubectl edit sends for a list it touched: every key, in order. */
function elementOrder(list: Spec[], key = 'name'): Spec[] {
  return list.map(item => ({ [key]: item[key] }));
}

describeConformance(
  'out-of-band edits are found at the right path, with their manager',
  () => {
    let plane: ControlPlane | undefined;
    let namespaceCount = 0;

    /** Applies corpus objects into a namespace of their own, so each test starts from a clean apply. */
    async function applyFresh(
      ...refs: [kind: string, name: string][]
    ): Promise<KubeObject[]> {
      namespaceCount += 1;
      const namespace = `edits-${namespaceCount}`;
      await createNamespace(plane!.client, namespace);
      const desired: KubeObject[] = [];
      for (const [kind, name] of refs) {
        const obj = inNamespace(corpusObject(kind, name), namespace);
        await plane!.client.apply(obj);
        desired.push(obj);
      }
      return desired;
    }

    /** Diffs against the raw live object and its compact form, which must agree. */
    async function diff(
      desired: KubeObject,
      options: DiffOptions,
    ): Promise<DiffResult> {
      const live = await plane!.client.get(desired);
      const result = diffObjects(desired, live, options);
      expect(diffObjects(desired, compactLiveObject(live), options)).toEqual(
        result,
      );
      return result;
    }

    beforeAll(async () => {
      plane = await startControlPlane();
    }, START_TIMEOUT_MS);

    afterAll(() => stopControlPlane(plane), STOP_TIMEOUT_MS);

    it('finds an image changed with kubectl edit, blamed on kubectl-edit, in both modes', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      const containers = (web.spec as Spec).template.spec.containers;
      await plane!.client.kubectlEdit(web, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': elementOrder(containers),
              containers: [{ image: HOTFIX_IMAGE, name: 'web' }],
            },
          },
        },
      });

      const expected = [
        {
          path: `${WEB_CONTAINER}.image`,
          type: 'changed',
          desired: WEB_IMAGE,
          live: HOTFIX_IMAGE,
          manager: 'kubectl-edit',
        },
      ];
      expect((await diff(web, STRICT)).diffs).toEqual(expected);
      expect(await diff(web, ASSERT)).toEqual({
        modified: true,
        diffs: expected,
        warnings: [],
      });
    });

    it('finds an env var added with kubectl edit in strict mode only', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      const containers = (web.spec as Spec).template.spec.containers;
      await plane!.client.kubectlEdit(web, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': elementOrder(containers),
              containers: [
                {
                  '$setElementOrder/env': [
                    ...elementOrder(containers[0].env),
                    { name: 'DEBUG' },
                  ],
                  env: [{ name: 'DEBUG', value: 'true' }],
                  name: 'web',
                },
              ],
            },
          },
        },
      });

      expect(await diff(web, STRICT)).toEqual({
        modified: true,
        diffs: [
          {
            path: `${WEB_CONTAINER}.env[name=DEBUG]`,
            type: 'added-in-live',
            live: { name: 'DEBUG', value: 'true' },
            manager: 'kubectl-edit',
          },
        ],
        warnings: [],
      });
      expect(await diff(web, ASSERT)).toEqual({
        modified: false,
        diffs: [],
        warnings: [],
      });
    });

    it('finds a label removed with kubectl label; the removal leaves no owner to name', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      await plane!.client.kubectlLabel(web, {
        'app.kubernetes.io/part-of': null,
      });

      // An Update that deletes a field drops it from every manager's set: managedFields keep no trace of who did it.
      const live = await plane!.client.get(web);
      for (const entry of live.metadata.managedFields ?? []) {
        const labels =
          (entry.fieldsV1 as Spec)['f:metadata']?.['f:labels'] ?? {};
        expect(Object.keys(labels)).not.toContain(
          'f:app.kubernetes.io/part-of',
        );
      }
      const expected = [
        {
          path: 'metadata.labels["app.kubernetes.io/part-of"]',
          type: 'missing-in-live',
          desired: 'shop',
        },
      ];
      expect((await diff(web, STRICT)).diffs).toEqual(expected);
      expect((await diff(web, ASSERT)).diffs).toEqual(expected);
    });

    it('finds replicas changed with kubectl scale, which the server names "kubectl"', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      await plane!.client.kubectlScale(web, 5);

      // kubectl scale sends no fieldManager: the server takes the user agent's first word, on the scale subresource.
      const live = await plane!.client.get(web);
      expect(live.metadata.managedFields).toContainEqual(
        expect.objectContaining({
          manager: 'kubectl',
          operation: 'Update',
          subresource: 'scale',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        }),
      );
      const expected = [
        {
          path: 'spec.replicas',
          type: 'changed',
          desired: 2,
          live: 5,
          manager: 'kubectl',
        },
      ];
      expect((await diff(web, STRICT)).diffs).toEqual(expected);
      expect((await diff(web, ASSERT)).diffs).toEqual(expected);
    });

    it('finds a memory limit changed with kubectl patch, shown in canonical form', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      await plane!.client.kubectlPatch(
        web,
        'strategic',
        {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'web', resources: { limits: { memory: '2048Mi' } } },
                ],
              },
            },
          },
        },
        { fieldManager: 'kubectl-patch' },
      );

      const expected = [
        {
          path: `${WEB_CONTAINER}.resources.limits.memory`,
          type: 'changed',
          desired: '1Gi',
          live: '2Gi',
          manager: 'kubectl-patch',
        },
      ];
      expect((await diff(web, STRICT)).diffs).toEqual(expected);
      expect((await diff(web, ASSERT)).diffs).toEqual(expected);
    });

    it('does not report kubectl rollout restart, even in strict mode', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      await plane!.client.kubectlPatch(
        web,
        'strategic',
        {
          spec: {
            template: {
              metadata: {
                annotations: {
                  'kubectl.kubernetes.io/restartedAt': new Date().toISOString(),
                },
              },
            },
          },
        },
        { fieldManager: 'kubectl-rollout' },
      );
      expect(await diff(web, STRICT)).toEqual({
        modified: false,
        diffs: [],
        warnings: [],
      });
    });

    it('finds ConfigMap data changed with kubectl replace (a PUT of the whole object)', async () => {
      const [config] = await applyFresh(['ConfigMap', 'shop-config']);
      const live = await plane!.client.get(config);
      (live.data as Spec).LOG_LEVEL = 'debug';
      await plane!.client.kubectlReplace(live);

      const expected = [
        {
          path: 'data.LOG_LEVEL',
          type: 'changed',
          desired: 'info',
          live: 'debug',
          manager: 'kubectl-replace',
        },
      ];
      expect((await diff(config, STRICT)).diffs).toEqual(expected);
      expect((await diff(config, ASSERT)).diffs).toEqual(expected);
    });

    it('finds a Secret value changed with kubectl edit without ever showing a value', async () => {
      const [secret] = await applyFresh(['Secret', 'shop-db']);
      const oldValue = (secret.stringData as Spec).password as string;
      const newValue = 'n3w-Pa55w0rd-from-a-terminal';
      await plane!.client.kubectlEdit(secret, {
        data: { password: Buffer.from(newValue).toString('base64') },
      });

      const live = await plane!.client.get(secret);
      for (const result of [
        diffObjects(secret, live, STRICT),
        diffObjects(secret, live, ASSERT),
        diffObjects(secret, compactLiveObject(live), STRICT),
      ]) {
        expect(result.diffs).toEqual([
          {
            path: 'data.password',
            type: 'changed',
            sensitive: true,
            manager: 'kubectl-edit',
          },
        ]);
        const json = JSON.stringify(result);
        for (const value of [oldValue, newValue]) {
          expect(json).not.toContain(value);
          expect(json).not.toContain(Buffer.from(value).toString('base64'));
        }
      }
    });

    it('finds fields Git no longer sets that our manager owns: removed-from-git', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      const live = await plane!.client.get(web);

      const withoutEnv = structuredClone(web);
      const env = (withoutEnv.spec as Spec).template.spec.containers[0]
        .env as Spec[];
      env.splice(
        env.findIndex(item => item.name === 'LOG_FORMAT'),
        1,
      );
      const withoutLabel = structuredClone(web);
      delete withoutLabel.metadata.labels!.team;

      for (const options of [STRICT, ASSERT]) {
        expect(diffObjects(withoutEnv, live, options)).toEqual({
          modified: true,
          diffs: [
            {
              path: `${WEB_CONTAINER}.env[name=LOG_FORMAT]`,
              type: 'removed-from-git',
              live: { name: 'LOG_FORMAT', value: 'json' },
              manager: GITOPS_MANAGER,
            },
          ],
          warnings: [],
        });
        expect(diffObjects(withoutLabel, live, options).diffs).toEqual([
          {
            path: 'metadata.labels.team',
            type: 'removed-from-git',
            live: 'storefront',
            manager: GITOPS_MANAGER,
          },
        ]);
      }
    });
    it('finds an env var edited by hand and then dropped from Git at the item the next apply removes', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      const containers = (web.spec as Spec).template.spec.containers;
      await plane!.client.kubectlEdit(web, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': elementOrder(containers),
              containers: [
                {
                  '$setElementOrder/env': elementOrder(containers[0].env),
                  env: [{ name: 'LOG_FORMAT', value: 'text' }],
                  name: 'web',
                },
              ],
            },
          },
        },
      });
      const withoutEnv = structuredClone(web);
      const env = (withoutEnv.spec as Spec).template.spec.containers[0]
        .env as Spec[];
      env.splice(
        env.findIndex(item => item.name === 'LOG_FORMAT'),
        1,
      );

      // kubectl-edit owns the value, we own the item: the next apply removes the whole item.
      for (const options of [STRICT, ASSERT]) {
        expect((await diff(withoutEnv, options)).diffs).toEqual([
          {
            path: `${WEB_CONTAINER}.env[name=LOG_FORMAT]`,
            type: 'removed-from-git',
            live: { name: 'LOG_FORMAT', value: 'text' },
            manager: GITOPS_MANAGER,
          },
        ]);
      }
      const applied = await plane!.client.apply(withoutEnv);
      const names = (applied.spec as Spec).template.spec.containers[0].env.map(
        (item: Spec) => item.name,
      );
      expect(names).not.toContain('LOG_FORMAT');
      expect((await diff(withoutEnv, STRICT)).diffs).toEqual([]);
    });

    it.each([
      ['kubectl apply (client-side)', 'apply'],
      ['kubectl create', 'create'],
    ] as const)(
      'shows no drift in strict mode for an object made with %s and then applied by us',
      async (_how, how) => {
        namespaceCount += 1;
        const namespace = `edits-${namespaceCount}`;
        await createNamespace(plane!.client, namespace);
        const echo = inNamespace(corpusObject('Deployment', 'echo'), namespace);
        const secret = inNamespace(
          corpusObject('Secret', 'shop-db'),
          namespace,
        );
        for (const obj of [echo, secret]) {
          if (how === 'apply') await plane!.client.kubectlApplyCreate(obj);
          else await plane!.client.kubectlCreate(obj);
        }

        // The creating request owns every default the server filled in, imagePullPolicy included.
        const created = await plane!.client.get(echo);
        const creator = created.metadata.managedFields!.find(entry =>
          entry.manager?.startsWith('kubectl-'),
        )!;
        expect(JSON.stringify(creator.fieldsV1)).toContain('f:imagePullPolicy');
        for (const obj of [echo, secret]) {
          expect(await diff(obj, STRICT)).toEqual({
            modified: false,
            diffs: [],
            warnings: [],
          });
          await plane!.client.apply(obj);
          expect(await diff(obj, STRICT)).toEqual({
            modified: false,
            diffs: [],
            warnings: [],
          });
        }
      },
    );

    it('never shows a Secret value held in the last-applied annotation of kubectl apply', async () => {
      namespaceCount += 1;
      const namespace = `edits-${namespaceCount}`;
      await createNamespace(plane!.client, namespace);
      const secret = inNamespace(corpusObject('Secret', 'shop-db'), namespace);
      await plane!.client.kubectlApplyCreate(secret);
      const live = await plane!.client.get(secret);
      const password = (secret.stringData as Spec).password as string;
      expect(JSON.stringify(live.metadata.annotations)).toContain(password);

      const rotated = structuredClone(secret);
      (rotated.stringData as Spec).password = 'r0tated-in-git';
      for (const result of [
        diffObjects(rotated, live, STRICT),
        diffObjects(rotated, compactLiveObject(live), STRICT),
      ]) {
        expect(result.diffs).toEqual([
          {
            path: 'data.password',
            type: 'changed',
            sensitive: true,
            manager: 'kubectl-client-side-apply',
          },
        ]);
        expect(JSON.stringify(result)).not.toContain(password);
        expect(JSON.stringify(result)).not.toContain('r0tated-in-git');
      }
    });

    it('finds an env var added by a client-side kubectl apply of a local copy, in strict mode only', async () => {
      const [web] = await applyFresh(['Deployment', 'web']);
      const local = structuredClone(web);
      const containers = (local.spec as Spec).template.spec.containers;
      containers[0].env.push({ name: 'DEBUG', value: 'true' });
      // What kubectl apply sends for an object without the annotation: the difference, and the annotation.
      await plane!.client.kubectlApplyPatch(local, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': elementOrder(containers),
              containers: [
                {
                  '$setElementOrder/env': elementOrder(containers[0].env),
                  env: [{ name: 'DEBUG', value: 'true' }],
                  name: 'web',
                },
              ],
            },
          },
        },
      });

      expect((await diff(web, STRICT)).diffs).toEqual([
        {
          path: `${WEB_CONTAINER}.env[name=DEBUG]`,
          type: 'added-in-live',
          live: { name: 'DEBUG', value: 'true' },
          manager: 'kubectl-client-side-apply',
        },
      ]);
      expect((await diff(web, ASSERT)).diffs).toEqual([]);
    });
  },
);
