import type { Logger } from '../observability/logger.js';
import type { QueueCounts } from '../observability/metrics.js';
import type { Family, PolicyOverrides } from '../queues/families.js';
import type { Enqueue, HandlerRegistry } from '../queues/handler-registry.js';
import type { ScheduleChange, TenantScheduleInput } from '../queues/schedules.js';
import { BullmqJobRunner } from './bullmq-runner.js';
import type { BaseJobDeps } from './execute-job.js';
import { InProcessJobRunner } from './in-process-runner.js';

export type { BaseJobDeps } from './execute-job.js';

export type JobState = 'waiting' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface JobStatus {
  readonly family: Family;
  readonly name: string;
  readonly jobId: string;
  readonly state: JobState;
  /** Finished attempts (failed ones, plus the successful one once completed). */
  readonly attemptsMade: number;
  readonly payload: unknown;
  readonly failedReason?: string;
  readonly returnValue?: unknown;
}

export interface RunnerHealth {
  readonly ok: boolean;
  readonly mode: 'bullmq' | 'in-process';
  readonly [check: string]: unknown;
}

/**
 * Where jobs go and who runs them. Two drivers with the same semantics (validation on
 * add and on process, deterministic ids, deduplication, one retry layer with exponential
 * backoff, permanent errors not retried):
 *
 * - BullMQ over Redis (REDIS_URL set): durable, several worker processes share a queue.
 * - In-process (no Redis): the same handlers run in this process, one job at a time per
 *   family; jobs live in memory and are lost when the process stops.
 */
export interface JobRunner {
  readonly mode: 'bullmq' | 'in-process';
  /** Validates the payload (throws InvalidJobPayloadError), derives the job id and adds the job. Usable before `start`. */
  readonly enqueue: Enqueue;
  /** Starts taking jobs for every family that has at least one handler. Once only. */
  start(handlers: HandlerRegistry): Promise<void>;
  /**
   * Stops taking jobs, waits for running ones up to `timeoutMs` (then aborts their
   * signals and abandons them: BullMQ hands them to another worker once their lock
   * expires), and closes queues and connections. Idempotent.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
  inspect(family: Family, jobId: string): Promise<JobStatus | undefined>;
  /** Job counts per queue and state (the queue-depth gauge). */
  counts(): Promise<QueueCounts>;
  /** Creates or updates a tenant's periodic sync and nightly reconcile, and removes its schedulers no longer wanted. */
  upsertTenantSchedules(spec: TenantScheduleInput): Promise<ScheduleChange>;
  /** Removes every scheduler of the tenant (it disconnected). Jobs already queued still run; handlers check the tenant's status. */
  removeTenantSchedules(tenantId: string): Promise<number>;
  /** The ids of the tenant's schedulers. */
  tenantSchedules(tenantId: string): Promise<string[]>;
  health(): Promise<RunnerHealth>;
}

export interface BullmqSettings {
  /** Redis key prefix of all queues (default 'spm'); tests use a unique one. */
  readonly prefix?: string;
  /** Lock on an active job; a worker that stops renewing it (crash) has the job recovered after this. Default 30 s. */
  readonly lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. Default 30 s. */
  readonly stalledIntervalMs?: number;
  /** Recoveries allowed before a repeatedly stalling job fails. Default 2. */
  readonly maxStalledCount?: number;
  /** How long `enqueue` waits for a Redis connection that is not ready before failing. Default 2 s. */
  readonly enqueueReadyTimeoutMs?: number;
  /** Stored on the jobs this process runs (default host-pid). */
  readonly workerName?: string;
}

export interface JobRunnerOptions {
  /** Unset: the in-process driver. */
  readonly redisUrl?: string | undefined;
  readonly deps: BaseJobDeps;
  readonly logger: Logger;
  readonly policies?: PolicyOverrides;
  /** Overrides the per-family concurrency (FAMILY_POLICIES) for every family (BullMQ driver). */
  readonly concurrency?: number | undefined;
  readonly bullmq?: BullmqSettings;
}

export const IN_PROCESS_NOTICE = 'REDIS_URL not set: running jobs in-process (embedded mode; jobs are kept in memory, one at a time per family); set REDIS_URL to use BullMQ workers';

/** Picks the driver: BullMQ when a Redis URL is given, otherwise in-process (announced by one log line). */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  if (options.redisUrl) return new BullmqJobRunner({ ...options, redisUrl: options.redisUrl });
  options.logger.info({ mode: 'in-process' }, IN_PROCESS_NOTICE);
  return new InProcessJobRunner(options);
}
