import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../worker/src/db/database.js';
import { createJobRunner, type JobRunner, type JobStatus } from '../../worker/src/runtime/job-runner.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix } from '../support/redis.js';
import { spawnWorker, type ChildWorker } from './support/child.js';
import { recompute, silentLogger, testDeps, waitFor } from './support/harness.js';
import { countResults, countRuns, createTestDatabase, runsOf, workerUrl, type TestDatabase } from './support/pg.js';

/**
 * Worker processes dying and sharing a queue. Each worker is a real child process running
 * the shipped `spm worker` path (app/process.ts runConfigured) with the test handler; the
 * test process only enqueues and inspects.
 */
describe('worker processes (BullMQ on the real Redis, results in real PostgreSQL)', () => {
  let tdb: TestDatabase;
  let db: Db;
  let prefix: string;
  let producer: JobRunner;
  const children: ChildWorker[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('processes');
    db = await openDatabase({ kind: 'server', url: tdb.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
    await tdb?.drop();
  });
  beforeEach(async () => {
    prefix = uniquePrefix('proc');
    await sql`truncate job_runs, job_results`.execute(db);
    producer = createJobRunner({ redisUrl: REDIS_URL, deps: testDeps(db), logger: silentLogger(), bullmq: { prefix } });
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop(5_000)));
    await producer.close({ timeoutMs: 2_000 });
    await cleanupPrefix(prefix);
  });

  function worker(id: string, behaviour: object = {}, extra: Record<string, string> = {}): ChildWorker {
    const child = spawnWorker({
      REDIS_URL,
      DATABASE_URL: workerUrl(tdb, `spm-test-${id}`),
      QUEUE_PREFIX: prefix,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      TEST_WORKER_ID: id,
      TEST_BEHAVIOUR: JSON.stringify(behaviour),
      ...extra,
    });
    children.push(child);
    return child;
  }

  const finished = (jobId: string): Promise<JobStatus> =>
    waitFor(
      `job ${jobId} to finish`,
      async () => {
        const s = await producer.inspect('compute', jobId);
        return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
      },
      30_000,
    );

  // Short locks so a dead worker's job is recovered in a couple of seconds, not after 30 s.
  const SHORT_LOCKS = { TEST_LOCK_MS: '1500', TEST_STALLED_MS: '750' };

  it('(a) a worker killed with SIGKILL mid-job: the job is recovered (stalled) by a new worker, and PostgreSQL has exactly one result', async () => {
    const first = worker('doomed', { sleepMs: 60_000 }, SHORT_LOCKS);
    await first.ready();
    const { jobId } = await producer.enqueue('compute', 'recompute-payees', recompute('kill-9'));
    await waitFor('the job to start in the doomed worker', async () => (await countRuns(db, jobId)) === 1);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect((await producer.inspect('compute', jobId))?.state).toBe('active'); // still locked by the dead worker

    const second = worker('rescuer', {}, SHORT_LOCKS);
    await second.ready();
    const status = await finished(jobId);
    expect(status.state).toBe('completed');
    // A stall is not a failed attempt: the rescuer ran it as attempt 1 again.
    expect(status.attemptsMade).toBe(1);
    expect((await runsOf(db, jobId)).map((r) => [r.worker, r.attempt])).toEqual([
      ['doomed', 1],
      ['rescuer', 1],
    ]);
    expect(await countResults(db, jobId)).toBe(1);
    expect(second.logs().some((l) => l['msg']?.toString().startsWith('job stalled') && l['jobId'] === jobId)).toBe(true);
  });

  it('(d) two worker processes on one queue: each of N jobs is processed exactly once', async () => {
    const a = worker('a', { sleepMs: 25 });
    const b = worker('b', { sleepMs: 25 });
    await Promise.all([a.ready(), b.ready()]);
    const N = 40;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await producer.enqueue('compute', 'recompute-payees', recompute(`job-${i}`, [`payee-${i}`]))).jobId);
    expect(new Set(ids).size).toBe(N);
    await waitFor('all results', async () => (await countResults(db)) === N, 30_000);
    const perJob = await sql<{ job_id: string; n: string }>`select job_id, count(*) as n from job_runs group by job_id`.execute(db);
    expect(perJob.rows).toHaveLength(N);
    expect(perJob.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    const perWorker = await sql<{ worker: string; n: string }>`select worker, count(*) as n from job_results group by worker order by worker`.execute(db);
    expect(perWorker.rows.map((r) => r.worker)).toEqual(['a', 'b']);
    for (const id of ids) expect((await producer.inspect('compute', id))?.state).toBe('completed');
  });

  it('SIGTERM: the worker stops taking jobs, lets the running job finish, closes everything and exits 0', async () => {
    const w = worker('graceful', { sleepMs: 1_500 });
    await w.ready();
    const { jobId } = await producer.enqueue('compute', 'recompute-payees', recompute('graceful'));
    await waitFor('the job to start', async () => (await countRuns(db, jobId)) === 1);
    w.process.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(await countResults(db, jobId)).toBe(1);
    expect((await producer.inspect('compute', jobId))?.state).toBe('completed');
    const messages = w.logs().map((l) => l['msg']);
    expect(messages).toContain('shutdown complete');
    expect(messages.indexOf('job completed')).toBeLessThan(messages.indexOf('shutdown complete'));
  });
});
