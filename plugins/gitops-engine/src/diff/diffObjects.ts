import { EngineError } from '../errors';
import type { CompactLiveObject } from '../live/compactLiveObject';
import {
  expandLiveObject,
  isCompactLiveObject,
} from '../live/compactLiveObject';
import { lastAppliedFields } from '../live/lastAppliedFields';
import {
  normalizeDesired,
  objectIgnorePaths,
  skipReason,
} from '../normalize/normalizeDesired';
import { DEFAULT_FIELD_MANAGER } from '../normalize/trackingMetadata';
import { SchemaRegistry } from '../schema/SchemaRegistry';
import type { KubeObject } from '../types';
import { DiffRun } from './DiffRun';
import type { DiffOptions, DiffResult } from './Drift';
import { IgnorePath } from './IgnorePath';
import { LiveOwnership } from './LiveOwnership';
import { compareAsserted } from './compareAsserted';
import { reportAddedInLive, reportRemovedFromGit } from './walkOwnedFields';

function assertKubeObject(
  obj: unknown,
  side: 'desired' | 'live',
): asserts obj is KubeObject {
  const candidate = obj as KubeObject | null;
  if (!candidate || typeof candidate !== 'object' || Array.isArray(candidate)) {
    throw new EngineError('INPUT_INVALID', `${side} is not an object`);
  }
  if (
    typeof candidate.apiVersion !== 'string' ||
    typeof candidate.kind !== 'string'
  ) {
    throw new EngineError(
      'INPUT_INVALID',
      `${side} object has no apiVersion or kind`,
      { path: 'kind' },
    );
  }
  if (
    candidate.metadata !== undefined &&
    (typeof candidate.metadata !== 'object' || candidate.metadata === null)
  ) {
    throw new EngineError(
      'INPUT_INVALID',
      `${side} object has a metadata that is not a map`,
      { path: 'metadata' },
    );
  }
}

/**
 * Compares what Git declares with what the cluster holds (tier 1, reference §8.3): only fields desired
 * sets, plus fields our field manager owns that Git no longer sets, plus (strict mode) fields `kubectl`
 * added by hand. Pure and synchronous; `live` may be a raw object or a compact one.
 */
export function diffObjects(
  desired: KubeObject,
  live: KubeObject | CompactLiveObject | undefined,
  options: DiffOptions = {},
): DiffResult {
  assertKubeObject(desired, 'desired');
  const skipped = skipReason(desired);
  if (skipped) return { modified: false, diffs: [], warnings: [], skipped };
  if (live === undefined || live === null) {
    return {
      modified: true,
      diffs: [{ path: '', type: 'missing-in-live' }],
      warnings: [],
    };
  }
  const liveObject = isCompactLiveObject(live) ? expandLiveObject(live) : live;
  assertKubeObject(liveObject, 'live');

  const registry = options.schema ?? SchemaRegistry.builtin();
  const kindSchema = registry.kindSchema(desired.apiVersion, desired.kind);
  const root = options.compareStatus
    ? kindSchema.rootWithStatus
    : kindSchema.root;
  const prepared = normalizeDesired(desired, {
    namespaced: kindSchema.namespaced,
    defaultNamespace: options.defaultNamespace,
  });
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const applied = lastAppliedFields(liveObject, root);
  const ownership = new LiveOwnership(
    liveObject.metadata?.managedFields,
    fieldManager,
    applied,
    applied,
  );
  const ignores: IgnorePath[] = [];
  for (const path of objectIgnorePaths(desired, options))
    ignores.push(IgnorePath.parse(path));
  for (const path of options.ignorePaths ?? [])
    ignores.push(IgnorePath.parse(path));

  const run = new DiffRun(ownership, ignores, options.ignoreManagers ?? []);
  if (liveObject.apiVersion !== desired.apiVersion) {
    // N17: fields may be named differently across versions; the caller should read live in Git's version.
    run.warn(
      `live object is ${liveObject.apiVersion}, Git declares ${desired.apiVersion}`,
    );
  }
  compareAsserted(prepared, liveObject, root, run);
  reportRemovedFromGit(run, prepared, liveObject, root);
  if (options.mode === 'strict')
    reportAddedInLive(run, prepared, liveObject, root);
  return {
    modified: run.diffs.length > 0,
    diffs: run.diffs,
    warnings: run.warnings,
  };
}
