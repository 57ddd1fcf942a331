import { isDeepStrictEqual } from 'node:util';
import { compactLiveObject } from '../live/compactLiveObject';
import type { KubeObject } from '../types';
import { desiredShopWeb, liveShopWeb } from './__fixtures__/shopWeb';
import type { DryRunClient, KubeStatus } from './serverDryRun';
import { classifyDryRunError, serverSideDryRun } from './serverDryRun';

type Spec = Record<string, any>;

class ApiError extends Error {
  constructor(readonly statusCode: number, readonly body: KubeStatus) {
    super(body.message);
  }
}

function isRecord(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges like a simplified server-side apply: maps by key, lists of named items by name, other lists replaced. */
function merge(live: unknown, applied: unknown): unknown {
  if (isRecord(live) && isRecord(applied)) {
    const result: Spec = { ...live };
    for (const [key, value] of Object.entries(applied))
      result[key] = merge(live[key], value);
    return result;
  }
  if (
    Array.isArray(live) &&
    Array.isArray(applied) &&
    applied.every(item => isRecord(item) && item.name)
  ) {
    return applied.map(item =>
      merge(
        live.find(old => isRecord(old) && old.name === item.name),
        item,
      ),
    );
  }
  return structuredClone(applied);
}

/**
 * An in-memory API server for one kind of request: a dry-run apply against stored objects, with the
 * defaulting, validation, immutability and webhook behaviours tier 2 must classify.
 */
class FakeCluster implements DryRunClient {
  readonly requests: { obj: KubeObject; fieldManager: string }[] = [];
  webhookWithoutDryRun = false;
  failWith?: Error;

  constructor(private readonly stored: KubeObject[]) {}

  async applyDryRun(
    obj: KubeObject,
    fieldManager: string,
  ): Promise<KubeObject> {
    this.requests.push({ obj, fieldManager });
    if (this.failWith) throw this.failWith;
    if (this.webhookWithoutDryRun) {
      throw new ApiError(400, {
        kind: 'Status',
        status: 'Failure',
        code: 400,
        message:
          'admission webhook "sidecar.example.com" does not support dry run',
      });
    }
    const ports = (
      (obj.spec as Spec)?.template?.spec?.containers ?? []
    ).flatMap((c: Spec) => c.ports ?? []);
    const badPort = ports.find(
      (port: Spec) => typeof port.containerPort !== 'number',
    );
    if (badPort) {
      throw new ApiError(422, {
        kind: 'Status',
        status: 'Failure',
        code: 422,
        reason: 'Invalid',
        message: `Deployment.apps "${obj.metadata.name}" is invalid: spec.template.spec.containers[0].ports[0].containerPort: Invalid value: "string": must be an integer`,
        details: {
          name: obj.metadata.name,
          kind: 'Deployment',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: 'Invalid value: "string": must be an integer',
              field: 'spec.template.spec.containers[0].ports[0].containerPort',
            },
          ],
        },
      });
    }
    const current = this.stored.find(
      o => o.kind === obj.kind && o.metadata.name === obj.metadata.name,
    );
    if (current && obj.kind === 'Deployment') {
      const selector = (obj.spec as Spec).selector;
      if (
        selector &&
        !isDeepStrictEqual(selector, (current.spec as Spec).selector)
      ) {
        throw new ApiError(422, {
          kind: 'Status',
          status: 'Failure',
          code: 422,
          reason: 'Invalid',
          message: `Deployment.apps "${obj.metadata.name}" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: field is immutable`,
          details: {
            causes: [
              {
                reason: 'FieldValueInvalid',
                message: 'field is immutable',
                field: 'spec.selector',
              },
            ],
          },
        });
      }
    }
    if (obj.kind === 'Secret') {
      const data: Spec = { ...(obj.data as Spec) };
      for (const [key, value] of Object.entries(
        (obj.stringData as Spec) ?? {},
      )) {
        data[key] = Buffer.from(String(value)).toString('base64');
      }
      const { stringData, ...rest } = obj;
      return { ...(current ?? {}), ...rest, data } as KubeObject;
    }
    const predicted = merge(current ?? {}, obj) as KubeObject;
    if (obj.kind === 'Widget') {
      // CRD structural defaults, which tier 1 cannot know.
      (predicted.spec as Spec).replicas ??= 1;
    }
    return predicted;
  }
}

