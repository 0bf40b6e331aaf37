import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions, type JobSchedulerTemplateOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { QueueCounts } from '../observability/metrics.js';
import { PermanentJobError, QueueUnavailableError, RunnerClosedError, failureReason } from '../queues/errors.js';
import { FAMILIES, identify, resolvePolicies, type Family, type FamilyPolicies, type JobName, type PayloadInput } from '../queues/families.js';
import { familiesWithHandlers, type EnqueueOptions, type EnqueueResult, type HandlerRegistry } from '../queues/handler-registry.js';
import { tenantSchedulerEntries, type ScheduleChange, type SchedulerEntry, type TenantScheduleInput } from '../queues/schedules.js';
import { executeJob, type ExecutionEnv } from './execute-job.js';
import type { JobRunner, JobRunnerOptions, JobState, JobStatus, RunnerHealth } from './job-runner.js';
import { RedisErrorReporter, closeConnection, createProducerConnection, createWorkerConnection, isConnectionError } from './redis-connections.js';

const COUNTED_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'] as const;

/**
 * The BullMQ driver: one Queue per family on a shared fail-fast producer connection, and
 * (after `start`) one Worker per family that has handlers, on a shared worker connection.
 * Retries, backoff, retention and deduplication are BullMQ job options, set in one place
 * (`jobOptions`), so there is exactly one retry layer.
 */
export class BullmqJobRunner implements JobRunner {
  readonly mode = 'bullmq' as const;
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly policies: FamilyPolicies;
  private readonly producer: Redis;
  private readonly queues: ReadonlyMap<Family, Queue>;
  private readonly workers = new Map<Family, Worker>();
  private readonly reporter: RedisErrorReporter;
  private workerConnection: Redis | undefined;
  private started = false;
  private closing: Promise<void> | undefined;
  private producerWasReady = false;
  /** Tenant schedules applied by this process, re-applied if Redis comes back without them. */
  private readonly appliedSchedules = new Map<string, TenantScheduleInput>();

  constructor(private readonly options: JobRunnerOptions & { readonly redisUrl: string }) {
    this.logger = options.logger.child({ component: 'job-runner', mode: 'bullmq' });
    this.prefix = options.bullmq?.prefix ?? 'spm';
    this.policies = resolvePolicies(options.policies);
    this.reporter = new RedisErrorReporter(this.logger);
    this.producer = createProducerConnection(options.redisUrl, 'spm-producer');
    this.watch('producer', this.producer);
    this.producer.on('ready', () => {
      if (this.producerWasReady) void this.restoreLostSchedules();
      this.producerWasReady = true;
    });
    const queues = new Map<Family, Queue>();
    for (const family of FAMILIES) {
      const queue = new Queue(family, { connection: this.producer, prefix: this.prefix });
      queue.on('error', (err) => this.reporter.report(`queue:${family}`, err));
      queues.set(family, queue);
    }
    this.queues = queues;
  }

  readonly enqueue = async <F extends Family, N extends JobName<F>>(family: F, name: N, payload: PayloadInput<F, N>, options: EnqueueOptions = {}): Promise<EnqueueResult> => {
    if (this.closing) throw new RunnerClosedError();
    const { payload: data, jobId, deduplicationId } = identify(family, name, payload);
    await this.producerReady(`job ${family}/${name} ${jobId} was not enqueued`);
    let job: Job;
    try {
      job = await this.queue(family).add(name, data, this.jobOptions(family, jobId, deduplicationId, options.delayMs));
    } catch (err) {
      if (isConnectionError(err)) throw new QueueUnavailableError(`Redis is unavailable: job ${family}/${name} ${jobId} was not enqueued (${(err as Error).message})`, { cause: err });
      throw err;
    }
    return job.id === jobId || job.id === undefined ? { jobId } : { jobId, deduplicatedInto: job.id };
  };

