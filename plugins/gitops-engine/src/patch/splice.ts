/** Replace `text[start, end)` with `insert`; every other byte of the file stays as it was. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

export function applySplices(
  text: string,
  splices: ReadonlyArray<Splice>,
): string {
  let result = text;
  for (const splice of [...splices].sort((a, b) => b.start - a.start)) {
    result =
      result.slice(0, splice.start) + splice.insert + result.slice(splice.end);
  }
  return result;
}
