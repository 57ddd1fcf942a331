import { diffObjects } from '../diff';
import { EngineError } from '../errors';
import { formatResourceKey, resourceKeyOf, type KubeObject } from '../types';
import { sourceOf } from '../yaml/sourceOf';
import { EXIT, type CliIo, type Command } from './CliIo';
import { parseCommandArgs } from './parseCommandArgs';
import { readManifestFile } from './readManifestFile';

const USAGE = `Usage: gitops diff DESIRED LIVE [--strict] [--field-manager NAME]

Compares what Git declares (DESIRED) with what the cluster holds (LIVE, e.g. kubectl get -o yaml).
Files are YAML or JSON; with several objects per file, objects are matched by group, kind, namespace
and name. Prints one line per drift, then {"modified": bool, "diffs": [...]} as the last line.

Options:
  --strict               also report fields added by hand (kubectl edit, patch, scale)
  --field-manager NAME   our server-side apply field manager (default: backstage-gitops)
  -h, --help             show this help

Exit status: 0 in sync, 1 drifted, 2 error.`;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'compare desired and live manifests',
  usage: USAGE,
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        strict: { type: 'boolean' },
        'field-manager': { type: 'string' },
      },
      2,
      USAGE,
    );
    const [desiredFile, liveFile] = positionals;
    const desired = await readManifestFile(desiredFile, io);
    const live = await readManifestFile(liveFile, io);
    const options = {
      mode: values.strict ? ('strict' as const) : ('assert' as const),
      fieldManager: values['field-manager'] as string | undefined,
    };
    const single = desired.length === 1 && live.length === 1;
    const pairs = single
      ? [{ desired: desired[0], live: live[0] }]
      : pairByKey(desired, live);

    let modified = false;
    const diffs: unknown[] = [];
    for (const pair of pairs) {
      const resource = formatResourceKey(resourceKeyOf(pair.desired));
      const result = diffObjects(pair.desired, pair.live, options);
      modified ||= result.modified;
      for (const warning of result.warnings ?? []) {
        io.stderr(`warning: ${resource}: ${warning}\n`);
      }
      for (const drift of result.diffs) {
        io.stdout(
          `${resource} ${drift.path || '(object)'}: ${
            drift.type
          }${describeValues(drift)}\n`,
        );
        diffs.push(single ? drift : { resource, ...drift });
      }
    }
    io.stdout(`${JSON.stringify({ modified, diffs })}\n`);
    return modified ? EXIT.failed : EXIT.ok;
  },
};

/** Matches objects across the two files by resource key; a desired object without a live one is missing. */
function pairByKey(
  desired: KubeObject[],
  live: KubeObject[],
): Array<{ desired: KubeObject; live?: KubeObject }> {
  const liveByKey = new Map<string, KubeObject>();
  for (const object of live) {
    liveByKey.set(formatResourceKey(resourceKeyOf(object)), object);
  }
  const seen = new Map<string, KubeObject>();
  return desired.map(object => {
    const key = formatResourceKey(resourceKeyOf(object));
    const earlier = seen.get(key);
    if (earlier) {
      const first = sourceOf(earlier);
      throw new EngineError(
        'MANIFEST_DUPLICATE',
        `${key} is declared twice (first at ${first?.file ?? '?'} line ${
          first?.line ?? '?'
        })`,
        sourceOf(object) ?? {},
      );
    }
    seen.set(key, object);
    return { desired: object, live: liveByKey.get(key) };
  });
}

function describeValues(drift: {
  desired?: unknown;
  live?: unknown;
  sensitive?: boolean;
}): string {
  if (drift.sensitive) {
    return ' (values hidden)';
  }
  if (drift.desired === undefined && drift.live === undefined) {
    return '';
  }
  return ` ${JSON.stringify(drift.desired) ?? '(unset)'} -> ${
    JSON.stringify(drift.live) ?? '(unset)'
  }`;
}
