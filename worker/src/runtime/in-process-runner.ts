import { getNextMillis } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import type { QueueCounts } from '../observability/metrics.js';
import { RunnerClosedError, failureReason, isPermanentJobError } from '../queues/errors.js';
import { FAMILIES, backoffDelay, identify, resolvePolicies, type Family, type FamilyPolicies, type JobName, type PayloadInput } from '../queues/families.js';
import { familiesWithHandlers, type EnqueueOptions, type EnqueueResult, type HandlerRegistry } from '../queues/handler-registry.js';
import { tenantSchedulerEntries, type ScheduleChange, type SchedulerEntry, type TenantScheduleInput } from '../queues/schedules.js';
import { executeJob, type ExecutionEnv } from './execute-job.js';
import type { JobRunner, JobRunnerOptions, JobStatus, RunnerHealth } from './job-runner.js';

type MemState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

interface MemJob {
  readonly family: Family;
  readonly name: string;
  readonly id: string;
  readonly data: unknown;
  readonly maxAttempts: number;
  readonly deduplicationId: string | undefined;
  state: MemState;
  attemptsMade: number;
  failedReason?: string;
  returnValue?: unknown;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

interface DedupEntry {
  jobId: string;
  /** The last request that arrived while the job was running (keepLastIfActive). */
  next?: { readonly name: string; readonly data: unknown; readonly jobId: string };
}

/**
 * The in-process driver, for running without Redis (embedded mode, tests, the CLI). It
 * runs the same handlers through the same `executeJob` and copies BullMQ's semantics:
 *
 * - validation on add and on process; deterministic ids: adding an id that is still kept
 *   (waiting, running, or finished within the retention limits) is a no-op;
 * - deduplication with keepLastIfActive: requests collapse into the pending job; while it
 *   runs, the last request is kept and runs once after it;
 * - attempts and exponential backoff from the family policy; PermanentJobError (and
 *   BullMQ's UnrecoverableError) fail at once;
 * - one job at a time per family (no parallelism within a family, so no locks are needed).
 *
 * What it cannot copy: durability. Jobs, retries and schedules live in memory and are lost
 * when the process stops (close() logs how many); the nightly reconcile catches up.
 */
export class InProcessJobRunner implements JobRunner {
  readonly mode = 'in-process' as const;
  private readonly logger: Logger;
  private readonly policies: FamilyPolicies;
  private readonly jobs = new Map<string, MemJob>();
  private readonly waiting = new Map<Family, MemJob[]>(FAMILIES.map((f) => [f, []]));
  private readonly active = new Map<Family, MemJob>();
  private readonly running = new Map<Family, Promise<void>>();
  private readonly finished = new Map<Family, MemJob[]>(FAMILIES.map((f) => [f, []]));
  private readonly dedup = new Map<string, DedupEntry>();
  private readonly schedulers = new Map<string, { entry: SchedulerEntry; timer: NodeJS.Timeout }>();
  private readonly idleWaiters: Array<() => void> = [];
  private env: ExecutionEnv | undefined;
  private runnable = new Set<Family>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.logger = options.logger.child({ component: 'job-runner', mode: 'in-process' });
    this.policies = resolvePolicies(options.policies);
  }

  readonly enqueue = async <F extends Family, N extends JobName<F>>(family: F, name: N, payload: PayloadInput<F, N>, options: EnqueueOptions = {}): Promise<EnqueueResult> => {
    if (this.closing) throw new RunnerClosedError();
    const { payload: data, jobId, deduplicationId } = identify(family, name, payload);
    return this.add(family, name, data, jobId, deduplicationId, options.delayMs ?? 0);
  };

  /**
   * @internal Test seam: adds a job WITHOUT validating it, as a foreign or older producer
   * could write it to Redis, so tests can check the validation on process.
   */
  addUnvalidated(family: Family, name: string, data: unknown, jobId: string): EnqueueResult {
    return this.add(family, name, data, jobId, undefined, 0);
  }

  async start(handlers: HandlerRegistry): Promise<void> {
    if (this.closing) throw new RunnerClosedError();
    if (this.env) throw new Error('The job runner is already started');
    this.env = { handlers, deps: this.options.deps, logger: this.options.logger, enqueue: this.enqueue };
    this.runnable = new Set(familiesWithHandlers(handlers));
    if (this.runnable.size === 0) this.logger.warn('no job handlers are registered: this process takes no jobs');
    for (const family of this.runnable) this.pump(family);
  }

