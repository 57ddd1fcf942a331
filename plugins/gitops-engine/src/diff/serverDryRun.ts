import type { CompactLiveObject } from '../live/compactLiveObject';
import {
  expandLiveObject,
  isCompactLiveObject,
} from '../live/compactLiveObject';
import { objectIgnorePaths } from '../normalize/normalizeDesired';
import { DEFAULT_FIELD_MANAGER } from '../normalize/trackingMetadata';
import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeObject } from '../types';
import { DiffRun } from './DiffRun';
import type { DiffOptions, DiffResult } from './Drift';
import { IgnorePath } from './IgnorePath';
import { LiveOwnership } from './LiveOwnership';
import { compareFull } from './compareFull';

/**
 * What tier 2 needs from a cluster: a server-side apply with `dryRun=All` and `force=true`, returning
 * the object the server would store. On failure it throws an error carrying `statusCode` and the
 * Kubernetes `Status` body.
 */
export interface DryRunClient {
  applyDryRun(obj: KubeObject, fieldManager: string): Promise<KubeObject>;
}

export interface KubeStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The `Status` object the API server returns with an error. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: KubeStatusCause[] };
}

export type ServerDryRunResult =
  /** The server accepted desired; `result` compares its prediction with live over all fields. */
  | { outcome: 'Compared'; result: DiffResult }
  /** Desired changes an immutable field: only delete and recreate would apply it. */
  | { outcome: 'RequiresReplace'; message: string; causes: KubeStatusCause[] }
  /** The server rejects desired (validation, admission). */
  | { outcome: 'InvalidDesired'; message: string; causes: KubeStatusCause[] }
  /** A webhook without `sideEffects: None` blocks dry runs for this kind: fall back to tier 1. */
  | { outcome: 'DryRunUnsupported'; message: string };

// Kinds word immutability their own way: Service clusterIPs, StatefulSet and StorageClass spec, roleRef.
const IMMUTABLE =
  /field is immutable|immutable field|is immutable|may not change once set|updates to .* are forbidden|cannot change roleRef|pod updates may not change fields other than/i;
const NO_DRY_RUN = /does not support dry run/i;

function statusOf(error: unknown): {
  statusCode: number | undefined;
  status: KubeStatus;
} {
  const carrier = (error ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    body?: unknown;
    status?: unknown;
    message?: unknown;
  };
  let body =
    carrier.body ??
    (typeof carrier.status === 'object' ? carrier.status : undefined);
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const status = (body && typeof body === 'object' ? body : {}) as KubeStatus;
  const code = [carrier.statusCode, carrier.code, status.code].find(
    value => typeof value === 'number',
  );
  if (status.message === undefined && typeof carrier.message === 'string') {
    return {
      statusCode: code as number | undefined,
      status: { ...status, message: carrier.message },
    };
  }
  return { statusCode: code as number | undefined, status };
}

/** Sorts a dry-run failure into the outcomes callers act on; `undefined` for anything else (network, 403, 500). */
export function classifyDryRunError(
  error: unknown,
): ServerDryRunResult | undefined {
  const { statusCode, status } = statusOf(error);
  const message = status.message ?? '';
  const causes = status.details?.causes ?? [];
  const text = [message, ...causes.map(cause => cause.message ?? '')].join(
    '\n',
  );
  if (NO_DRY_RUN.test(text)) return { outcome: 'DryRunUnsupported', message };
  if (
    (statusCode === 400 || statusCode === 409 || statusCode === 422) &&
    IMMUTABLE.test(text)
  ) {
    return { outcome: 'RequiresReplace', message, causes };
  }
  if (statusCode === 400 || statusCode === 422)
    return { outcome: 'InvalidDesired', message, causes };
  return undefined;
}

/**
 * Tier 2 (reference §8.3): asks the API server what applying desired would store, then compares that
 * prediction with live over all fields, so webhook and CRD defaults count. Errors the caller can act on
 * become outcomes; others are rethrown.
 */
export async function serverSideDryRun(
  client: DryRunClient,
  desired: KubeObject,
  live: KubeObject | CompactLiveObject | undefined,
  options: DiffOptions = {},
): Promise<ServerDryRunResult> {
  const registry = options.schema ?? SchemaRegistry.builtin();
  const kindSchema = registry.kindSchema(desired.apiVersion, desired.kind);
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  let request = desired;
  if (
    kindSchema.namespaced &&
    !desired.metadata?.namespace &&
    options.defaultNamespace
  ) {
    request = {
      ...desired,
      metadata: { ...desired.metadata, namespace: options.defaultNamespace },
    };
  }
  let predicted: KubeObject;
  try {
    predicted = await client.applyDryRun(request, fieldManager);
  } catch (error) {
    const outcome = classifyDryRunError(error);
    if (outcome) return outcome;
    throw error;
  }
  if (live === undefined || live === null) {
    return {
      outcome: 'Compared',
      result: {
        modified: true,
        diffs: [{ path: '', type: 'missing-in-live' }],
        warnings: [],
      },
    };
  }
  const liveObject = isCompactLiveObject(live) ? expandLiveObject(live) : live;
  const ownership = new LiveOwnership(
    liveObject.metadata?.managedFields,
    fieldManager,
  );
  const ignores = [
    ...objectIgnorePaths(desired, options),
    ...(options.ignorePaths ?? []),
  ].map(path => IgnorePath.parse(path));
  const run = new DiffRun(ownership, ignores, options.ignoreManagers ?? []);
  const root = options.compareStatus
    ? kindSchema.rootWithStatus
    : kindSchema.root;
  compareFull(predicted, liveObject, root, run);
  return {
    outcome: 'Compared',
    result: {
      modified: run.diffs.length > 0,
      diffs: run.diffs,
      warnings: run.warnings,
    },
  };
}
