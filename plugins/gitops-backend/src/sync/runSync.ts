import {
  PRUNE_ANNOTATION,
  TRACKING_LABEL,
  computeInventory,
  formatResourceKey,
  resourceKeyOf,
  type KubeObject,
} from '@backstage-gitops/gitops-engine';
import type { SyncResourceResult } from '@backstage-gitops/plugin-gitops-common';
import { KubeApiError } from '../cluster/KubeApiError';
import type { KubeHttpClient } from '../cluster/KubeHttpClient';
import { resourcePath } from '../cluster/resourcePath';
import { syncOrder } from './syncOrder';

/** What a sync needs of a cluster's client. */
export type SyncClient = Pick<
  KubeHttpClient,
  'apply' | 'request' | 'discovery'
>;

export interface RunSyncOptions {
  client: SyncClient;
  application: string;
  /** The rendered objects: namespaces filled in, tracking label set. Never modified. */
  desired: readonly KubeObject[];
  /** The application's live objects (the live cache's), to tell unchanged from applied and to find what to prune. */
  live: readonly KubeObject[];
  defaultNamespace: string;
  fieldManager: string;
  /** Delete live objects carrying the tracking label that Git no longer declares. */
  prune: boolean;
  /** How long a custom resource may wait for its just-applied CRD to be served. Default 10 s. */
  crdWaitMs?: number;
}

/** Annotation values that keep an object from being pruned (`disabled` is the engine's, `false` Argo-like). */
const KEEP_VALUES = new Set(['disabled', 'false']);

/** Whether an object asks not to be pruned (`gitops.backstage.io/prune: disabled` or `"false"`). */
export function keptFromPrune(object: KubeObject): boolean {
  const value = object.metadata?.annotations?.[PRUNE_ANNOTATION];
  return value !== undefined && KEEP_VALUES.has(value.trim().toLowerCase());
}

function refOf(object: KubeObject, namespaced = true) {
  const key = resourceKeyOf(object);
  return namespaced ? key : { ...key, namespace: '' };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * One sync of one application: server-side apply of every desired object under our field manager, taking
 * over fields others changed (Git is what we own), in sync order; then, with `prune` and no failure, delete
 * the live objects Git no longer declares, last to first. A failed object is reported with the API server's
 * message and the others still go ahead; an unreachable cluster stops the sync.
 */
export async function runSync(
  options: RunSyncOptions,
): Promise<SyncResourceResult[]> {
  const { client, application, fieldManager } = options;
  const liveVersion = new Map<string, string | undefined>();
  for (const object of options.live) {
    liveVersion.set(
      formatResourceKey(resourceKeyOf(object)),
      object.metadata.resourceVersion,
    );
  }
  const results: SyncResourceResult[] = [];
  const ordered = syncOrder(options.desired);
  let appliedCrd = false;
  let unreachable: string | undefined;

  for (const desired of ordered) {
    if (unreachable) {
      results.push({
        ref: refOf(desired),
        action: 'failed',
        message: `not applied: the cluster is unreachable (${unreachable})`,
      });
      continue;
    }
    const object = structuredClone(desired) as KubeObject;
    let namespaced = true;
    try {
      const resource = await resolveKind(
        client,
        object,
        appliedCrd ? options.crdWaitMs ?? 10_000 : 0,
      );
      namespaced = resource?.namespaced ?? true;
      // An unknown kind got the destination namespace at render time; a cluster-scoped one must not carry it.
      if (resource && !resource.namespaced) delete object.metadata.namespace;
      const applied = await client.apply(object, { fieldManager, force: true });
      const key = formatResourceKey(refOf(object, namespaced));
      const before = liveVersion.get(key);
      results.push({
        ref: refOf(object, namespaced),
        action:
          before !== undefined && before === applied?.metadata?.resourceVersion
            ? 'unchanged'
            : 'applied',
      });
      if (object.kind === 'CustomResourceDefinition') appliedCrd = true;
    } catch (error) {
      if (error instanceof KubeApiError && error.isUnreachable)
        unreachable = error.message;
      results.push({
        ref: refOf(object, namespaced),
        action: 'failed',
        message: messageOf(error),
      });
    }
  }

  const extraneous = computeInventory(
    options.desired.map(resourceKeyOf),
    options.live,
    {
      application,
      defaultNamespace: options.defaultNamespace,
    },
  ).filter(entry => entry.status === 'Extraneous' && entry.live);
  const failed = results.some(result => result.action === 'failed');
  // Deleted in reverse order: workloads before the config and namespaces they use.
  for (const entry of syncOrder(extraneous.map(e => e.live!)).reverse()) {
    const ref = resourceKeyOf(entry);
    if (keptFromPrune(entry)) {
      results.push({
        ref,
        action: 'unchanged',
        message: `kept: ${PRUNE_ANNOTATION} is disabled`,
      });
    } else if (!options.prune) {
      results.push({
        ref,
        action: 'unchanged',
        message:
          'no longer in Git; kept because the sync policy does not prune',
      });
    } else if (failed) {
      results.push({
        ref,
        action: 'unchanged',
        message: 'no longer in Git; not pruned because the sync had failures',
      });
    } else {
      results.push(await pruneObject(client, application, entry));
    }
  }
  return results;
}

/** The kind's resource; after a CRD was applied, waits (bounded) for discovery to serve its kinds. */
async function resolveKind(
  client: SyncClient,
  object: KubeObject,
  waitMs: number,
) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const resource = await client.discovery.resolve(
      object.apiVersion,
      object.kind,
    );
    if (resource || Date.now() >= deadline) return resource;
    await sleep(500);
  }
}

/** Deletes one object that Git no longer declares, after checking (fresh, not cached) that it is still ours to delete. */
async function pruneObject(
  client: SyncClient,
  application: string,
  live: KubeObject,
): Promise<SyncResourceResult> {
  const ref = resourceKeyOf(live);
  try {
    const resource = await client.discovery.resolve(live.apiVersion, live.kind);
    if (!resource) {
      return {
        ref,
        action: 'failed',
        message: `the cluster does not serve ${live.kind} in ${live.apiVersion}`,
      };
    }
    const path = resourcePath(
      resource,
      live.metadata.namespace,
      live.metadata.name,
    );
    let current: KubeObject;
    try {
      current = await client.request<KubeObject>('GET', path);
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) {
        return { ref, action: 'pruned', message: 'already gone' };
      }
      throw error;
    }
    if (current.metadata?.labels?.[TRACKING_LABEL] !== application) {
      return {
        ref,
        action: 'unchanged',
        message: 'kept: no longer labelled for this application',
      };
    }
    if (keptFromPrune(current)) {
      return {
        ref,
        action: 'unchanged',
        message: `kept: ${PRUNE_ANNOTATION} is disabled`,
      };
    }
    await client.request('DELETE', path, {
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        // The object we checked, not one created since under the same name.
        ...(current.metadata.uid && {
          preconditions: { uid: current.metadata.uid },
        }),
      },
    });
    return { ref, action: 'pruned' };
  } catch (error) {
    return { ref, action: 'failed', message: messageOf(error) };
  }
}
