import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../cli/main.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const PLANS = join(ROOT, 'examples/plans');
export const ACME_JSON = join(ROOT, 'examples/data/acme.json');
export const ACME_CSV = join(ROOT, 'examples/data/acme-csv');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `spm <args>` in-process, as a person at a 100-column pipe would see it. */
export async function spm(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: ROOT, columns: 100 });
  return { code, stdout, stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'spm-cli-test-'));
}

/** The block of text output for one payee's statement in one period. */
export function statementBlock(stdout: string, payeeId: string, period: string): string {
  const start = stdout.indexOf(`(${payeeId}) · ${period} ·`);
  if (start < 0) throw new Error(`no statement for ${payeeId} in ${period}`);
  const end = stdout.indexOf('  Balances', start);
  return stdout.slice(start, stdout.indexOf('\n', end));
}

/** A stack trace looks like "    at fn (file:line:col)". */
export const STACK_FRAME = /^\s+at .+[:(]/m;
