import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Router } from 'express';
import { crmSyncHandlers, crmTaskWriters } from '../connectors/core/crm-connector.js';
import { createAdminRouter } from '../extension/backend/src/admin/admin-router.js';
import { createApp, type CardApiApp } from '../extension/backend/src/app.js';
import { databaseTarget, openDatabase, pingDatabase, type DatabaseTarget, type Db } from '../worker/src/db/database.js';
import { migrateToLatest } from '../worker/src/db/migrate.js';
import { createHandlerRegistry } from '../worker/src/jobs/registry.js';
import { startObservabilityServer, type ObservabilityServer } from '../worker/src/observability/http-server.js';
import { createLogger, type Logger } from '../worker/src/observability/logger.js';
import { createWorkerMetrics, type WorkerMetrics } from '../worker/src/observability/metrics.js';
import type { PolicyOverrides } from '../worker/src/queues/families.js';
import { systemClock, type HandlerRegistry } from '../worker/src/queues/handler-registry.js';
import { createJobRunner, type BullmqSettings, type JobRunner } from '../worker/src/runtime/job-runner.js';
import type { IsoDate } from '../shared/src/time/iso-date.js';
import { wireCrms, type CrmWiring } from './connectors.js';
import type { AppConfig, ProcessRole } from './config.js';
import { watchTenants, type TenantWatch } from './tenant-watch.js';

export interface RuntimeOptions {
  readonly config: AppConfig;
  readonly role: ProcessRole;
  readonly logger?: Logger;
  /** Overrides DATABASE_URL / SPM_DATA_DIR. */
  readonly database?: DatabaseTarget;
  /** An open database the caller owns (and closes after shutdown): the demo's throwaway one. */
  readonly db?: Db;
  /** Extra routers served by the API next to the backend (the demo's preview pages). */
  readonly extraRouters?: (deps: { db: Db; runner: JobRunner }) => readonly Router[];
  /** The HTTP server was created (and is listening) already, e.g. to know the port before configuring OAuth callbacks. */
  readonly server?: Server;
  /** Tests shorten retries and locks. */
  readonly policies?: PolicyOverrides;
  readonly bullmq?: Omit<BullmqSettings, 'prefix'>;
  /** Tenant watch interval (default 30 s) and CDC batching. */
  readonly watchEveryMs?: number;
  readonly cdcBatchMs?: number;
  readonly clock?: () => Date;
  /** The worker's job handlers instead of the real ones (the fault tests' recording handler). */
  readonly handlers?: HandlerRegistry;
}

/** The log line (msg) once everything the role runs is up. */
export const STARTED = 'started';

