import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataset } from '../../shared/src/input/dataset.schema.js';
import { generatePlans, generateTenant } from '../../shared/src/synthetic/index.js';
import { importDataset } from '../../worker/src/db/import-dataset.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { recompute } from '../../worker/src/recompute/recompute.js';
import { createJobRunner, type JobRunner } from '../../worker/src/runtime/job-runner.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix } from '../support/redis.js';
import { spawnWorker, type ChildWorker } from './support/child.js';
import { silentLogger, testDeps, waitFor } from './support/harness.js';

const CHILD = fileURLToPath(new URL('./fixtures/recompute-worker-child.ts', import.meta.url));

/**
 * The real recompute, killed with SIGKILL while it runs. The engine computes synchronously,
 * so BullMQ cannot renew the job's lock during it: the lock must outlast one recompute (the
 * production default is 30 s; here 15 s, with a short stall check so the rescue is quick). Its ledger write is one
 * transaction, so the kill leaves nothing half-written; BullMQ hands the job to the next
 * worker, which completes it. Afterwards the ledger is exactly what a fresh full
 * recompute gives: nothing missing, nothing duplicated.
 */
describe('a worker killed mid-recompute', () => {
  let t: TestDatabase;
  let producer: JobRunner;
  let prefix: string;
  const children: ChildWorker[] = [];

  beforeAll(async () => {
    t = await createServerDatabase();
    const doc = generateTenant({ seed: 11, reps: 250, deals: 40_000, year: 2026 });
    await importDataset(t.db, parseDataset(doc), { source: 'file', externalId: 'gen', modifiedAt: '2026-01-01T00:00:00Z', actor: 'test' });
    for (const p of generatePlans(doc, 2026)) await savePlanVersion(t.db, doc.tenant.id, p, 'test');
    prefix = uniquePrefix('crash');
    producer = createJobRunner({ redisUrl: REDIS_URL, deps: testDeps(t.db), logger: silentLogger(), bullmq: { prefix } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop(5_000)));
    await producer?.close({ timeoutMs: 2_000 });
    await cleanupPrefix(prefix);
    await t?.drop();
  });

  const worker = (): ChildWorker => {
    const child = spawnWorker({ REDIS_URL, DATABASE_URL: t.url!, QUEUE_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'info', TEST_LOCK_MS: '10000', TEST_STALLED_MS: '2000' }, CHILD);
    children.push(child);
    return child;
  };

  it('completes the job on the next worker, and the ledger has no duplicate or missing line', async () => {
    const tenant = await t.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
    expect(tenant.id).toBeTruthy();
    const first = worker();
    await first.ready();
    const { jobId } = await producer.enqueue('compute', 'reconcile-tenant', { tenantId: tenant.id, asOf: '2026-12-31', cause: 'test:kill-9' });
    await waitFor('the recompute to be running', async () => (await producer.inspect('compute', jobId))?.state === 'active', 30_000);
    // Let it get into the computation, then pull the plug.
    await new Promise((r) => setTimeout(r, 700));
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const runsBefore = await t.db.selectFrom('statement_runs').select('run_id').execute();
    expect(runsBefore).toEqual([]);

    const second = worker();
    await second.ready();
    const status = await waitFor(
      'the job to finish on the rescuer',
      async () => {
        const s = await producer.inspect('compute', jobId);
        return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
      },
      120_000,
    );
    expect({ state: status.state, reason: status.failedReason }).toEqual({ state: 'completed', reason: undefined });
    expect(await t.db.selectFrom('statement_runs').select('run_id').execute()).toHaveLength(1);
    // Nothing missing: a fresh full recompute finds nothing to append.
    const again = await recompute(t.db, { tenantId: tenant.id, asOf: '2026-12-31' as IsoDate, trigger: 'test:verify' });
    expect(again.entriesWritten).toBe(0);
    // Nothing duplicated: every line's entries are numbered 1..n (the unique key forbids repeats).
    const gaps = await t.db
      .selectFrom('payout_ledger')
      .select(({ fn }) => ['payee_id', 'period_id', 'line_key', fn.count<number>('seq').as('entries'), fn.max('seq').as('last')])
      .groupBy(['payee_id', 'period_id', 'line_key'])
      .execute();
    expect(gaps.length).toBeGreaterThan(1000);
    expect(gaps.filter((g) => Number(g.entries) !== Number(g.last))).toEqual([]);
  }, 180_000);
});
