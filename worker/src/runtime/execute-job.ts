import { performance } from 'node:perf_hooks';
import { PermanentJobError, isPermanentJobError } from '../queues/errors.js';
import { parsePayload, type Family } from '../queues/families.js';
import { lookupHandler, type Enqueue, type HandlerRegistry, type JobDeps } from '../queues/handler-registry.js';
import type { Logger } from '../observability/logger.js';

/** The deps a runner is given; it adds the per-job logger and its own `enqueue`. */
export type BaseJobDeps = Omit<JobDeps, 'logger' | 'enqueue'>;

export interface Attempt {
  readonly family: Family;
  readonly name: string;
  readonly jobId: string;
  readonly data: unknown;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly signal: AbortSignal;
}

export interface ExecutionEnv {
  readonly handlers: HandlerRegistry;
  readonly deps: BaseJobDeps;
  readonly logger: Logger;
  readonly enqueue: Enqueue;
}

/**
 * One attempt of one job, the same for both drivers: validate the payload again (the
 * producer may be older or newer than this worker), find the handler, run it, log and
 * measure. Invalid payloads and unknown jobs throw PermanentJobError (never retried);
 * the driver maps it to its own "do not retry" (BullMQ `UnrecoverableError`).
 */
export async function executeJob(attempt: Attempt, env: ExecutionEnv): Promise<unknown> {
  const { family, name, jobId } = attempt;
  const tenantId = tenantOf(attempt.data);
  const logger = env.logger.child({ family, job: name, jobId, attempt: attempt.attempt, ...(tenantId ? { tenantId } : {}) });
  const started = performance.now();
  const observe = (outcome: string) => {
    const seconds = (performance.now() - started) / 1000;
    env.deps.metrics.jobDuration.observe({ queue: family, job: name, outcome }, seconds);
    return Math.round(seconds * 1000);
  };

  const parsed = parsePayload(family, name, attempt.data);
  if (!parsed.ok) {
    observe('invalid');
    logger.error({ issues: parsed.issues }, 'job payload is invalid: failing it without retry');
    throw new PermanentJobError('invalid_payload', `Invalid payload for job ${family}/${name}: ${parsed.issues.join('; ')}`);
  }
  const handler = lookupHandler(env.handlers, family, name);
  if (!handler) {
    observe('no_handler');
    logger.error('no handler is registered for this job in this worker: failing it without retry');
    throw new PermanentJobError('no_handler', `No handler is registered for job ${family}/${name} in this worker`);
  }

  logger.debug('job started');
  try {
    const result = await handler(parsed.payload, { ...env.deps, logger, enqueue: env.enqueue }, { family, name, jobId, attempt: attempt.attempt, maxAttempts: attempt.maxAttempts, signal: attempt.signal });
    logger.info({ durationMs: observe('completed') }, 'job completed');
    return result;
  } catch (err) {
    const permanent = isPermanentJobError(err);
    const willRetry = !permanent && attempt.attempt < attempt.maxAttempts;
    const durationMs = observe(permanent ? 'permanent_failure' : 'failure');
    if (willRetry) logger.warn({ err, durationMs, maxAttempts: attempt.maxAttempts }, 'job attempt failed: it will be retried with backoff');
    else logger.error({ err, durationMs, maxAttempts: attempt.maxAttempts, permanent }, permanent ? 'job failed permanently: not retried' : 'job failed on its last attempt');
    throw err;
  }
}

function tenantOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const t = (data as { tenantId?: unknown }).tenantId;
  return typeof t === 'string' ? t : undefined;
}
