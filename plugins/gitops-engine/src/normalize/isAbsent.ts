/** `null` and `undefined` mean the same to the API server: the field is not set (N3). */
export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
