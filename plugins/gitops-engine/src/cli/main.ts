import { EngineError } from '../errors';
import { EXIT, type CliIo, type Command, type ExitCode } from './CliIo';
import { diffCommand } from './diffCommand';
import { healthCommand } from './healthCommand';
import { HelpRequested } from './parseCommandArgs';
import { policyCommand } from './policyCommand';
import { renderCommand } from './renderCommand';

const COMMANDS: Command[] = [
  diffCommand,
  healthCommand,
  policyCommand,
  renderCommand,
];

const USAGE = `Usage: gitops <command> [options]

Commands:
${COMMANDS.map(
  command => `  ${command.name.padEnd(8)} ${command.summary}`,
).join('\n')}

Run "gitops <command> --help" for a command's options.`;

/**
 * Runs the `gitops` CLI in-process and returns its exit status: 0 success, 1 drift or denial,
 * 2 bad input (the message, naming file and line, goes to stderr).
 */
export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (
    name === undefined ||
    name === '-h' ||
    name === '--help' ||
    name === 'help'
  ) {
    (name === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  const command = COMMANDS.find(candidate => candidate.name === name);
  if (!command) {
    io.stderr(`gitops: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return EXIT.error;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(`${error.usage}\n`);
      return EXIT.ok;
    }
    if (error instanceof EngineError) {
      io.stderr(`gitops ${name}: ${error.code}: ${error.message}\n`);
      return EXIT.error;
    }
    // An unexpected failure is still reported, never a stack dump in place of an answer.
    io.stderr(
      `gitops ${name}: internal error: ${
        (error as Error)?.stack ?? String(error)
      }\n`,
    );
    return EXIT.error;
  }
}
