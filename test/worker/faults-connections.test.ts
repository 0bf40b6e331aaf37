import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../worker/src/db/database.js';
import { QueueUnavailableError } from '../../worker/src/queues/errors.js';
import { createJobRunner, type JobRunner, type JobStatus } from '../../worker/src/runtime/job-runner.js';
import { REDIS_URL, cleanupPrefix, ensureRedisRunning, startScratchRedis, uniquePrefix, type ScratchRedis } from '../support/redis.js';
import { spawnWorker } from './support/child.js';
import { captureLogs, gate, recompute, recordingHandler, testDeps, testRegistry, waitFor } from './support/harness.js';
import { countResults, countRuns, createTestDatabase, openResilientDb, runsOf, workerUrl, type TestDatabase } from './support/pg.js';

const PG_DROP_CHILD = new URL('./fixtures/pg-drop-child.ts', import.meta.url).pathname;

async function backendsOf(db: Db, applicationName: string, sleepingOnly = false): Promise<number> {
  const r = sleepingOnly
    ? await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${applicationName} and query like 'select pg_sleep%' and state = 'active'`.execute(db)
    : await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${applicationName}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

async function terminateBackends(db: Db, applicationName: string): Promise<number> {
  const r = await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${applicationName}`.execute(db);
  return r.rows.length;
}

