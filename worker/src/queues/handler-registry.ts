import type { Db } from '../db/database.js';
import type { Logger } from '../observability/logger.js';
import type { WorkerMetrics } from '../observability/metrics.js';
import type { Family, JobName, Payload, PayloadInput } from './families.js';

/**
 * Job handlers are plain functions, `(payload, deps, ctx) => Promise<result>`, so tests
 * call them directly and both drivers (BullMQ workers, in-process) run the same code. The
 * runner validates the payload before the call; a handler throws `PermanentJobError` for
 * failures a retry cannot fix, and any other error to be retried with backoff.
 *
 * Handlers must be idempotent: delivery is at least once (a worker that dies mid-job has
 * its job run again elsewhere), so write with deterministic keys and `ON CONFLICT`.
 */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

export interface EnqueueResult {
  /** The job id derived from the payload. */
  readonly jobId: string;
  /**
   * Set when the request collapsed into an existing job with the same deduplication id
   * (the id of that job). When that job is running, this request's payload runs once after it.
   */
  readonly deduplicatedInto?: string;
}

export type Enqueue = <F extends Family, N extends JobName<F>>(family: F, name: N, payload: PayloadInput<F, N>, options?: EnqueueOptions) => Promise<EnqueueResult>;

/** What every handler gets injected. */
export interface JobDeps {
  readonly db: Db;
  /** Bound to the job (family, job, jobId, tenantId, attempt). */
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: WorkerMetrics;
  /** Enqueue follow-up jobs (e.g. a webhook batch enqueues recomputes). */
  readonly enqueue: Enqueue;
}

export interface JobContext {
  readonly family: Family;
  readonly name: string;
  readonly jobId: string;
  /** 1 for the first attempt. A job recovered after its worker died runs again with the same attempt number. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when the worker shuts down and the job did not finish in time; long handlers should check it between steps. */
  readonly signal: AbortSignal;
}

export type JobHandler<P = unknown, R = unknown> = (payload: P, deps: JobDeps, ctx: JobContext) => Promise<R>;

/** Handlers per family and job name. A family with no handler gets no worker in this process. */
export type HandlerRegistry = {
  readonly [F in Family]?: { readonly [N in JobName<F>]?: JobHandler<Payload<F, N>> };
};

/**
 * The registry main.ts runs until worker/src/jobs/registry.ts (recompute, reconcile, sync,
 * coaching, write-back) exists: no handlers, so the process serves /metrics and /healthz
 * and takes no jobs.
 */
export const defaultHandlerRegistry: HandlerRegistry = {};

/** The handler for a job, looked up by strings from the queue. */
export function lookupHandler(registry: HandlerRegistry, family: Family, name: string): JobHandler | undefined {
  const byName = registry[family] as Readonly<Record<string, JobHandler | undefined>> | undefined;
  return byName && Object.hasOwn(byName, name) ? byName[name] : undefined;
}

export function familiesWithHandlers(registry: HandlerRegistry): Family[] {
  return (Object.keys(registry) as Family[]).filter((f) => Object.values(registry[f] ?? {}).some((h) => typeof h === 'function'));
}
