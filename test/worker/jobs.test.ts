import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import { Hierarchy } from '../../shared/src/engine/hierarchy.js';
import { createCoachingTask } from '../../worker/src/coaching/coaching-store.js';
import { importDataset } from '../../worker/src/db/import-dataset.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { upsertDeals } from '../../worker/src/db/records.js';
import type { CrmTaskWriter } from '../../worker/src/jobs/coaching-jobs.js';
import { createHandlerRegistry } from '../../worker/src/jobs/registry.js';
import { ledgerSnapshot } from '../../worker/src/ledger/payout-ledger.js';
import type { Clock } from '../../worker/src/queues/handler-registry.js';
import { payeesAffectedByDeals } from '../../worker/src/recompute/affected-payees.js';
import { createJobRunner, type JobRunner, type JobStatus } from '../../worker/src/runtime/job-runner.js';
import { createWorkerMetrics } from '../../worker/src/observability/metrics.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix } from '../support/redis.js';
import { dataset, open, won } from '../support/tenant-builder.js';
import { silentLogger, waitFor } from './support/harness.js';

/**
 * The real job handlers, run by the BullMQ driver on the real Redis, against the real
 * PostgreSQL: a CRM change becomes a recompute job, the ledger and KPI snapshots follow,
 * the nightly reconcile repairs what a missed event left behind, and a coaching task is
 * written to the CRM exactly once however often its job runs.
 */
const tenant = dataset({
  tenant: { id: 'acme', name: 'Acme', currency: 'USD' },
  users: [{ id: 'ana', name: 'Ana' }, { id: 'mia', name: 'Mia' }],
  managers: [{ userId: 'ana', managerId: 'mia', from: '2026-01-01' }],
  teams: [{ id: 'east', name: 'East', managerId: 'mia', members: ['ana'] }],
  deals: [won('d1', 'ana', '40000', '2026-07-10'), open('d2', 'ana', '30000', '2026-09-20', { stageHistory: [{ stageId: 'proposal', enteredAt: '2026-07-01' }] })],
  quotas: [{ id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' }, { id: 'q-mia', userId: 'mia', period: '2026-Q3', target: '100000' }],
});
const plans = [
  { id: 'ae', version: 1, name: 'AE', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'retroactive', table: [{ upTo: '100', rate: '0.10' }, { rate: '0.15' }] } }] },
  { id: 'mgr', version: 1, name: 'Mgr', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, rate: '0.01' }] },
];
// The business date the worker believes it is.
const clock: Clock = { now: () => new Date('2026-08-15T12:00:00Z') };

