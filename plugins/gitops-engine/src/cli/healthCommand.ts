import { assessHealth } from '../health';
import { EXIT, type CliIo, type Command } from './CliIo';
import { parseCommandArgs } from './parseCommandArgs';
import { readManifestFile } from './readManifestFile';

const USAGE = `Usage: gitops health FILE...

Assesses the health of each object in the files (YAML or JSON, e.g. kubectl get -o yaml; List objects
are expanded). Prints one JSON line per object:
  {"file": ..., "kind": ..., "name": ..., "health": {"status": ..., "message": ...}}
with "health": null where no rule applies.

Options:
  -h, --help   show this help

Exit status: 0 when every file was read, 2 on error.`;

export const healthCommand: Command = {
  name: 'health',
  summary: 'assess the health of live objects',
  usage: USAGE,
  async run(args: string[], io: CliIo) {
    const { positionals } = parseCommandArgs(args, {}, { min: 1 }, USAGE);
    for (const file of positionals) {
      for (const object of await readManifestFile(file, io)) {
        const health = assessHealth(object);
        const line = {
          file,
          kind: object.kind,
          name: object.metadata.name ?? object.metadata.generateName ?? null,
          health: health
            ? { status: health.status, message: health.message ?? '' }
            : null,
        };
        io.stdout(`${JSON.stringify(line)}\n`);
      }
    }
    return EXIT.ok;
  },
};
