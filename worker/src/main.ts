import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { databaseTarget, openDatabase, pingDatabase, type Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { startObservabilityServer, type ObservabilityServer } from './observability/http-server.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createWorkerMetrics, type WorkerMetrics } from './observability/metrics.js';
import { createHandlerRegistry } from './jobs/registry.js';
import { systemClock, type HandlerRegistry } from './queues/handler-registry.js';
import type { TenantScheduleInput } from './queues/schedules.js';
import { createJobRunner, type BullmqSettings, type JobRunner } from './runtime/job-runner.js';

// ---------------------------------------------------------------------------------------
// Environment

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const urlWith = (protocols: readonly string[], what: string) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= max, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number);

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, value: string) => z.preprocess((v) => blankToUndefined(v) ?? value, schema);

export const WorkerEnvSchema = z.object({
  /** Unset: jobs run in-process (embedded mode). */
  REDIS_URL: optional(urlWith(['redis:', 'rediss:'], 'Redis')),
  /** Unset: the embedded PGlite database in SPM_DATA_DIR. */
  DATABASE_URL: optional(urlWith(['postgres:', 'postgresql:'], 'PostgreSQL')),
  SPM_DATA_DIR: optional(z.string()),
  /** Concurrent jobs per family in this process; unset: the per-family defaults. */
  WORKER_CONCURRENCY: optional(wholeNumber(1, 256)),
  /** Port of /metrics and /healthz; 0 picks a free one. */
  METRICS_PORT: withDefault(wholeNumber(0, 65_535), '9464'),
  METRICS_HOST: withDefault(z.string().min(1), '0.0.0.0'),
  LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }), 'info'),
  /** How long a shutdown waits for running jobs before aborting them. */
  SHUTDOWN_TIMEOUT_MS: withDefault(wholeNumber(0, 3_600_000), '30000'),
  /** Redis key prefix of the queues. */
  QUEUE_PREFIX: withDefault(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, _ or -' }), 'spm'),
});
export type WorkerEnv = z.output<typeof WorkerEnvSchema>;

/** Variables whose value may hold a password: named in errors, never echoed. */
const SECRET_VARS = new Set(['REDIS_URL', 'DATABASE_URL']);

export class WorkerEnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid worker environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorkerEnvError';
  }
}

/** Reads the worker's environment; a malformed variable fails with a message that names it. */
export function parseWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  const result = WorkerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new WorkerEnvError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const raw = env[name];
      const shown = raw === undefined || SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
      return `${name} ${issue.message}${shown}`;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Process

export interface StartWorkerOptions {
  readonly env: WorkerEnv;
  readonly handlers?: HandlerRegistry;
  readonly logger?: Logger;
  /** Tenant schedules to (re)apply at start, e.g. read from the tenants table; none by default. */
  readonly tenantSchedules?: (db: Db) => Promise<readonly TenantScheduleInput[]>;
  /** BullMQ tunables (tests shorten locks and stall checks). */
  readonly bullmq?: Omit<BullmqSettings, 'prefix'>;
}

export interface WorkerProcess {
  readonly runner: JobRunner;
  readonly db: Db;
  readonly metrics: WorkerMetrics;
  readonly server: ObservabilityServer;
  readonly logger: Logger;
  /** Stop taking jobs, let running ones finish (up to SHUTDOWN_TIMEOUT_MS), close queues, Redis, the HTTP server and the database. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerProcess> {
  const { env } = options;
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const metrics = createWorkerMetrics();
  const db = await openDatabase(databaseTarget(env));
  const cleanups: Array<() => Promise<void>> = [() => db.destroy()];
  try {
    await migrateToLatest(db);
    const runner = createJobRunner({
      redisUrl: env.REDIS_URL,
      deps: { db, clock: systemClock, metrics },
      logger,
      concurrency: env.WORKER_CONCURRENCY,
      bullmq: { ...options.bullmq, prefix: env.QUEUE_PREFIX },
    });
    cleanups.unshift(() => runner.close({ timeoutMs: 1_000 }));
    metrics.setQueueCountsSource(() => runner.counts());
    let stopping = false;
    const server = await startObservabilityServer({
      port: env.METRICS_PORT,
      host: env.METRICS_HOST,
      metrics,
      logger,
      health: async () => {
        const [jobs, database] = await Promise.all([runner.health(), pingDatabase(db)]);
        return { ...jobs, ok: !stopping && jobs.ok && database, database: database ? 'ok' : 'unreachable', stopping };
      },
    });
    cleanups.unshift(() => server.close());
    await runner.start(options.handlers ?? createHandlerRegistry());
    for (const spec of (await options.tenantSchedules?.(db)) ?? []) await runner.upsertTenantSchedules(spec);
    logger.info({ mode: runner.mode, metricsPort: server.port, database: env.DATABASE_URL ? 'server' : 'embedded' }, 'worker started');

    let done: Promise<void> | undefined;
    const shutdown = (reason: string): Promise<void> => {
      done ??= (async () => {
        stopping = true;
        logger.info({ reason, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutting down: taking no new jobs, waiting for running ones');
        // Every step runs even if an earlier one fails (BullMQ's own close does the same).
        const steps: Array<[string, () => Promise<void>]> = [
          ['job runner', () => runner.close({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS })],
          ['metrics server', () => server.close()],
          ['database', () => db.destroy()],
        ];
        let failed = 0;
        for (const [what, step] of steps) {
          try {
            await step();
          } catch (err) {
            failed++;
            logger.error({ err, what }, 'shutdown step failed');
          }
        }
        if (failed > 0) throw new Error(`${failed} shutdown step(s) failed`);
        logger.info('shutdown complete');
      })();
      return done;
    };
    return { runner, db, metrics, server, logger, shutdown };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}

/**
 * The process entry: env, start, then SIGTERM/SIGINT → graceful shutdown → exit 0 (a
 * second signal exits at once). The options let test fixtures run this same entry with
 * their own handlers.
 */
export async function main(options: Omit<StartWorkerOptions, 'env' | 'logger'> = {}): Promise<void> {
  let env: WorkerEnv;
  try {
    env = parseWorkerEnv(process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: env.LOG_LEVEL });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: exiting (running jobs are recovered by another worker once their locks expire)');
    process.exit(1);
  });
  let worker: WorkerProcess;
  try {
    worker = await startWorker({ ...options, env, logger });
  } catch (err) {
    logger.fatal({ err }, 'worker failed to start');
    process.exit(1);
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting without waiting for running jobs');
      process.exit(1);
    }
    signalled = true;
    worker.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
