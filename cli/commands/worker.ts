import { runConfigured } from '../../app/process.js';
import type { CliIo } from '../io.js';
import type { ParsedValues } from '../options.js';

/** `spm worker`: the job worker (syncs, statements, KPIs, coaching, write-back) until SIGTERM/SIGINT. */
export async function workerCommand(_values: ParsedValues, io: CliIo): Promise<number> {
  return runConfigured('worker', process.env, io);
}
