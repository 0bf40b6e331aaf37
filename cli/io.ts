import { InputError, type InputIssue } from '../shared/src/input/input-error.js';

/**
 * Where the CLI writes. `main()` takes one of these so tests can run commands in-process
 * and read what a person would have seen; the real process passes its own streams.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress is shown only on an interactive terminal. */
  readonly stderrIsTTY?: boolean;
  /** Width to wrap explanations at; 100 when unknown (a pipe, a file, a test). */
  readonly columns?: number;
  /** Relative paths are resolved from here; the process's working directory by default. */
  readonly cwd?: string;
}

/** A mistake on the command line itself (unknown option, missing --period): exit 2 with usage help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Several input files can be wrong at once; each is reported, then the command exits 2. */
export class InputProblems extends Error {
  constructor(readonly errors: readonly InputError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'InputProblems';
  }
}

export function fileError(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory, not a file'
    : code === 'ENOTDIR' ? 'a part of the path is not a directory'
    : error instanceof Error ? error.message
    : String(error);
  return new InputError(path, [{ path: '', message: `cannot read ${path}: ${reason}`, fix: 'check the path (relative paths start from the current directory) and that the file is readable' }]);
}

export function formatIssue(issue: InputIssue): string {
  const message = issue.message.replace(/[.:]\s*$/, '');
  const fix = issue.fix.replace(/\.\s*$/, '');
  return issue.path ? `  ${issue.path}: ${message}. Fix: ${fix}.` : `  ${message}. Fix: ${fix}.`;
}

/** `error: <source>` and one line per issue: what the brief and docs/cli.md promise, never a stack. */
export function formatInputError(error: InputError): string {
  return [`error: ${error.source}`, ...error.issues.map(formatIssue)].join('\n') + '\n';
}

/**
 * Coarse progress for long loads, on stderr and only when it is a terminal and the work
 * is big (callers arm it once they know the size), so piped output and logs never fill
 * with carriage returns.
 */
export class Progress {
  private shown = false;
  private armed = false;
  constructor(private readonly io: CliIo) {}

  arm(big: boolean): void {
    this.armed = big && this.io.stderrIsTTY === true;
  }

  step(text: string): void {
    if (!this.armed) return;
    this.io.stderr(`\r\x1b[2Kspm: ${text}…`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.io.stderr('\r\x1b[2K');
    this.shown = false;
  }
}
