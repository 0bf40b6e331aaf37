import { createLogger } from '../worker/src/observability/logger.js';
import { AppConfigError, loadAppConfig, type Env, type ProcessRole } from './config.js';
import { startRuntime, type Runtime, type RuntimeOptions } from './runtime.js';

/** Exit codes of the long-running commands (the CLI's: 0 ok, 1 failure, 2 bad configuration). */
export const EXIT_CODE = { ok: 0, failed: 1, config: 2 } as const;

/**
 * Resolves with the signal's name at the first SIGTERM or SIGINT; a second one exits at
 * once (someone is impatient with a slow shutdown, and says so twice).
 */
export function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (signal: NodeJS.Signals) => {
      if (seen) process.exit(1);
      seen = true;
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

/**
 * The production processes (`spm serve`, `spm worker`, and `spm start` when configured):
 * parse the configuration (every problem named at once, exit 2), start, print where it
 * listens, run until SIGTERM/SIGINT, shut down gracefully, exit 0. The options exist for
 * the worker fault tests, which run this same path with their own job handlers and
 * shorter BullMQ locks.
 */
export async function runConfigured(role: ProcessRole, env: Env, out: { stdout(text: string): void; stderr(text: string): void }, options: Pick<RuntimeOptions, 'handlers' | 'bullmq'> = {}): Promise<number> {
  let config;
  try {
    config = loadAppConfig(env, role);
  } catch (err) {
    if (err instanceof AppConfigError) {
      out.stderr(`error: ${err.message}\n`);
      return EXIT_CODE.config;
    }
    throw err;
  }
  const until = firstSignal();
  const logger = createLogger({ level: config.worker.LOG_LEVEL });
  // One structured line instead of Node's bare stack trace; the job a crashed worker was running is recovered by another once its lock expires.
  const fatal = (err: Error) => {
    logger.fatal({ err }, 'uncaught exception: exiting (running jobs are recovered by another worker once their locks expire)');
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  try {
    let runtime: Runtime;
    try {
      runtime = await startRuntime({ config, role, logger, ...options });
    } catch (err) {
      out.stderr(`error: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_CODE.failed;
    }
    if (runtime.apiUrl) out.stderr(`spm ${role === 'all' ? 'start' : 'serve'}: API on ${runtime.apiUrl} (public URL ${config.publicUrl}); console at ${config.publicUrl}/console/\n`);
    if (runtime.metricsPort !== undefined) out.stderr(`spm ${role === 'all' ? 'start' : 'worker'}: jobs ${runtime.runner.mode}; /metrics and /healthz on port ${runtime.metricsPort}\n`);
    const reason = await until;
    try {
      await runtime.shutdown(String(reason));
      return EXIT_CODE.ok;
    } catch (err) {
      out.stderr(`error: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_CODE.failed;
    }
  } finally {
    process.off('uncaughtException', fatal);
  }
}
