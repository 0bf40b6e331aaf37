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
import { systemClock } from '../worker/src/queues/handler-registry.js';
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
}

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
  const steps: Array<[string, () => Promise<void>]> = [['database', () => (options.db ? Promise.resolve() : db.destroy())]];
  const closeAll = async (): Promise<number> => {
    let failed = 0;
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (err) {
        failed++;
        logger.error({ err, what }, 'shutdown step failed');
      }
    }
    return failed;
  };
  try {
    await migrateToLatest(db);
    const runner = createJobRunner({
      redisUrl: env.REDIS_URL,
      deps: { db, clock: options.clock ? { now: options.clock } : systemClock, metrics },
      logger,
      concurrency: env.WORKER_CONCURRENCY,
      ...(options.policies ? { policies: options.policies } : {}),
      bullmq: { ...options.bullmq, prefix: env.QUEUE_PREFIX },
    });
    steps.unshift(['job runner', () => runner.close({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS })]);
    metrics.setQueueCountsSource(() => runner.counts());
    const crms = wireCrms(config, { db, enqueue: runner.enqueue, logger });
    let stopping = false;

    let app: CardApiApp | undefined;
    let apiUrl: string | undefined;
    if (runsApi) {
      const consoleDir = resolve(config.consoleDir);
      if (!existsSync(resolve(consoleDir, 'index.html'))) logger.warn({ consoleDir }, 'the admin console is not built: /console answers 404 until `npx vite build --config extension/console/vite.config.ts` has run (or set SPM_CONSOLE_DIR)');
      const today = () => (options.clock?.() ?? new Date()).toISOString().slice(0, 10) as IsoDate;
      app = createApp({
        db,
        enqueue: runner.enqueue,
        cipher: config.cipher,
        config: config.backend,
        logger,
        crmRouters: [...crms.routers, ...(options.extraRouters?.({ db, runner }) ?? [])],
        adminRouter: createAdminRouter({ db, today, logger, jobs: runner, connectLinks: crms.connectLinks }),
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
      const address = server.address() as AddressInfo;
      apiUrl = `http://${address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address}:${address.port}`;
      steps.unshift([
        'API server',
        () =>
          new Promise<void>((done) => {
            // In-flight requests finish; idle keep-alive connections are closed so close() returns.
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), Math.min(env.SHUTDOWN_TIMEOUT_MS, 10_000)).unref();
          }),
      ]);
    }

    let tenants: TenantWatch | undefined;
    let metricsPort: number | undefined;
    if (runsWorker) {
      await runner.start(createHandlerRegistry({ crmSync: crmSyncHandlers(crms.connectors), crmTaskWriters: crmTaskWriters(crms.connectors) }));
      tenants = watchTenants({ db, runner, connectors: crms.connectors, salesforce: config.salesforce, cipher: config.cipher, logger, everyMs: options.watchEveryMs ?? 30_000, ...(options.cdcBatchMs !== undefined ? { cdcBatchMs: options.cdcBatchMs } : {}) });
      const watch = tenants;
      // CDC subscriptions stop first (their last batch is still enqueued), before the runner drains.
      steps.splice(steps.length - 2, 0, ['tenant watch', () => watch.stop()]);
      await watch.refresh();
      const server: ObservabilityServer = await startObservabilityServer({
        port: env.METRICS_PORT,
        host: env.METRICS_HOST,
        metrics,
        logger,
        health: async () => {
          const [jobs, database] = await Promise.all([runner.health(), pingDatabase(db)]);
          return { ...jobs, ok: !stopping && jobs.ok && database, database: database ? 'ok' : 'unreachable', stopping };
        },
      });
      metricsPort = server.port;
      steps.splice(steps.length - 1, 0, ['metrics server', () => server.close()]);
    }
    logger.info({ role, jobs: runner.mode, database: env.DATABASE_URL && !options.database && !options.db ? 'server' : 'embedded', api: apiUrl, metricsPort, crms: crms.connectors.map((c) => c.source) }, 'started');

    let done: Promise<void> | undefined;
    return {
      db,
      runner,
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
