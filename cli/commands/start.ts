import { isDemo, runDemo } from '../../app/demo/run-demo.js';
import { EXIT_CODE, firstSignal, runConfigured } from '../../app/process.js';
import { UsageError, type CliIo } from '../io.js';
import type { ParsedValues } from '../options.js';

function count(values: ParsedValues, name: string, fallback: number, max: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name} "${String(v)}" must be a whole number from 1 to ${max}`, 'start');
  return Number(v);
}

/**
 * `spm start`: everything in one process. With no configuration, the local demo (two
 * sandbox CRMs, OAuth installs, sync, statements, KPIs, coaching; console and card
 * preview served); with configuration, the API and the worker against real services.
 * `--once` prints the summary and exits 0.
 */
export async function startCommand(values: ParsedValues, io: CliIo): Promise<number> {
  const once = values['once'] === true;
  const demo = values['demo'] === true || isDemo(process.env);
  const seed = count(values, 'seed', 7, 1_000_000);
  const reps = count(values, 'reps', 20, 2_000);
  const deals = count(values, 'deals', 2_000, 200_000);
  if (!demo) {
    if (once) throw new UsageError('--once is for the demo (no configuration set); a configured deployment runs until stopped', 'start');
    return runConfigured('all', process.env, io);
  }
  const env = values['demo'] === true ? pick(process.env, ['PORT', 'HOST', 'LOG_LEVEL', 'METRICS_PORT', 'SHUTDOWN_TIMEOUT_MS', 'SPM_CONSOLE_DIR']) : process.env;
  const until = once ? undefined : firstSignal();
  const started = Date.now();
  const run = await runDemo({ env, seed, reps, deals, serveConsole: !once, out: io.stdout });
  io.stdout(`\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  if (once) {
    await run.close('--once');
    io.stdout('Stopped (--once).\n');
    exitSoonIfStuck(EXIT_CODE.ok);
    return EXIT_CODE.ok;
  }
  io.stdout(`Open:\n  admin console  ${run.urls.console}\n  card preview   ${run.urls.preview}\n  health         ${run.urls.api}/healthz, ${run.urls.api}/readyz\nServing until Ctrl-C (SIGINT) or SIGTERM.\n`);
  const signal = await until!;
  io.stdout(`\n${signal}: shutting down (running jobs finish first)…\n`);
  await run.close(signal);
  io.stdout('Stopped.\n');
  exitSoonIfStuck(EXIT_CODE.ok);
  return EXIT_CODE.ok;
}

/**
 * Everything is closed by now; if a library still holds a socket or timer (a streaming
 * client's reconnect), the process would linger. The timer is unref'd: it only fires
 * when something else keeps the process alive.
 */
function exitSoonIfStuck(code: number): void {
  setTimeout(() => process.exit(code), 3_000).unref();
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, env[n]]));
}
