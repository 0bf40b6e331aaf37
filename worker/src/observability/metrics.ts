import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Job counts per queue and state, as BullMQ's `getJobCounts` reports them. */
export type QueueCounts = Readonly<Record<string, Readonly<Record<string, number>>>>;
export type QueueCountsSource = () => Promise<QueueCounts>;

export interface WorkerMetrics {
  readonly registry: Registry;
  /** One observation per job attempt, labelled by queue, job name and outcome. */
  readonly jobDuration: Histogram<'queue' | 'job' | 'outcome'>;
  /** Observed by the recompute handler around one statement recomputation. */
  readonly recomputeDuration: Histogram<'trigger'>;
  /** Incremented by the ledger writer, one per appended ledger entry. */
  readonly ledgerWrites: Counter<'kind'>;
  /** Where the queue-depth gauge reads its counts at scrape time (set by the job runner). */
  setQueueCountsSource(source: QueueCountsSource | undefined): void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag); off in tests that build many registries. */
  readonly defaultMetrics?: boolean;
  /** A scrape never waits on Redis longer than this; a slow or absent Redis leaves the gauge empty. */
  readonly queueCountsTimeoutMs?: number;
}

/**
 * The worker's Prometheus registry. Queue depth is a gauge filled at scrape time from the
 * job runner's counts (BullMQ `getJobCounts`), so it is exact at the moment of the scrape
 * and costs nothing between scrapes.
 */
export function createWorkerMetrics(options: MetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'spm_worker_' });
  const timeoutMs = options.queueCountsTimeoutMs ?? 2_000;
  let source: QueueCountsSource | undefined;

  new Gauge({
    name: 'spm_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, prioritized, failed, completed), read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!source) return;
      const counts = await withTimeout(source(), timeoutMs).catch(() => undefined);
      if (!counts) return;
      for (const [queue, byState] of Object.entries(counts)) {
        for (const [state, n] of Object.entries(byState)) this.set({ queue, state }, n);
      }
    },
  });

  const jobDuration = new Histogram({
    name: 'spm_job_duration_seconds',
    help: 'Duration of one job attempt, from the handler start to its end',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const recomputeDuration = new Histogram({
    name: 'spm_recompute_duration_seconds',
    help: 'Duration of one statement recomputation for a set of payees and periods',
    labelNames: ['trigger'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const ledgerWrites = new Counter({
    name: 'spm_ledger_writes_total',
    help: 'Payout ledger entries appended',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  return {
    registry,
    jobDuration,
    recomputeDuration,
    ledgerWrites,
    setQueueCountsSource(next) {
      source = next;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
