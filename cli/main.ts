import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../shared/src/input/input-error.js';
import { calcCommand } from './commands/calc.js';
import { diffCommand } from './commands/diff.js';
import { estimateCommand } from './commands/estimate.js';
import { serveCommand } from './commands/serve.js';
import { startCommand } from './commands/start.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { formatInputError, InputProblems, UsageError, type CliIo } from './io.js';
import { COMMAND_OPTIONS, parseCommandArgs, USAGE, type CommandName } from './options.js';

export type { CliIo } from './io.js';

/** Exit codes, documented in docs/cli.md. */
export const EXIT = { ok: 0, unexpected: 1, input: 2, exceptions: 3 } as const;

const COMMANDS: Record<CommandName, (values: ReturnType<typeof parseCommandArgs>, io: CliIo) => number | Promise<number>> = {
  calc: calcCommand,
  estimate: estimateCommand,
  diff: diffCommand,
  validate: validateCommand,
  start: startCommand,
  serve: serveCommand,
  worker: workerCommand,
};

/**
 * The `spm` command line. Takes the arguments after the program name and where to write,
 * returns the exit code; it never calls process.exit, so tests run it in-process.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (first === undefined) {
      io.stderr(USAGE.main);
      return EXIT.input;
    }
    io.stdout(topic && topic in COMMAND_OPTIONS ? USAGE[topic as CommandName] : USAGE.main);
    return EXIT.ok;
  }
  if (!(first in COMMAND_OPTIONS)) {
    io.stderr(`error: unknown command "${first}"\n\n${USAGE.main}`);
    return EXIT.input;
  }
  const command = first as CommandName;
  try {
    const values = parseCommandArgs(command, rest);
    if (values['help']) {
      io.stdout(USAGE[command]);
      return EXIT.ok;
    }
    return await COMMANDS[command](values, io);
  } catch (error) {
    return report(error, io, debug, command);
  }
}

function report(error: unknown, io: CliIo, debug: boolean, command: CommandName): number {
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\nRun "spm ${error.command ?? command} --help" for its options.\n`);
    return EXIT.input;
  }
  if (error instanceof InputError) {
    io.stderr(formatInputError(error));
    return EXIT.input;
  }
  if (error instanceof InputProblems) {
    io.stderr(error.errors.map(formatInputError).join(''));
    return EXIT.input;
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  io.stderr(`error: unexpected failure in spm ${command}: ${message}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else io.stderr('This is a bug, not a problem with your files; run again with --debug for the stack trace and report it.\n');
  return EXIT.unexpected;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A closed pipe (spm calc … | head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