export interface Runtime {
  readonly db: Db;
  readonly runner: JobRunner;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  readonly crms: CrmWiring;
  readonly app: CardApiApp | undefined;
  /** The API's base URL as bound (http://host:port). */
  readonly apiUrl: string | undefined;
  readonly metricsPort: number | undefined;
  readonly tenants: TenantWatch | undefined;
  /** Stop taking requests and jobs, let running ones finish (SHUTDOWN_TIMEOUT_MS), then close everything. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/**
 * The composition root of every process: one database handle, one job runner, the
 * configured connectors, and then the API (card API, admin API and console, CRM routes)
 * and/or the worker (job handlers, schedules, CDC, /metrics and /healthz). `spm start`
 * runs both in one process; `spm serve` and `spm worker` one each.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, role } = options;
  const env = config.worker;
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const metrics = createWorkerMetrics();
  const runsApi = role !== 'worker';
  const runsWorker = role !== 'api';
  const db = options.db ?? (await openDatabase(options.database ?? databaseTarget(env)));
  // What shutdown closes, in this order, each once it exists: requests stop first, then CDC
  // subscriptions (their last batch is still enqueued), then the runner drains its running
  // jobs, and the metrics server and the database go last.
  let apiServer: Server | undefined;
  let tenants: TenantWatch | undefined;
  let runner: JobRunner | undefined;
  let observability: ObservabilityServer | undefined;
  const closeAll = (): Promise<number> => {
    const [api, watch, jobs, observed] = [apiServer, tenants, runner, observability];
    return runSteps(logger, [
      ['API server', api && (() => closeHttpServer(api, Math.min(env.SHUTDOWN_TIMEOUT_MS, 10_000)))],
      ['tenant watch', watch && (() => watch.stop())],
      ['job runner', jobs && (() => jobs.close({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }))],
      ['metrics server', observed && (() => observed.close())],
      ['database', options.db ? undefined : () => db.destroy()],
    ]);
  };
  try {
    await migrateToLatest(db);
    const jobs = createJobRunner({
      redisUrl: env.REDIS_URL,
      deps: { db, clock: options.clock ? { now: options.clock } : systemClock, metrics },
      logger,
      concurrency: env.WORKER_CONCURRENCY,
      ...(options.policies ? { policies: options.policies } : {}),
      bullmq: { ...options.bullmq, prefix: env.QUEUE_PREFIX },
    });
    runner = jobs;
    metrics.setQueueCountsSource(() => jobs.counts());
    const crms = wireCrms(config, { db, enqueue: jobs.enqueue, logger });
    let stopping = false;

    let app: CardApiApp | undefined;
    let apiUrl: string | undefined;
    if (runsApi) {
      const consoleDir = resolve(config.consoleDir);
      if (!existsSync(resolve(consoleDir, 'index.html'))) logger.warn({ consoleDir }, 'the admin console is not built: /console answers 404 until `npx vite build --config extension/console/vite.config.ts` has run (or set SPM_CONSOLE_DIR)');
      const today = () => (options.clock?.() ?? new Date()).toISOString().slice(0, 10) as IsoDate;
      app = createApp({
        db,
        enqueue: jobs.enqueue,
        cipher: config.cipher,
        config: config.backend,
        logger,
        crmRouters: [...crms.routers, ...(options.extraRouters?.({ db, runner: jobs }) ?? [])],
        adminRouter: createAdminRouter({ db, today, logger, jobs, connectLinks: crms.connectLinks }),
        ...(existsSync(resolve(consoleDir, 'index.html')) ? { consoleDir } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      const server = options.server ?? createServer();
      server.on('request', app);
      if (!server.listening) {
        await new Promise<void>((done, fail) => {
          server.once('error', fail);
          server.listen(config.backend.port, config.host, () => done());
        });
      }
      apiServer = server;
      const address = server.address() as AddressInfo;
      apiUrl = `http://${address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address}:${address.port}`;
    }

    if (runsWorker) {
      await jobs.start(options.handlers ?? createHandlerRegistry({ crmSync: crmSyncHandlers(crms.connectors), crmTaskWriters: crmTaskWriters(crms.connectors) }));
      tenants = watchTenants({ db, runner: jobs, connectors: crms.connectors, salesforce: config.salesforce, cipher: config.cipher, logger, everyMs: options.watchEveryMs ?? 30_000, ...(options.cdcBatchMs !== undefined ? { cdcBatchMs: options.cdcBatchMs } : {}) });
      await tenants.refresh();
      observability = await startObservabilityServer({
        port: env.METRICS_PORT,
        host: env.METRICS_HOST,
        metrics,
        logger,
        health: async () => {
          const [health, database] = await Promise.all([jobs.health(), pingDatabase(db)]);
          return { ...health, ok: !stopping && health.ok && database, database: database ? 'ok' : 'unreachable', stopping };
        },
      });
    }
    const metricsPort = observability?.port;
    logger.info({ role, jobs: jobs.mode, database: env.DATABASE_URL && !options.database && !options.db ? 'server' : 'embedded', api: apiUrl, metricsPort, crms: crms.connectors.map((c) => c.source) }, STARTED);

    let done: Promise<void> | undefined;
    return {
      db,
      runner: jobs,
      logger,
      metrics,
      crms,
      app,
      apiUrl,
      metricsPort,
      tenants,
      shutdown: (reason) => {
        done ??= (async () => {
          stopping = true;
          logger.info({ reason, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutting down: no new requests or jobs, waiting for running ones');
          const failed = await closeAll();
          if (failed > 0) throw new Error(`${failed} shutdown step(s) failed`);
          logger.info('shutdown complete');
        })();
        return done;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Runs every step even if an earlier one fails (BullMQ's own close does the same); skips the ones whose part never started. Returns how many failed. */
async function runSteps(logger: Logger, steps: ReadonlyArray<readonly [string, (() => Promise<void>) | undefined]>): Promise<number> {
  let failed = 0;
  for (const [what, step] of steps) {
    if (!step) continue;
    try {
      await step();
    } catch (err) {
      failed++;
      logger.error({ err, what }, 'shutdown step failed');
    }
  }
  return failed;
}

/** In-flight requests finish; idle keep-alive connections are closed at once, busy ones after `graceMs`, so close() returns. */
function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((done) => {
    server.close(() => done());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}
