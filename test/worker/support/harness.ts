import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../../worker/src/db/database.js';
import { createLogger, type Logger } from '../../../worker/src/observability/logger.js';
import { createWorkerMetrics } from '../../../worker/src/observability/metrics.js';
import { PermanentJobError } from '../../../worker/src/queues/errors.js';
import type { RecomputePayees } from '../../../worker/src/queues/families.js';
import { systemClock, type HandlerRegistry, type JobContext, type JobDeps, type JobHandler } from '../../../worker/src/queues/handler-registry.js';
import type { BaseJobDeps } from '../../../worker/src/runtime/job-runner.js';

export interface Behaviour {
  /** Throw a retryable error on attempts 1..n. */
  readonly failAttempts?: number;
  /** Throw PermanentJobError. */
  readonly permanent?: boolean;
  /** Sleep before writing the result (aborted by the job's signal). */
  readonly sleepMs?: number;
  /** Sleep inside PostgreSQL (a query in flight, in a transaction), so a test can drop the connection under it. */
  readonly pgSleepSeconds?: number;
  /** Wait for this before writing the result. */
  readonly gate?: Promise<void>;
}

type AnyPayload = { readonly tenantId: string; readonly cause?: string };

/**
 * The test handler: records every execution in job_runs (the counter), then does its
 * idempotent work: one job_results row keyed by the job id, ON CONFLICT DO NOTHING.
 */
export function recordingHandler(worker: string, behaviour: (payload: AnyPayload, ctx: JobContext) => Behaviour = () => ({})): JobHandler<AnyPayload> {
  return async (payload, deps: JobDeps, ctx) => {
    await sql`insert into job_runs (job_id, attempt, worker, cause) values (${ctx.jobId}, ${ctx.attempt}, ${worker}, ${payload.cause ?? null})`.execute(deps.db);
    const b = behaviour(payload, ctx);
    if (b.sleepMs) await sleep(b.sleepMs, undefined, { signal: ctx.signal });
    if (b.gate) await b.gate;
    if (b.pgSleepSeconds) {
      const seconds = b.pgSleepSeconds;
      await deps.db.transaction().execute(async (trx) => {
        await sql`select pg_sleep(${seconds})`.execute(trx);
      });
    }
    if (b.permanent) throw new PermanentJobError('invalid_input', 'the test handler refuses this input');
    if (ctx.attempt <= (b.failAttempts ?? 0)) throw new Error(`transient failure on attempt ${ctx.attempt}`);
    const resultKey = `${ctx.family}/${ctx.jobId}`;
    await sql`insert into job_results (result_key, job_id, worker, payload) values (${resultKey}, ${ctx.jobId}, ${worker}, ${JSON.stringify(payload)}::jsonb) on conflict do nothing`.execute(deps.db);
    return { resultKey };
  };
}

/** The test handler registered for the jobs the tests use. */
export function testRegistry(handler: JobHandler<AnyPayload>): HandlerRegistry {
  return {
    compute: { 'recompute-payees': handler, 'reconcile-tenant': handler },
    'crm-sync': { 'sync-object': handler },
  };
}

export function testDeps(db: Db): BaseJobDeps {
  return { db, clock: systemClock, metrics: createWorkerMetrics({ defaultMetrics: false }) };
}

export interface CapturedLogs {
  readonly logger: Logger;
  readonly lines: () => Array<Record<string, unknown>>;
}

/** A logger writing JSON lines into memory. */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'info'): CapturedLogs {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, destination: stream });
  return { logger, lines: () => raw.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export const silentLogger = (): Logger => createLogger({ level: 'silent' });

/** Polls until `check` returns a truthy value; fails with `what` after the (generous) timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}

export function recompute(cause: string, payeeIds: string[] = ['ana', 'bo'], periodIds: string[] = ['2026-07'], tenantId = 'acme'): RecomputePayees {
  return { tenantId, payeeIds, periodIds, cause };
}

/** A promise with its resolve function. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
