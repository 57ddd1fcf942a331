import type { ManagedFieldsEntry } from '../types';
import type { PathSegment } from './FieldPath';
import type { FieldsV1, Ownership } from './fieldOwnership';
import { ListKeyCache, intersectFields, ownershipAt } from './fieldOwnership';

/** kubectl commands that only create: their entry records the object as created, server defaults included. */
const CREATING_MANAGERS: ReadonlySet<string> = new Set([
  'kubectl-create',
  'kubectl-run',
  'kubectl-expose',
  'kubectl-autoscale',
]);

/** Client-side `kubectl apply`: it also creates, but the last-applied annotation records what it meant to set. */
export const CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';

/** What a client-side apply entry set: the apply that created the object also owns every server default. */
export function clientSideApplyFields(
  fields: FieldsV1,
  lastApplied: FieldsV1 | undefined,
): FieldsV1 {
  return lastApplied ? intersectFields(fields, lastApplied) : fields;
}

interface ManagerFields {
  readonly manager: string;
  readonly operation: string;
  readonly fields: FieldsV1;
}

const RANK: Record<Ownership, number> = {
  none: 0,
  descendant: 1,
  ancestor: 2,
  exact: 3,
};

function isFields(value: unknown): value is FieldsV1 {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Who owns what in a live object, read from `metadata.managedFields`. */
export class LiveOwnership {
  /** Our manager's Apply entry (or a substitute built from last-applied), if any. */
  readonly ours: FieldsV1 | undefined;
  /** Every other entry, in managedFields order. */
  private readonly others: ManagerFields[] = [];
  readonly keys = new ListKeyCache();
  private handEdits: readonly ManagerFields[] | undefined;

  /** `fallbackOurs` stands in for a missing entry of ours; `lastApplied` bounds the client-side apply entry. */
  constructor(
    entries: readonly ManagedFieldsEntry[] | undefined,
    readonly fieldManager: string,
    fallbackOurs?: FieldsV1,
    private readonly lastApplied?: FieldsV1,
  ) {
    let ours: FieldsV1 | undefined;
    for (const entry of entries ?? []) {
      if (!isFields(entry.fieldsV1)) continue;
      const manager = entry.manager ?? '';
      const operation = entry.operation ?? '';
      if (
        manager === fieldManager &&
        operation === 'Apply' &&
        !entry.subresource
      ) {
        ours = entry.fieldsV1 as FieldsV1;
      } else {
        this.others.push({
          manager,
          operation,
          fields: entry.fieldsV1 as FieldsV1,
        });
      }
    }
    this.ours = ours ?? fallbackOurs;
  }

  /**
   * Update entries of `kubectl*` managers that edit: kubectl edit, patch, label, annotate, scale, set,
   * replace, and client-side apply limited to what it applied. Not the commands that only create.
   */
  kubectlUpdates(): readonly ManagerFields[] {
    this.handEdits ??= this.others
      .filter(
        entry =>
          entry.operation === 'Update' &&
          entry.manager.startsWith('kubectl') &&
          !CREATING_MANAGERS.has(entry.manager),
      )
      .map(entry =>
        entry.manager === CLIENT_SIDE_APPLY_MANAGER
          ? {
              ...entry,
              fields: clientSideApplyFields(entry.fields, this.lastApplied),
            }
          : entry,
      );
    return this.handEdits;
  }

  /**
   * The manager that owns the value at the path: the first that owns it (or an atomic ancestor), else the
   * first that owns something below it, else our own manager if we own it.
   */
  ownerOf(segments: readonly PathSegment[]): string | undefined {
    let below: string | undefined;
    for (const entry of this.others) {
      const ownership = ownershipAt(entry.fields, segments, this.keys);
      if (ownership === 'exact' || ownership === 'ancestor')
        return entry.manager;
      if (ownership === 'descendant' && below === undefined)
        below = entry.manager;
    }
    if (below !== undefined) return below;
    return ownershipAt(this.ours, segments, this.keys) === 'none'
      ? undefined
      : this.fieldManager;
  }

  /** The strongest claim any manager other than ours has on the path. */
  othersOwnership(segments: readonly PathSegment[]): Ownership {
    let best: Ownership = 'none';
    for (const entry of this.others) {
      const ownership = ownershipAt(entry.fields, segments, this.keys);
      if (RANK[ownership] > RANK[best]) best = ownership;
      if (best === 'exact') break;
    }
    return best;
  }

  /** True when one of the managers owns the path, an ancestor or something below it. */
  ownedByAny(
    segments: readonly PathSegment[],
    managers: readonly string[],
  ): boolean {
    return this.others.some(
      entry =>
        managers.includes(entry.manager) &&
        ownershipAt(entry.fields, segments, this.keys) !== 'none',
    );
  }
}
