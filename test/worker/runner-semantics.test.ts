import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../worker/src/db/database.js';
import { InvalidJobPayloadError, RunnerClosedError } from '../../worker/src/queues/errors.js';
import { FAMILY_POLICIES, type Family } from '../../worker/src/queues/families.js';
import { createJobRunner, type JobRunner, type JobStatus } from '../../worker/src/runtime/job-runner.js';
import { InProcessJobRunner } from '../../worker/src/runtime/in-process-runner.js';
import { REDIS_URL, cleanupPrefix, createRedis, uniquePrefix } from '../support/redis.js';
import type { Logger } from '../../worker/src/observability/logger.js';
import { captureLogs, gate, recompute, recordingHandler, silentLogger, testDeps, testRegistry, waitFor, type Behaviour } from './support/harness.js';
import { causesRun, countResults, countRuns, createTestDatabase, runsOf, type TestDatabase } from './support/pg.js';

/**
 * The same behaviour, checked against both drivers: BullMQ on the real Redis, and the
 * in-process driver used when REDIS_URL is not set.
 */
describe.each(['bullmq', 'in-process'] as const)('%s driver', (driver) => {
  let tdb: TestDatabase;
  let db: Db;
  let prefix: string;
  let runner: JobRunner | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase(`semantics_${driver}`);
    db = await openDatabase({ kind: 'server', url: tdb.url, maxConnections: 4 });
  });
  afterAll(async () => {
    await db?.destroy();
    await tdb?.drop();
  });
  beforeEach(async () => {
    prefix = uniquePrefix(driver);
    await sql`truncate job_runs, job_results`.execute(db);
  });
  afterEach(async () => {
    await runner?.close({ timeoutMs: 5_000 });
    runner = undefined;
    if (driver === 'bullmq') await cleanupPrefix(prefix);
  });

  function makeRunner(options: { attempts?: number; backoffMs?: number; logger?: Logger } = {}): JobRunner {
    runner = createJobRunner({
      redisUrl: driver === 'bullmq' ? REDIS_URL : undefined,
      deps: testDeps(db),
      logger: options.logger ?? silentLogger(),
      concurrency: 1,
      policies: { compute: { attempts: options.attempts ?? 3, backoff: { delayMs: options.backoffMs ?? 100, jitter: 0 } } },
      bullmq: { prefix },
    });
    return runner;
  }

  const start = (r: JobRunner, behaviour?: (p: { cause?: string }) => Behaviour) => r.start(testRegistry(recordingHandler('w1', behaviour)));

  /** Writes a job straight into the queue, as a foreign or older producer could, skipping validation. */
  async function addRaw(r: JobRunner, family: Family, name: string, data: unknown, jobId: string): Promise<void> {
    if (r instanceof InProcessJobRunner) {
      r.addUnvalidated(family, name, data, jobId);
      return;
    }
    const redis = createRedis();
    const queue = new Queue(family, { connection: redis, prefix });
    await queue.add(name, data, { jobId, attempts: 3, backoff: { type: 'exponential', delay: 100 } });
    await queue.close();
    redis.disconnect();
  }

  const finished = (r: JobRunner, family: Family, jobId: string): Promise<JobStatus> =>
    waitFor(`job ${jobId} to finish`, async () => {
      const s = await r.inspect(family, jobId);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
    });

  it('validates on add: an invalid payload is rejected with the field named, and nothing is queued', async () => {
    const r = makeRunner();
    await expect(r.enqueue('compute', 'recompute-payees', { tenantId: 'acme', payeeIds: [], periodIds: ['2026-07'], cause: 'x' })).rejects.toThrow(InvalidJobPayloadError);
    await expect(r.enqueue('compute', 'recompute-payees', { tenantId: 'acme', payeeIds: ['ana'], periodIds: ['July'], cause: 'x' })).rejects.toThrow(/periodIds\.0/);
    const counts = await r.counts();
    expect(Object.values(counts['compute'] ?? {}).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('validates on process: a job stored with an invalid payload (or an unknown name) fails at once, not retried, and no handler runs', async () => {
    const r = makeRunner();
    await start(r);
    await addRaw(r, 'compute', 'recompute-payees', { tenantId: 'acme', payeeIds: 'ana', periodIds: ['2026-07'], cause: 'x' }, 'raw-invalid');
    await addRaw(r, 'compute', 'no-such-job', { tenantId: 'acme' }, 'raw-unknown');
    const invalid = await finished(r, 'compute', 'raw-invalid');
    expect(invalid).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(invalid.failedReason).toMatch(/invalid_payload.*payeeIds/);
    const unknown = await finished(r, 'compute', 'raw-unknown');
    expect(unknown).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(unknown.failedReason).toMatch(/unknown job 'no-such-job'/);
    expect(await countRuns(db)).toBe(0);
  });

  it('retries with exponential backoff, then succeeds: one result row, the attempt number in ctx', async () => {
    const r = makeRunner({ attempts: 4, backoffMs: 150 });
    await start(r, () => ({ failAttempts: 2 }));
    const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('retry'));
    expect(await finished(r, 'compute', jobId)).toMatchObject({ state: 'completed', attemptsMade: 3 });
    const runs = await runsOf(db, jobId);
    expect(runs.map((x) => x.attempt)).toEqual([1, 2, 3]);
    // Lower bounds only: a retry never comes before its backoff (150 ms, then 300 ms).
    const [first, second, third] = runs.map((x) => x.startedAt.getTime()) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(140);
    expect(third - second).toBeGreaterThanOrEqual(290);
    expect(await countResults(db, jobId)).toBe(1);
  });

  it('fails after the last attempt', async () => {
    const r = makeRunner({ attempts: 2, backoffMs: 50 });
    await start(r, () => ({ failAttempts: 99 }));
    const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('always-fails'));
    const status = await finished(r, 'compute', jobId);
    expect(status).toMatchObject({ state: 'failed', attemptsMade: 2 });
    expect(status.failedReason).toContain('transient failure on attempt 2');
    expect(await countRuns(db, jobId)).toBe(2);
    expect(await countResults(db, jobId)).toBe(0);
  });

  it('does not retry a PermanentJobError', async () => {
    const r = makeRunner({ attempts: 4, backoffMs: 50 });
    await start(r, () => ({ permanent: true }));
    const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('permanent'));
    const status = await finished(r, 'compute', jobId);
    expect(status).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(status.failedReason).toContain('the test handler refuses this input');
    expect(await countRuns(db, jobId)).toBe(1);
  });

  it('collapses a burst of requests for the same payees into the waiting job', async () => {
    const r = makeRunner();
    const results = [];
    for (const cause of ['c1', 'c2', 'c3', 'c4', 'c5']) results.push(await r.enqueue('compute', 'recompute-payees', recompute(cause)));
    const first = results[0]?.jobId;
    expect(results[0]?.deduplicatedInto).toBeUndefined();
    expect(results.slice(1).map((x) => x.deduplicatedInto)).toEqual([first, first, first, first]);
    expect((await r.counts())['compute']?.['waiting']).toBe(1);
    // Another payee set is other work: not collapsed.
    const other = await r.enqueue('compute', 'recompute-payees', recompute('c1', ['cy']));
    expect(other.deduplicatedInto).toBeUndefined();
    await start(r);
    await waitFor('both recomputes', async () => (await countResults(db)) === 2);
    expect((await causesRun(db)).sort()).toEqual(['c1', 'c1']);
    expect(await countRuns(db)).toBe(2);
  });

  it('keeps the last request that arrives while the job runs, and runs it once afterwards', async () => {
    const r = makeRunner();
    const g = gate();
    await start(r, (p) => (p.cause === 'c1' ? { gate: g.promise } : {}));
    const first = await r.enqueue('compute', 'recompute-payees', recompute('c1'));
    await waitFor('c1 to start', async () => (await countRuns(db, first.jobId)) === 1);
    for (const cause of ['c2', 'c3', 'c4']) expect((await r.enqueue('compute', 'recompute-payees', recompute(cause))).deduplicatedInto).toBe(first.jobId);
    g.open();
    await waitFor('the follow-up run', async () => (await countResults(db)) === 2);
    await waitFor('the queue to settle', async () => {
      const c = (await r.counts())['compute'] ?? {};
      return (c['waiting'] ?? 0) + (c['active'] ?? 0) + (c['delayed'] ?? 0) === 0;
    });
    expect(await causesRun(db)).toEqual(['c1', 'c4']);
  });

  it('the same request is the same job: sent again while the job is kept, it does not run again', async () => {
    const r = makeRunner();
    await start(r);
    const a = await r.enqueue('compute', 'recompute-payees', recompute('once', ['bo', 'ana']));
    expect(await finished(r, 'compute', a.jobId)).toMatchObject({ state: 'completed' });
    const again = await r.enqueue('compute', 'recompute-payees', recompute('once', ['ana', 'bo', 'ana']));
    expect(again).toEqual({ jobId: a.jobId });
    // A later job on the same (single-concurrency) queue has run, so the re-sent one would have too.
    const sentinel = await r.enqueue('compute', 'recompute-payees', recompute('sentinel', ['zed']));
    await finished(r, 'compute', sentinel.jobId);
    expect(await countRuns(db, a.jobId)).toBe(1);
    expect(await countResults(db)).toBe(2);
  });

  it('schedules per tenant: upserting is idempotent, and a disconnect removes only that tenant', async () => {
    const r = makeRunner();
    const acme = { tenantId: 'acme', source: 'hubspot' as const, objects: ['deals', 'activities'] };
    expect(await r.upsertTenantSchedules(acme)).toEqual({ upserted: 3, removed: 0 });
    expect(await r.upsertTenantSchedules(acme)).toEqual({ upserted: 3, removed: 0 });
    expect(await r.tenantSchedules('acme')).toHaveLength(3);
    expect(await r.upsertTenantSchedules({ ...acme, objects: ['deals'] })).toEqual({ upserted: 2, removed: 1 });
    await r.upsertTenantSchedules({ tenantId: 'globex', source: 'salesforce', objects: ['deals'] });
    expect(await r.removeTenantSchedules('acme')).toBe(2);
    expect(await r.tenantSchedules('acme')).toEqual([]);
    expect(await r.tenantSchedules('globex')).toHaveLength(2);
  });

  it('scheduled jobs run through the same validation and handlers', async () => {
    const r = makeRunner();
    await r.upsertTenantSchedules({ tenantId: 'acme', source: 'hubspot', objects: ['deals'] });
    await start(r);
    const row = await waitFor('the first scheduled sync to write its result', async () => (await sql<{ payload: unknown }>`select payload from job_results limit 1`.execute(db)).rows[0]);
    expect(row.payload).toEqual({ tenantId: 'acme', source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'schedule' });
  });

  it('close() takes no new jobs, waits for the running job to finish, then closes', async () => {
    const r = makeRunner();
    const g = gate();
    await start(r, () => ({ gate: g.promise }));
    const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('closing'));
    await waitFor('the job to start', async () => (await countRuns(db, jobId)) === 1);
    const closed = r.close({ timeoutMs: 20_000 });
    await expect(r.enqueue('compute', 'recompute-payees', recompute('too-late'))).rejects.toThrow(RunnerClosedError);
    g.open();
    await closed;
    expect(await countResults(db, jobId)).toBe(1);
  });

  it('close() aborts, through ctx.signal, a job that does not finish within the timeout', async () => {
    const logs = captureLogs();
    const r = makeRunner({ logger: logs.logger });
    await start(r, () => ({ sleepMs: 60_000 }));
    const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('stuck'));
    await waitFor('the job to start', async () => (await countRuns(db, jobId)) === 1);
    await r.close({ timeoutMs: 300 });
    await waitFor('the handler to see the abort', () => logs.lines().some((l) => l['jobId'] === jobId && (l['err'] as { name?: string } | undefined)?.name === 'AbortError'));
    expect(await countResults(db, jobId)).toBe(0);
  });

  it('uses the family policy defaults unless overridden', () => {
    expect(FAMILY_POLICIES['crm-write-back'].attempts).toBeGreaterThan(FAMILY_POLICIES.compute.attempts);
  });
});