describe('job handlers on BullMQ, Redis and PostgreSQL', () => {
  let t: TestDatabase;
  let runner: JobRunner | undefined;
  let prefix: string;
  const writes: string[] = [];
  let failNextAfterCreate = false;
  // A CRM that, like HubSpot or Salesforce with an idempotency key, returns the existing task for a repeated key.
  const crm = new Map<string, string>();
  const writer: CrmTaskWriter = {
    async createTask(task) {
      writes.push(task.taskId);
      const existing = crm.get(task.taskId) ?? `crm-task-${crm.size + 1}`;
      crm.set(task.taskId, existing);
      if (failNextAfterCreate) {
        failNextAfterCreate = false;
        throw new Error('socket hang up after the CRM created the task');
      }
      return existing;
    },
  };

  beforeAll(async () => {
    t = await createServerDatabase();
    await importDataset(t.db, tenant, { source: 'hubspot', externalId: 'portal-1', modifiedAt: '2026-07-01T00:00:00Z', actor: 'test' });
    for (const p of plans) await savePlanVersion(t.db, 'acme', p, 'admin');
  });
  afterAll(async () => t?.drop());
  afterEach(async () => {
    await runner?.close({ timeoutMs: 5_000 });
    runner = undefined;
    await cleanupPrefix(prefix);
  });

  async function startRunner(): Promise<JobRunner> {
    prefix = uniquePrefix('jobs');
    runner = createJobRunner({
      redisUrl: REDIS_URL,
      deps: { db: t.db, clock, metrics: createWorkerMetrics({ defaultMetrics: false }) },
      logger: silentLogger(),
      policies: { 'crm-write-back': { attempts: 3, backoff: { delayMs: 50, jitter: 0 } } },
      bullmq: { prefix },
    });
    await runner.start(createHandlerRegistry({ crmTaskWriters: { hubspot: writer } }));
    return runner;
  }

  const settled = (r: JobRunner, family: Parameters<JobRunner['inspect']>[0], jobId: string): Promise<JobStatus> =>
    waitFor(`job ${jobId}`, async () => {
      const s = await r.inspect(family, jobId);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
    });

  it('a deal change becomes a recompute job that updates the ledger, the KPI snapshot and the coaching prompts', async () => {
    const r = await startRunner();
    const changes = await upsertDeals(t.db, 'acme', [{ record: { ...tenant.deals[0]!, amount: new Decimal('95000'), sourceVersion: 'v2' }, modifiedAt: '2026-08-14T09:00:00Z' }]);
    const payeeIds = [...payeesAffectedByDeals(changes, new Hierarchy(tenant.managers))];
    expect(payeeIds.sort()).toEqual(['ana', 'mia']);
    const { jobId } = await r.enqueue('compute', 'recompute-payees', { tenantId: 'acme', payeeIds, periodIds: ['2026-Q3'], cause: 'webhook-batch:b1' });
    const status = await settled(r, 'compute', jobId);
    expect(status.state).toBe('completed');
    // Ana: 95,000 of a 100,000 quota at 10 % = 9,500. Mia: 1 % of 95,000 = 950.
    expect(Object.fromEntries(await ledgerSnapshot(t.db, 'acme'))).toEqual({ 'ana|2026-Q3|ae|nb|commission|d1': '9500', 'mia|2026-Q3|mgr|team|commission|d1': '950' });
    // The KPI snapshot refresh is a follow-up job.
    const kpi = await waitFor('the KPI snapshot', () => t.db.selectFrom('kpi_snapshots').select(['kpis', 'as_of']).where('tenant_id', '=', 'acme').where('subject_id', '=', 'ana').where('period_id', '=', '2026-Q3').executeTakeFirst());
    expect(kpi.as_of).toBe('2026-08-15');
    expect((kpi.kpis as unknown as { quotaAttainment: { attainment: string } }).quotaAttainment.attainment).toBe('0.95');
    // The follow-up coaching refresh ran: d2 (30,000, open) would lift Ana past 100 % — within reach of the next tier.
    const prompts = await waitFor('coaching prompts', async () => {
      const rows = await t.db.selectFrom('coaching_prompts').select(['id', 'rule', 'rep_id']).where('tenant_id', '=', 'acme').execute();
      return rows.length > 0 ? rows : undefined;
    });
    expect(prompts.map((p) => p.rule)).toContain('next-tier-within-reach');
  });

  it('the nightly reconcile repairs what a missed event left behind, and logs it', async () => {
    const r = await startRunner();
    // A change lands in the store but its recompute is lost (say, Redis lost it in a restart).
    await upsertDeals(t.db, 'acme', [{ record: { ...tenant.deals[0]!, amount: new Decimal('120000'), sourceVersion: 'v3' }, modifiedAt: '2026-08-14T10:00:00Z' }]);
    const { jobId } = await r.enqueue('compute', 'reconcile-tenant', { tenantId: 'acme', cause: 'schedule:2026-08-15' });
    const status = await settled(r, 'compute', jobId);
    expect(status).toMatchObject({ state: 'completed', returnValue: { repaired: 2 } });
    // 120 % → 15 % × 120,000 = 18,000; Mia 1,200.
    expect(Object.fromEntries(await ledgerSnapshot(t.db, 'acme'))).toEqual({ 'ana|2026-Q3|ae|nb|commission|d1': '18000', 'mia|2026-Q3|mgr|team|commission|d1': '1200' });
    const again = await r.enqueue('compute', 'reconcile-tenant', { tenantId: 'acme', cause: 'schedule:2026-08-16' });
    expect((await settled(r, 'compute', again.jobId)).returnValue).toEqual({ repaired: 0 });
  });

  it('a coaching task reaches the CRM exactly once, even when the job is retried after the CRM created it', async () => {
    const r = await startRunner();
    const prompt = await t.db.selectFrom('coaching_prompts').select('id').where('tenant_id', '=', 'acme').where('manager_id', '=', 'mia').executeTakeFirstOrThrow();
    const task = await createCoachingTask(t.db, { tenantId: 'acme', managerId: 'mia', promptId: prompt.id, dueDate: '2026-08-20', actor: 'mia' });
    // The manager clicks twice: still one task.
    expect(await createCoachingTask(t.db, { tenantId: 'acme', managerId: 'mia', promptId: prompt.id, dueDate: '2026-08-20', actor: 'mia' })).toMatchObject({ id: task.id, created: false });
    failNextAfterCreate = true;
    const { jobId } = await r.enqueue('crm-write-back', 'create-coaching-task', { tenantId: 'acme', taskId: task.id });
    const status = await settled(r, 'crm-write-back', jobId);
    expect(status).toMatchObject({ state: 'completed', attemptsMade: 2 });
    expect(writes).toEqual([task.id, task.id]);
    expect(crm.size).toBe(1);
    const stored = await t.db.selectFrom('coaching_tasks').select(['status', 'crm_task_id']).where('tenant_id', '=', 'acme').where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'created', crm_task_id: 'crm-task-1' });
    // Enqueued again later (a second click, a replay): the stored CRM id short-circuits it.
    const replay = await r.enqueue('crm-write-back', 'create-coaching-task', { tenantId: 'acme', taskId: task.id });
    expect(replay.jobId).toBe(jobId);
    expect(writes).toHaveLength(2);
  });
});
