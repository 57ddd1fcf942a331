import { EngineError } from '../errors';
import type { PathSegment } from './parsePath';
import type { FragmentValue } from './renderFragment';
import { setValue, type PatchOptions } from './setValue';

/**
 * Sets a value in a Helm values file by the path `helm --set` uses: `image.tag`, `ingress.hosts[0].host`,
 * with `\.` for a dot inside a key (`podAnnotations.prometheus\.io/scrape`). Missing keys are inserted.
 */
export function setHelmValue(
  text: string,
  path: string,
  value: FragmentValue,
  options: PatchOptions = {},
): string {
  return setValue(text, 0, parseHelmPath(path, options.file), value, options);
}

/** Splits a `--set` style path into segments. */
export function parseHelmPath(path: string, file?: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let key = '';
  const flush = () => {
    const match = /^(.*?)((?:\[\d+\])*)$/s.exec(key)!;
    if (match[1] === '' && segments.length === 0 && match[2] === '') {
      throw new EngineError(
        'PATCH_INVALID',
        `invalid Helm value path ${JSON.stringify(path)}`,
        { file, path },
      );
    }
    if (match[1] !== '') {
      segments.push({ type: 'key', key: match[1] });
    }
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) {
      segments.push({ type: 'index', index: Number(index[1]) });
    }
    key = '';
  };
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\' && path[i + 1] === '.') {
      key += '.';
      i++;
    } else if (path[i] === '.') {
      flush();
    } else {
      key += path[i];
    }
  }
  flush();
  return segments;
}
