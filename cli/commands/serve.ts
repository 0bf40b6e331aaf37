import { runConfigured } from '../../app/process.js';
import type { CliIo } from '../io.js';
import type { ParsedValues } from '../options.js';

/** `spm serve`: the HTTP API (card API, admin API and console, CRM routes) until SIGTERM/SIGINT. */
export async function serveCommand(_values: ParsedValues, io: CliIo): Promise<number> {
  return runConfigured('api', process.env, io);
}
