import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineError } from '../errors';

/** Thrown for `--help`: the command prints its usage and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses one command's arguments strictly: unknown options and a wrong number of positionals are
 * usage errors (`INPUT_INVALID`), `-h`/`--help` asks for the usage.
 */
export function parseCommandArgs<T extends Options>(
  args: string[],
  options: T,
  positionals: number | { min: number },
  usage: string,
) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new EngineError(
      'INPUT_INVALID',
      `${(error as Error).message}\n\n${usage}`,
    );
  }
  if ((parsed.values as Record<string, unknown>).help) {
    throw new HelpRequested(usage);
  }
  const count = parsed.positionals.length;
  const wrong =
    typeof positionals === 'number'
      ? count !== positionals
      : count < positionals.min;
  if (wrong) {
    const expected =
      typeof positionals === 'number'
        ? `${positionals}`
        : `at least ${positionals.min}`;
    throw new EngineError(
      'INPUT_INVALID',
      `expected ${expected} arguments, got ${count}\n\n${usage}`,
    );
  }
  return parsed;
}
