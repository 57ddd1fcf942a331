import {
  compactLiveObject,
  formatResourceKey,
  resourceKeyOf,
  type CompactLiveObject,
  type KubeObject,
  type SchemaRegistry,
} from '@backstage-gitops/gitops-engine';
import type { LiveObjectChange } from './ClusterLiveCache';

export interface LiveObjectIndexOptions {
  cluster: string;
  /** The tracking label: its value names the application owning the object. */
  labelKey: string;
  /** Our field manager, so compaction keeps our ownership record. */
  fieldManager?: string;
  schema?: SchemaRegistry;
  onChange(change: LiveObjectChange): void;
}

/**
 * The live objects of one cluster in compact form, by key and by application. Writes report what
 * changed; an object whose resourceVersion did not change is neither compacted again nor reported.
 */
export class LiveObjectIndex {
  private readonly byKey = new Map<string, CompactLiveObject>();
  private readonly byApplication = new Map<
    string,
    Map<string, CompactLiveObject>
  >();

  constructor(private readonly options: LiveObjectIndexOptions) {}

  get size(): number {
    return this.byKey.size;
  }

  objectsOf(application: string): CompactLiveObject[] {
    return Array.from(this.byApplication.get(application)?.values() ?? []);
  }

  get(key: string): CompactLiveObject | undefined {
    return this.byKey.get(key);
  }

  /** Adds or replaces an object; returns its key. An object without a tracking label value is removed. */
  upsert(obj: KubeObject): string {
    const key = formatResourceKey(resourceKeyOf(obj));
    const application = obj.metadata.labels?.[this.options.labelKey];
    const previous = this.byKey.get(key);
    if (!application) {
      if (previous) this.drop(key, previous);
      return key;
    }
    if (
      previous &&
      previous.metadata.resourceVersion === obj.metadata.resourceVersion
    ) {
      return key;
    }
    const compact = compactLiveObject(obj, {
      fieldManager: this.options.fieldManager,
      schema: this.options.schema,
    });
    this.byKey.set(key, compact);
    const previousApplication = previous
      ? this.applicationOf(previous)
      : undefined;
    if (previousApplication && previousApplication !== application) {
      this.byApplication.get(previousApplication)?.delete(key);
      this.pruneApplication(previousApplication);
      this.emit(previousApplication, key, 'DELETED');
    }
    let objects = this.byApplication.get(application);
    if (!objects) {
      objects = new Map();
      this.byApplication.set(application, objects);
    }
    objects.set(key, compact);
    this.emit(
      application,
      key,
      previousApplication === application ? 'MODIFIED' : 'ADDED',
    );
    return key;
  }

  /** Removes an object by the identity in `obj` (labels are ignored: a DELETED for a selector exit has none). */
  remove(obj: KubeObject): void {
    const key = formatResourceKey(resourceKeyOf(obj));
    const previous = this.byKey.get(key);
    if (previous) this.drop(key, previous);
  }

  /** After a full LIST of one kind: removes that kind's objects the LIST did not return. */
  retainOnly(group: string, kind: string, listed: ReadonlySet<string>): void {
    const prefix = `${group}/${kind}/`;
    for (const [key, obj] of this.byKey) {
      if (key.startsWith(prefix) && !listed.has(key)) this.drop(key, obj);
    }
  }

  private drop(key: string, obj: CompactLiveObject): void {
    this.byKey.delete(key);
    const application = this.applicationOf(obj);
    if (!application) return;
    this.byApplication.get(application)?.delete(key);
    this.pruneApplication(application);
    this.emit(application, key, 'DELETED');
  }

  private pruneApplication(application: string): void {
    if (this.byApplication.get(application)?.size === 0)
      this.byApplication.delete(application);
  }

  private applicationOf(obj: CompactLiveObject): string | undefined {
    return obj.metadata.labels?.[this.options.labelKey];
  }

  private emit(
    application: string,
    key: string,
    type: LiveObjectChange['type'],
  ): void {
    this.options.onChange({
      cluster: this.options.cluster,
      application,
      key,
      type,
    });
  }
}