  /** Resolves when no job is waiting, delayed or running in the families that have handlers. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? 30_000);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    for (const { timer } of this.schedulers.values()) clearTimeout(timer);
    this.schedulers.clear();
    const running = [...this.running.values()];
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        Promise.allSettled(running).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.logger.warn({ timeoutMs }, 'running jobs did not finish in time: aborting them');
        for (const job of this.active.values()) job.controller?.abort(new Error('worker shutting down'));
      }
    }
    let dropped = 0;
    for (const job of this.jobs.values()) {
      if (job.state === 'waiting' || job.state === 'delayed') {
        clearTimeout(job.timer);
        dropped++;
      }
    }
    if (dropped > 0) this.logger.warn({ dropped }, 'in-process mode: queued and retrying jobs are not persisted and were dropped at shutdown');
    this.logger.info('job runner closed');
  }

  async inspect(family: Family, jobId: string): Promise<JobStatus | undefined> {
    const job = this.jobs.get(key(family, jobId));
    if (!job) return undefined;
    return {
      family,
      name: job.name,
      jobId,
      state: job.state,
      attemptsMade: job.attemptsMade,
      payload: job.data,
      ...(job.failedReason !== undefined ? { failedReason: job.failedReason } : {}),
      ...(job.state === 'completed' ? { returnValue: job.returnValue } : {}),
    };
  }

  async counts(): Promise<QueueCounts> {
    const out: Record<string, Record<string, number>> = {};
    for (const family of FAMILIES) out[family] = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
    for (const job of this.jobs.values()) {
      const byState = out[job.family] as Record<string, number>;
      byState[job.state] = (byState[job.state] ?? 0) + 1;
    }
    return out;
  }

  async upsertTenantSchedules(spec: TenantScheduleInput): Promise<ScheduleChange> {
    if (this.closing) throw new RunnerClosedError();
    const entries = tenantSchedulerEntries(spec);
    for (const entry of entries) {
      const existing = this.schedulers.get(entry.id);
      if (existing) clearTimeout(existing.timer);
      // Like BullMQ: a new interval scheduler produces its first job at once.
      else if ('every' in entry.repeat) this.add(entry.family, entry.name, entry.payload, `${entry.id}-${Date.now()}`, undefined, 0);
      this.arm(entry);
    }
    const wanted = new Set(entries.map((e) => e.id));
    let removed = 0;
    for (const [id, { entry, timer }] of this.schedulers) {
      if (entry.payload['tenantId'] === spec.tenantId && !wanted.has(id)) {
        clearTimeout(timer);
        this.schedulers.delete(id);
        removed++;
      }
    }
    return { upserted: entries.length, removed };
  }

  async removeTenantSchedules(tenantId: string): Promise<number> {
    let removed = 0;
    for (const [id, { entry, timer }] of this.schedulers) {
      if (entry.payload['tenantId'] !== tenantId) continue;
      clearTimeout(timer);
      this.schedulers.delete(id);
      removed++;
    }
    return removed;
  }

  async health(): Promise<RunnerHealth> {
    const closing = this.closing !== undefined;
    return { ok: !closing, mode: this.mode, closing, workers: [...this.runnable] };
  }

  async tenantSchedules(tenantId: string): Promise<string[]> {
    return [...this.schedulers.values()].filter((s) => s.entry.payload['tenantId'] === tenantId).map((s) => s.entry.id);
  }

  // -------------------------------------------------------------------------------------

  private add(family: Family, name: string, data: unknown, jobId: string, deduplicationId: string | undefined, delayMs: number): EnqueueResult {
    // Same as BullMQ: an id that is still kept is not added again.
    if (this.jobs.has(key(family, jobId))) return { jobId };
    if (deduplicationId) {
      const entry = this.dedup.get(key(family, deduplicationId));
      const current = entry && this.jobs.get(key(family, entry.jobId));
      if (entry && current && current.state !== 'completed' && current.state !== 'failed') {
        if (current.state === 'active') entry.next = { name, data, jobId };
        return { jobId, deduplicatedInto: current.id };
      }
      this.dedup.set(key(family, deduplicationId), { jobId });
    }
    const job: MemJob = { family, name, id: jobId, data, maxAttempts: this.policies[family].attempts, deduplicationId, state: 'waiting', attemptsMade: 0 };
    this.jobs.set(key(family, jobId), job);
    if (delayMs > 0) this.delay(job, delayMs);
    else this.makeReady(job);
    return { jobId };
  }

  private makeReady(job: MemJob): void {
    job.state = 'waiting';
    delete job.timer;
    this.waiting.get(job.family)?.push(job);
    this.pump(job.family);
  }

  private delay(job: MemJob, ms: number): void {
    job.state = 'delayed';
    job.timer = setTimeout(() => this.makeReady(job), ms);
    job.timer.unref();
  }

  private pump(family: Family): void {
    if (!this.env || this.closing || !this.runnable.has(family) || this.active.has(family)) return;
    const job = this.waiting.get(family)?.shift();
    if (!job) {
      this.notifyIfIdle();
      return;
    }
    this.active.set(family, job);
    const run = this.run(job, this.env).finally(() => {
      this.active.delete(family);
      this.running.delete(family);
      this.pump(family);
      this.notifyIfIdle();
    });
    this.running.set(family, run);
  }

  private async run(job: MemJob, env: ExecutionEnv): Promise<void> {
    job.state = 'active';
    job.controller = new AbortController();
    try {
      job.returnValue = await executeJob({ family: job.family, name: job.name, jobId: job.id, data: job.data, attempt: job.attemptsMade + 1, maxAttempts: job.maxAttempts, signal: job.controller.signal }, env);
      job.attemptsMade++;
      this.finish(job, 'completed');
    } catch (err) {
      job.attemptsMade++;
      job.failedReason = failureReason(err);
      if (isPermanentJobError(err) || job.attemptsMade >= job.maxAttempts) this.finish(job, 'failed');
      else this.delay(job, backoffDelay(this.policies[job.family], job.attemptsMade));
    } finally {
      delete job.controller;
    }
  }

  private finish(job: MemJob, state: 'completed' | 'failed'): void {
    job.state = state;
    job.finishedAt = Date.now();
    const list = this.finished.get(job.family) as MemJob[];
    list.push(job);
    this.prune(job.family);
    if (!job.deduplicationId) return;
    const dedupKey = key(job.family, job.deduplicationId);
    const entry = this.dedup.get(dedupKey);
    if (entry?.jobId !== job.id) return;
    this.dedup.delete(dedupKey);
    if (entry.next) this.add(job.family, entry.next.name, entry.next.data, entry.next.jobId, job.deduplicationId, 0);
  }

  /** Retention, as BullMQ's removeOnComplete/removeOnFail: finished jobs beyond the age or count limit are forgotten. */
  private prune(family: Family): void {
    const policy = this.policies[family];
    const list = this.finished.get(family) as MemJob[];
    const now = Date.now();
    const keep: MemJob[] = [];
    const kept = { completed: 0, failed: 0 };
    for (let i = list.length - 1; i >= 0; i--) {
      const job = list[i] as MemJob;
      const limit = job.state === 'completed' ? policy.keepCompleted : policy.keepFailed;
      const bucket = job.state === 'completed' ? 'completed' : 'failed';
      if (kept[bucket] < limit.count && now - (job.finishedAt ?? now) <= limit.ageSeconds * 1000) {
        kept[bucket]++;
        keep.unshift(job);
      } else {
        this.jobs.delete(key(family, job.id));
      }
    }
    this.finished.set(family, keep);
  }

  private arm(entry: SchedulerEntry): void {
    const now = Date.now();
    const next = getNextMillis(now, 'every' in entry.repeat ? { every: entry.repeat.every } : { pattern: entry.repeat.pattern, tz: entry.repeat.tz });
    if (next === undefined) {
      this.schedulers.delete(entry.id);
      return;
    }
    const timer = setTimeout(() => {
      if (this.closing) return;
      this.add(entry.family, entry.name, entry.payload, `${entry.id}-${next}`, undefined, 0);
      this.arm(entry);
    }, Math.max(0, next - now));
    timer.unref();
    this.schedulers.set(entry.id, { entry, timer });
  }

  private isIdle(): boolean {
    for (const family of this.runnable) {
      if (this.active.has(family) || (this.waiting.get(family)?.length ?? 0) > 0) return false;
    }
    for (const job of this.jobs.values()) if (job.state === 'delayed' && this.runnable.has(job.family)) return false;
    return true;
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function key(family: Family, id: string): string {
  return `${family}\u0000${id}`;
}
