import { canonicalDuration } from '../normalize/duration';
import { canonicalQuantity } from '../normalize/quantity';
import type { SchemaNode } from '../schema/SchemaNode';
import type { Drift, DriftType } from './Drift';
import { FieldPath, formatPath } from './FieldPath';
import type { IgnorePath } from './IgnorePath';
import type { LiveOwnership } from './LiveOwnership';

function displayValue(value: unknown, node: SchemaNode): unknown {
  if (node.format === 'quantity') return canonicalQuantity(value);
  if (node.format === 'duration') return canonicalDuration(value);
  // Results are serialized as JSON, which has no BigInt: integers past 2^53 print as their digits.
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The state of one comparison: where the walk is, and what it has found so far. */
export class DiffRun {
  readonly path = new FieldPath();
  readonly diffs: Drift[] = [];
  readonly warnings: string[] = [];
  private readonly reported = new Set<string>();

  constructor(
    readonly ownership: LiveOwnership,
    private readonly ignores: readonly IgnorePath[],
    private readonly ignoreManagers: readonly string[],
  ) {}

  /** Records a drift at the current path unless an ignore rule covers it; `manager` overrides the owner lookup. */
  report(
    type: DriftType,
    node: SchemaNode,
    desired: unknown,
    live: unknown,
    manager?: string,
  ): void {
    const segments = this.path.segments();
    for (const ignore of this.ignores) {
      if (ignore.matches(segments)) return;
    }
    if (
      this.ignoreManagers.length > 0 &&
      this.ownership.ownedByAny(segments, this.ignoreManagers)
    ) {
      return;
    }
    const path = formatPath(segments);
    if (this.reported.has(path)) return;
    this.reported.add(path);
    const drift: Drift = { path, type };
    if (node.sensitive) {
      drift.sensitive = true;
    } else {
      if (desired !== undefined) drift.desired = displayValue(desired, node);
      if (live !== undefined) drift.live = displayValue(live, node);
    }
    const owner = manager ?? this.ownership.ownerOf(segments);
    if (owner !== undefined) drift.manager = owner;
    this.diffs.push(drift);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }
}
