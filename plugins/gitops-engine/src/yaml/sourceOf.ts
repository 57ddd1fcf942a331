import type { SourceLocation } from '../errors';

// Keyed by object identity and weak, so locations never leak into the objects or outlive them.
const locations = new WeakMap<object, SourceLocation>();

/** Where a parsed or rendered object came from (file, document index, line), if it was recorded. */
export function sourceOf(object: object): SourceLocation | undefined {
  return locations.get(object);
}

/** Remembers where `object` came from; returns the object for chaining. */
export function recordSource<T extends object>(
  object: T,
  location: SourceLocation,
): T {
  locations.set(object, location);
  return object;
}