describe('connections dropped under a running worker', () => {
  let tdb: TestDatabase;
  let db: Db;
  let prefix: string;
  let runner: JobRunner | undefined;
  let scratch: ScratchRedis | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase('connections');
    db = await openDatabase({ kind: 'server', url: tdb.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
    await tdb?.drop();
    // The restart test only ever restarts its private Redis; this is the safety net that
    // leaves the shared CI Redis running whatever happened.
    await ensureRedisRunning();
  });
  beforeEach(async () => {
    prefix = uniquePrefix('conn');
    await sql`truncate job_runs, job_results`.execute(db);
  });
  afterEach(async () => {
    await runner?.close({ timeoutMs: 3_000 });
    runner = undefined;
    await cleanupPrefix(prefix);
    // Whatever happened, the private Redis goes away (the shared one was never touched).
    await scratch?.stop();
    scratch = undefined;
  });

  const finished = (r: JobRunner, jobId: string): Promise<JobStatus> =>
    waitFor(`job ${jobId} to finish`, async () => {
      const s = await r.inspect('compute', jobId);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
    });

  /**
   * What is true with Redis run as in CI (`--save "" --appendonly no`): a restart loses
   * EVERY key: waiting jobs, the running job's record, deduplication keys, schedulers.
   * So we check what the runner can honestly do:
   * - producers fail fast (QueueUnavailableError) while Redis is down, and work again after;
   * - workers reconnect on their own and process NEW jobs;
   * - the job whose handler was running is NOT retried (Redis no longer knows it). Its
   *   handler runs to the end (its idempotent PostgreSQL write happens once), and the
   *   runner logs, at error level and naming the job, that its outcome could not be
   *   recorded: reported, not lost silently. Waiting jobs vanish with no one to report
   *   them; that is why production Redis needs AOF persistence (BullMQ's guide) and why
   *   the nightly reconcile exists;
   * - the schedulers this process applied are put back.
   * The restart is done on a private Redis server (same settings as CI), so other suites
   * running in parallel on the shared one are not disturbed.
   */
  it('(b) Redis restarted (shutdown nosave) mid-run: producers fail fast then recover, workers continue with new jobs, the in-flight job is reported', async () => {
    scratch = await startScratchRedis();
    const logs = captureLogs();
    const inFlight = gate();
    runner = createJobRunner({
      redisUrl: scratch.url,
      deps: testDeps(db),
      logger: logs.logger,
      concurrency: 1,
      bullmq: { prefix, lockDurationMs: 2_000, stalledIntervalMs: 1_000, enqueueReadyTimeoutMs: 300 },
    });
    const r = runner;
    await r.start(testRegistry(recordingHandler('w', (p) => (p.cause === 'in-flight' ? { gate: inFlight.promise } : {}))));
    await r.upsertTenantSchedules({ tenantId: 'acme', source: 'hubspot', objects: ['deals'] });
    const a = await r.enqueue('compute', 'recompute-payees', recompute('in-flight'));
    await waitFor('the in-flight job to start', async () => (await countRuns(db, a.jobId)) === 1);

    await scratch.shutdownNoSave();
    await waitFor('the runner to notice the outage', async () => !(await r.health()).ok);
    await expect(r.enqueue('compute', 'recompute-payees', recompute('during-outage', ['x']))).rejects.toThrow(QueueUnavailableError);

    await scratch.start();
    await waitFor('the runner to reconnect', async () => (await r.health()).ok);
    inFlight.open();

    await waitFor('the in-flight handler to finish its write', async () => (await countResults(db, a.jobId)) === 1);
    const report = await waitFor('the lost outcome to be reported', () => logs.lines().find((l) => l['jobId'] === a.jobId && String(l['msg']).startsWith('BullMQ could not record the outcome')));
    expect(report['level']).toBe(50);
    expect(await r.inspect('compute', a.jobId)).toBeUndefined();

    const b = await waitFor('an enqueue to succeed after the restart', () => r.enqueue('compute', 'recompute-payees', recompute('after-restart', ['y'])).catch(() => undefined));
    expect(await finished(r, b.jobId)).toMatchObject({ state: 'completed' });
    expect(await countResults(db, b.jobId)).toBe(1);

    await waitFor('the schedulers to be restored', async () => (await r.tenantSchedules('acme')).length === 2);
    expect(logs.lines().some((l) => String(l['msg']).startsWith('Redis lost job schedulers'))).toBe(true);
    expect(logs.lines().some((l) => l['msg'] === 'Redis connection restored')).toBe(true);
    // The in-flight job ran once and was not retried.
    expect(await countRuns(db, a.jobId)).toBe(1);
  });

  it('(c) the PostgreSQL connection dropped during a job: that attempt fails, the retry succeeds, one result row', async () => {
    const appName = `spm-test-drop-${randomUUID().slice(0, 8)}`;
    const workerDb = openResilientDb(workerUrl(tdb, appName));
    const logs = captureLogs();
    try {
      runner = createJobRunner({
        redisUrl: REDIS_URL,
        deps: testDeps(workerDb),
        logger: logs.logger,
        concurrency: 1,
        policies: { compute: { attempts: 3, backoff: { delayMs: 200, jitter: 0 } } },
        bullmq: { prefix },
      });
      const r = runner;
      await r.start(testRegistry(recordingHandler('w', (_p, ctx) => (ctx.attempt === 1 ? { pgSleepSeconds: 30 } : {}))));
      const { jobId } = await r.enqueue('compute', 'recompute-payees', recompute('pg-drop'));
      await waitFor('the job to be inside a PostgreSQL query', async () => (await backendsOf(db, appName, true)) === 1);
      expect(await terminateBackends(db, appName)).toBeGreaterThanOrEqual(1);

      const status = await finished(r, jobId);
      expect(status).toMatchObject({ state: 'completed', attemptsMade: 2 });
      expect((await runsOf(db, jobId)).map((x) => x.attempt)).toEqual([1, 2]);
      expect(await countResults(db, jobId)).toBe(1);
      const failedAttempt = logs.lines().find((l) => l['jobId'] === jobId && l['msg'] === 'job attempt failed: it will be retried with backoff');
      expect(String((failedAttempt?.['err'] as { message?: string } | undefined)?.message)).toMatch(/terminat/);
    } finally {
      await runner?.close({ timeoutMs: 3_000 });
      runner = undefined;
      await workerDb.destroy();
    }
  });

  /**
   * A connection dropped while a client is checked out (mid-query, mid-transaction) makes
   * pg emit 'error' on that client; openDatabase listens on every client it hands out, so
   * the query fails (and its job retries) instead of the process dying.
   */
  it('openDatabase survives a connection dropped mid-query', async () => {
    const appName = `spm-test-crash-${randomUUID().slice(0, 8)}`;
    const child = spawnWorker({ DATABASE_URL: workerUrl(tdb, appName) }, PG_DROP_CHILD);
    try {
      await waitFor('the child query to be running', async () => (await backendsOf(db, appName, true)) === 1, 30_000);
      await terminateBackends(db, appName);
      const exit = await child.exited;
      expect({ exit, stderr: child.stderr().split('\n').find((l) => l.includes('Connection terminated')) }).toEqual({ exit: 0, stderr: undefined });
    } finally {
      await child.stop(2_000);
    }
  });
});
