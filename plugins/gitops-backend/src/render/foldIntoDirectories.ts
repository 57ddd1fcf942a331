/** Sorted paths, each once, without those inside a listed directory: the directory's tree hash covers them. */
export function foldIntoDirectories(
  found: ReadonlyMap<string, 'dir' | 'file'>,
): string[] {
  const dirs = [...found]
    .filter(([, type]) => type === 'dir')
    .map(([path]) => path);
  const within = (candidate: string, dir: string) =>
    candidate !== dir && (dir === '.' || candidate.startsWith(`${dir}/`));
  return [...found.keys()]
    .filter(candidate => !dirs.some(dir => within(candidate, dir)))
    .sort();
}