  async start(handlers: HandlerRegistry): Promise<void> {
    if (this.closing) throw new RunnerClosedError();
    if (this.started) throw new Error('The job runner is already started');
    this.started = true;
    const families = familiesWithHandlers(handlers);
    if (families.length === 0) {
      this.logger.warn('no job handlers are registered: this process takes no jobs');
      return;
    }
    const connection = createWorkerConnection(this.options.redisUrl, 'spm-worker');
    this.workerConnection = connection;
    this.watch('worker-connection', connection);
    const env: ExecutionEnv = { handlers, deps: this.options.deps, logger: this.options.logger, enqueue: this.enqueue };
    const settings = this.options.bullmq ?? {};
    for (const family of families) {
      const policy = this.policies[family];
      // Three parameters: BullMQ passes the AbortSignal only to processors that declare it.
      const processor = async (job: Job, _token?: string, signal?: AbortSignal): Promise<unknown> => {
        try {
          return await executeJob(
            { family, name: job.name, jobId: job.id ?? '', data: job.data, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, signal: signal ?? new AbortController().signal },
            env,
          );
        } catch (err) {
          if (err instanceof PermanentJobError) throw new UnrecoverableError(failureReason(err));
          throw err;
        }
      };
      const worker = new Worker(family, processor, {
        connection,
        prefix: this.prefix,
        concurrency: this.options.concurrency ?? policy.concurrency,
        name: settings.workerName ?? `${hostname()}-${process.pid}`,
        lockDuration: settings.lockDurationMs ?? 30_000,
        stalledInterval: settings.stalledIntervalMs ?? 30_000,
        maxStalledCount: settings.maxStalledCount ?? 2,
      });
      worker.on('error', (err) => this.reporter.report(`worker:${family}`, err));
      worker.on('stalled', (jobId) => this.logger.warn({ family, jobId }, 'job stalled (its worker stopped renewing the lock, e.g. it crashed): moved back to the queue to run again'));
      worker.on('failed', (job, err) => {
        // Attempts that fail in a handler are logged by executeJob; this catches failures BullMQ decides alone.
        if (/stalled more than allowable limit|started more than allowable limit/.test(err.message)) this.logger.error({ family, jobId: job?.id, err }, 'job failed: it stalled too many times');
      });
      this.workers.set(family, worker);
    }
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
    this.logger.info({ families, prefix: this.prefix }, 'BullMQ workers started');
  }

