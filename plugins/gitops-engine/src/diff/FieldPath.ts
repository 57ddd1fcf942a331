import type { SchemaNode } from '../schema/SchemaNode';
import { listKeyOf } from '../schema/SchemaNode';

/** One step of a path: a field, a keyed list item, a list index, or a set member. */
export type PathSegment =
  | { readonly field: string }
  | { readonly key: Readonly<Record<string, unknown>> }
  | { readonly index: number }
  | { readonly value: unknown };

const FIELD = 0;
const ITEM = 1;
const INDEX = 2;
const VALUE = 3;

/**
 * The position of the walk, kept as a reusable stack so that comparing allocates nothing per field:
 * segments and the readable string are built only when a drift is reported.
 */
export class FieldPath {
  private readonly kinds: number[] = [];
  private readonly values: unknown[] = [];
  private readonly lists: (SchemaNode | undefined)[] = [];
  private depth = 0;

  pushField(name: string): void {
    this.push(FIELD, name, undefined);
  }

  /** A keyed item; `list` supplies key names and key defaults. */
  pushItem(item: unknown, list: SchemaNode): void {
    this.push(ITEM, item, list);
  }

  pushIndex(index: number): void {
    this.push(INDEX, index, undefined);
  }

  pushValue(value: unknown): void {
    this.push(VALUE, value, undefined);
  }

  pop(): void {
    this.depth -= 1;
  }

  private push(
    kind: number,
    value: unknown,
    list: SchemaNode | undefined,
  ): void {
    const depth = this.depth;
    this.kinds[depth] = kind;
    this.values[depth] = value;
    this.lists[depth] = list;
    this.depth = depth + 1;
  }

  segments(): PathSegment[] {
    const result: PathSegment[] = [];
    for (let i = 0; i < this.depth; i++) {
      const value = this.values[i];
      switch (this.kinds[i]) {
        case FIELD:
          result.push({ field: value as string });
          break;
        case ITEM:
          result.push({ key: listKeyOf(value, this.lists[i]!) });
          break;
        case INDEX:
          result.push({ index: value as number });
          break;
        default:
          result.push({ value });
      }
    }
    return result;
  }

  toString(): string {
    return formatPath(this.segments());
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE_KEY_VALUE = /^[^\s,=[\]"]+$/;

function formatKeyValue(value: unknown): string {
  if (typeof value === 'string' && BARE_KEY_VALUE.test(value)) return value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value) ?? 'null';
}

/**
 * Readable path: `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`,
 * `spec.ports[port=80,protocol=TCP]`, `args[1]`, `metadata.finalizers[="example.com/cleanup"]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if ('field' in segment) {
      const name = segment.field;
      if (IDENTIFIER.test(name)) text += text === '' ? name : `.${name}`;
      else text += `[${JSON.stringify(name)}]`;
    } else if ('key' in segment) {
      const parts = Object.entries(segment.key).map(
        ([name, value]) => `${name}=${formatKeyValue(value)}`,
      );
      text += `[${parts.join(',')}]`;
    } else if ('index' in segment) {
      text += `[${segment.index}]`;
    } else {
      text += `[=${JSON.stringify(segment.value)}]`;
    }
  }
  return text;
}