describe('serverSideDryRun', () => {
  it('finds nothing when the prediction equals live', async () => {
    const cluster = new FakeCluster([liveShopWeb()]);
    const result = await serverSideDryRun(
      cluster,
      desiredShopWeb(),
      liveShopWeb(),
    );
    expect(result).toEqual({
      outcome: 'Compared',
      result: { modified: false, diffs: [], warnings: [] },
    });
    expect(cluster.requests[0].fieldManager).toBe('backstage-gitops');
  });

  it('reports what applying would change, with the owner of the live value', async () => {
    const desired = desiredShopWeb();
    (desired.spec as Spec).template.spec.containers[0].image =
      'registry.example.com/shop/web:1.25.0';
    const result = await serverSideDryRun(
      new FakeCluster([liveShopWeb()]),
      desired,
      compactLiveObject(liveShopWeb()),
    );
    expect(result).toEqual({
      outcome: 'Compared',
      result: {
        modified: true,
        warnings: [],
        diffs: [
          {
            path: 'spec.template.spec.containers[name=web].image',
            type: 'changed',
            desired: 'registry.example.com/shop/web:1.25.0',
            live: 'registry.example.com/shop/web:1.24.3',
            manager: 'backstage-gitops',
          },
        ],
      },
    });
  });

  it('sees a default the server adds that tier 1 cannot know about', async () => {
    const widget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop' },
      spec: { size: 2 },
    };
    const result = await serverSideDryRun(
      new FakeCluster([widget]),
      widget,
      widget,
    );
    expect(result.outcome === 'Compared' && result.result.diffs).toEqual([
      { path: 'spec.replicas', type: 'missing-in-live', desired: 1 },
    ]);
  });

  it('fills in the default namespace before asking the server', async () => {
    const cluster = new FakeCluster([]);
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: '1' },
    };
    const result = await serverSideDryRun(cluster, desired, undefined, {
      defaultNamespace: 'shop',
    });
    expect(cluster.requests[0].obj.metadata.namespace).toBe('shop');
    expect(result).toEqual({
      outcome: 'Compared',
      result: {
        modified: true,
        diffs: [{ path: '', type: 'missing-in-live' }],
        warnings: [],
      },
    });
  });

  it('classifies a changed immutable field as RequiresReplace', async () => {
    const desired = desiredShopWeb();
    (desired.spec as Spec).selector = { matchLabels: { app: 'x' } };
    const result = await serverSideDryRun(
      new FakeCluster([liveShopWeb()]),
      desired,
      liveShopWeb(),
    );
    expect(result).toEqual({
      outcome: 'RequiresReplace',
      message: expect.stringContaining('field is immutable'),
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'field is immutable',
          field: 'spec.selector',
        },
      ],
    });
  });

  it('classifies a validation error as InvalidDesired, with the server message and causes', async () => {
    const desired = desiredShopWeb();
    (desired.spec as Spec).template.spec.containers[0].ports[0].containerPort =
      '8080';
    const result = await serverSideDryRun(
      new FakeCluster([liveShopWeb()]),
      desired,
      liveShopWeb(),
    );
    expect(result).toMatchObject({
      outcome: 'InvalidDesired',
      message: expect.stringContaining('must be an integer'),
      causes: [
        { field: 'spec.template.spec.containers[0].ports[0].containerPort' },
      ],
    });
  });

  it('classifies a webhook without dry-run support as DryRunUnsupported', async () => {
    const cluster = new FakeCluster([liveShopWeb()]);
    cluster.webhookWithoutDryRun = true;
    await expect(
      serverSideDryRun(cluster, desiredShopWeb(), liveShopWeb()),
    ).resolves.toEqual({
      outcome: 'DryRunUnsupported',
      message:
        'admission webhook "sidecar.example.com" does not support dry run',
    });
  });

  it('rethrows errors the caller must handle itself (server down, forbidden)', async () => {
    const cluster = new FakeCluster([liveShopWeb()]);
    cluster.failWith = new ApiError(503, {
      kind: 'Status',
      code: 503,
      message: 'the server is currently unable to handle the request',
    });
    await expect(
      serverSideDryRun(cluster, desiredShopWeb(), liveShopWeb()),
    ).rejects.toBe(cluster.failWith);
  });

  it('never returns Secret values, even from the prediction', async () => {
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      data: { password: Buffer.from('old-password-value').toString('base64') },
    };
    const desired: KubeObject = {
      ...live,
      data: undefined,
      stringData: { password: 'new-password-value' },
    };
    const result = await serverSideDryRun(
      new FakeCluster([live]),
      desired,
      live,
    );
    const json = JSON.stringify(result);
    expect(json).not.toContain('password-value');
    expect(json).not.toContain(
      Buffer.from('new-password-value').toString('base64'),
    );
    expect(json).not.toContain(
      Buffer.from('old-password-value').toString('base64'),
    );
    expect(result.outcome === 'Compared' && result.result.diffs).toEqual([
      { path: 'data.password', type: 'changed', sensitive: true },
    ]);
  });
});

describe('classifyDryRunError', () => {
  it.each([
    [
      'a JSON body string, as some clients deliver it',
      {
        statusCode: 409,
        body: JSON.stringify({
          kind: 'Status',
          code: 409,
          message: 'spec.clusterIP: Invalid value: "": field is immutable',
        }),
      },
      'RequiresReplace',
    ],
    [
      'an immutable field reported in a cause only',
      {
        statusCode: 422,
        body: {
          message: 'Job.batch "m" is invalid',
          details: { causes: [{ message: 'field is immutable' }] },
        },
      },
      'RequiresReplace',
    ],
    [
      'a 400 with a plain message',
      { statusCode: 400, message: 'bad request body' },
      'InvalidDesired',
    ],
    [
      'a conflict that is not about immutability',
      { statusCode: 409, body: { message: 'Operation cannot be fulfilled' } },
      undefined,
    ],
    ['a 403', { statusCode: 403, body: { message: 'forbidden' } }, undefined],
    ['a network error', new Error('connect ECONNREFUSED'), undefined],
  ])('%s', (_name, error, outcome) => {
    expect(classifyDryRunError(error)?.outcome).toBe(outcome);
  });

  // Messages as kube-apiserver v1.36 returned them for changes only a delete and create can apply.
  it.each([
    [
      'a Service clusterIP',
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.200.200"]: may not change once set',
    ],
    [
      'a StatefulSet volumeClaimTemplate',
      "StatefulSet.apps \"postgres\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ],
    [
      'a StorageClass parameter',
      'StorageClass.storage.k8s.io "fast" is invalid: parameters: Forbidden: updates to parameters are forbidden.',
    ],
    [
      'a RoleBinding roleRef',
      'RoleBinding.rbac.authorization.k8s.io "shop-web" is invalid: roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"Role","Name":"other"}: cannot change roleRef',
    ],
  ])('classifies %s changed as RequiresReplace', (_name, message) => {
    expect(
      classifyDryRunError({ statusCode: 422, body: { code: 422, message } })
        ?.outcome,
    ).toBe('RequiresReplace');
  });
});