  close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? 30_000);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const workers = [...this.workers.entries()];
    if (workers.length > 0) {
      // Stop fetching, let running jobs finish.
      const pending = new Set(workers.map(([f]) => f));
      const finished = await within(Promise.allSettled(workers.map(([f, w]) => w.close().finally(() => pending.delete(f)))), timeoutMs);
      if (!finished) {
        this.logger.warn({ timeoutMs, families: [...pending] }, 'running jobs did not finish in time: aborting them; BullMQ gives them to another worker once their lock expires');
        for (const [, w] of workers) w.cancelAllJobs('worker shutting down');
        await within(Promise.allSettled(workers.map(([, w]) => w.close(true))), 5_000);
      }
    }
    await within(Promise.allSettled([...this.queues.values()].map((q) => q.close())), 5_000);
    await Promise.all([closeConnection(this.producer), this.workerConnection ? closeConnection(this.workerConnection) : undefined]);
    this.logger.info('job runner closed');
  }

  async inspect(family: Family, jobId: string): Promise<JobStatus | undefined> {
    // State first, then the job: once a state is final the job's fields are too (one Lua
    // script moves and updates it), so this never pairs 'failed' with a stale attempt count.
    const state = (await this.queue(family).getJobState(jobId)) as JobState;
    if (state === 'unknown') return undefined;
    const job = await this.queue(family).getJob(jobId);
    if (!job) return undefined;
    return {
      family,
      name: job.name,
      jobId,
      state,
      attemptsMade: job.attemptsMade,
      payload: job.data,
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      ...(state === 'completed' ? { returnValue: job.returnvalue } : {}),
    };
  }

  async counts(): Promise<QueueCounts> {
    const out: Record<string, Record<string, number>> = {};
    await Promise.all(
      FAMILIES.map(async (family) => {
        out[family] = await this.queue(family).getJobCounts(...COUNTED_STATES);
      }),
    );
    return out;
  }

  async upsertTenantSchedules(spec: TenantScheduleInput): Promise<ScheduleChange> {
    const entries = tenantSchedulerEntries(spec);
    await this.producerReady(`schedules of tenant ${spec.tenantId} were not applied`);
    for (const entry of entries) await this.upsertScheduler(entry);
    const wanted = new Set(entries.map((e) => e.id));
    let removed = 0;
    for (const { family, id } of await this.tenantSchedulers(spec.tenantId)) {
      if (!wanted.has(id) && (await this.queue(family).removeJobScheduler(id))) removed++;
    }
    this.appliedSchedules.set(spec.tenantId, spec);
    return { upserted: entries.length, removed };
  }

  async removeTenantSchedules(tenantId: string): Promise<number> {
    this.appliedSchedules.delete(tenantId);
    await this.producerReady(`schedules of tenant ${tenantId} were not removed`);
    let removed = 0;
    for (const { family, id } of await this.tenantSchedulers(tenantId)) {
      if (await this.queue(family).removeJobScheduler(id)) removed++;
    }
    return removed;
  }

  async tenantSchedules(tenantId: string): Promise<string[]> {
    return (await this.tenantSchedulers(tenantId)).map((s) => s.id);
  }

  async health(): Promise<RunnerHealth> {
    const redis = this.producer.status;
    const workerRedis = this.workerConnection?.status;
    const closing = this.closing !== undefined;
    return { ok: !closing && redis === 'ready' && (workerRedis === undefined || workerRedis === 'ready'), mode: this.mode, closing, redis, ...(workerRedis ? { workerRedis } : {}), workers: [...this.workers.keys()] };
  }

  // -------------------------------------------------------------------------------------

  private queue(family: Family): Queue {
    const queue = this.queues.get(family);
    if (!queue) throw new Error(`Unknown job family '${family}'`);
    return queue;
  }

  /** The single place where retries, backoff, retention and deduplication are set. */
  private jobOptions(family: Family, jobId: string, deduplicationId: string | undefined, delayMs: number | undefined): JobsOptions {
    return {
      ...this.templateOptions(family),
      jobId,
      ...(deduplicationId ? { deduplication: { id: deduplicationId, keepLastIfActive: true } } : {}),
      ...(delayMs && delayMs > 0 ? { delay: delayMs } : {}),
    };
  }

  private templateOptions(family: Family): JobSchedulerTemplateOptions {
    const p = this.policies[family];
    return {
      attempts: p.attempts,
      backoff: { type: 'exponential', delay: p.backoff.delayMs, jitter: p.backoff.jitter },
      removeOnComplete: { age: p.keepCompleted.ageSeconds, count: p.keepCompleted.count },
      removeOnFail: { age: p.keepFailed.ageSeconds, count: p.keepFailed.count },
    };
  }

  private async upsertScheduler(entry: SchedulerEntry): Promise<void> {
    await this.queue(entry.family).upsertJobScheduler(entry.id, entry.repeat, { name: entry.name, data: entry.payload, opts: this.templateOptions(entry.family) });
  }

  private async tenantSchedulers(tenantId: string): Promise<Array<{ family: Family; id: string }>> {
    const out: Array<{ family: Family; id: string }> = [];
    for (const family of FAMILIES) {
      for (const s of await this.queue(family).getJobSchedulers(0, -1)) {
        const data: unknown = s.template?.data;
        if (typeof data === 'object' && data !== null && (data as { tenantId?: unknown }).tenantId === tenantId) out.push({ family, id: s.id ?? s.key });
      }
    }
    return out;
  }

  /** After a reconnect: if Redis came back empty (no persistence), put back the schedulers this process applied. */
  private async restoreLostSchedules(): Promise<void> {
    try {
      if (this.appliedSchedules.size === 0) return;
      const present = new Set<string>();
      for (const family of FAMILIES) for (const s of await this.queue(family).getJobSchedulers(0, -1)) present.add(s.id ?? s.key);
      let restored = 0;
      for (const spec of this.appliedSchedules.values()) {
        for (const entry of tenantSchedulerEntries(spec)) {
          if (present.has(entry.id)) continue;
          await this.upsertScheduler(entry);
          restored++;
        }
      }
      if (restored > 0) this.logger.warn({ restored }, 'Redis lost job schedulers (restarted without persistence?): restored them; jobs that were queued are gone and the next schedules and reconciles will catch up');
    } catch (err) {
      this.logger.error({ err }, 'could not check or restore job schedulers after a Redis reconnect');
    }
  }

  private async producerReady(what: string): Promise<void> {
    if (this.producer.status === 'ready') return;
    const timeoutMs = this.options.bullmq?.enqueueReadyTimeoutMs ?? 2_000;
    let onReady: (() => void) | undefined;
    const ready = await within(
      new Promise<void>((resolve) => {
        onReady = resolve;
        this.producer.once('ready', resolve);
      }),
      timeoutMs,
    );
    if (onReady) this.producer.off('ready', onReady);
    if (!ready) throw new QueueUnavailableError(`Redis is unavailable (connection ${this.producer.status} for ${timeoutMs} ms): ${what}`);
  }

  private watch(source: string, redis: Redis): void {
    redis.on('error', (err) => this.reporter.report(source, err));
    redis.on('ready', () => this.reporter.ready(source));
  }
}

/** Resolves true when the promise settles within `ms`, false otherwise (the promise keeps running). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
