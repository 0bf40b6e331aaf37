import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hierarchy } from '../../../shared/src/engine/hierarchy.js';
import { dealCredits } from '../../../shared/src/engine/credits.js';
import { subscribeChangeEvents, SPLIT_PROBLEM_ACTION } from '../../../connectors/salesforce/index.js';
import { taskMarker } from '../../../connectors/salesforce/task-writer.js';
import { readConnection } from '../../../connectors/core/tenant-connections.js';
import { loadDeals } from '../../../worker/src/db/records.js';
import { readCursor } from '../../../worker/src/db/sync-cursors.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ORG } from './fixture.js';
import { install, jobContext, startHarness, type Harness } from './harness.js';

/**
 * The connector through jsforce against the local Salesforce sandbox, into PostgreSQL:
 * install with PKCE, first sync, incremental sync after edits, deletions and split
 * changes, a CDC event, a coaching task written once, and a bad revenue split reported.
 */
describe('Salesforce connector against the sandbox org', () => {
  let t: TestDatabase;
  let h: Harness;
  const sf = (kind: 'user' | 'deal' | 'activity' | 'quota', id: string): string => {
    const ext = h.seeded.idMap.salesforceId(kind, id);
    if (!ext) throw new Error(`no Salesforce id for ${kind} ${id}`);
    return ext;
  };
  const deal = async (id: string) => (await loadDeals(t.db, h.tenantId, [sf('deal', id)])).get(sf('deal', id));

  beforeAll(async () => {
    t = await createServerDatabase();
    h = await startHarness(t.db, ORG);
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('installs through OAuth with PKCE: org id from the identity URL, instance and login URL kept, tokens encrypted', async () => {
    const tenantId = await install(h);
    expect(tenantId).toBe(`sf-${h.seeded.org.orgId}`);
    const conn = await readConnection(t.db, h.cipher, tenantId);
    expect(conn?.settings['instanceUrl']).toBe(h.sandbox.url);
    expect(conn?.settings['loginUrl']).toBe(h.sandbox.url);
    expect(conn?.refreshToken).toBeTruthy();
    const raw = await t.db.selectFrom('crm_connections').select(['access_token_enc', 'refresh_token_enc']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(raw.access_token_enc).not.toContain(conn!.accessToken!);
    const tenant = await t.db.selectFrom('tenants').select(['name', 'home_currency']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    expect(tenant).toEqual({ name: 'Acme', home_currency: 'USD' });
    // The first sync starts with the people; each stream queues the next when it is done (connector-core.test.ts).
    expect(h.jobs.filter((j) => j.name === 'sync-object').map((j) => [j.payload['object'], j.payload['cause']])).toEqual([['users', expect.stringMatching(/^install:/)]]);
  });

  it('first sync brings users, reporting lines, stages, deals with splits, activities, FX rates and quotas', async () => {
    await h.syncAll();
    const users = await t.db.selectFrom('users').select(['id', 'name', 'active', 'pay_currency']).where('tenant_id', '=', h.tenantId).execute();
    expect(users.find((u) => u.id === sf('user', 'sam'))).toEqual({ id: sf('user', 'sam'), name: 'Sam Engineer', active: true, pay_currency: 'EUR' });
    const links = await t.db.selectFrom('manager_links').select(['user_id', 'manager_id']).where('tenant_id', '=', h.tenantId).where('user_id', '=', sf('user', 'ana')).execute();
    expect(links).toEqual([{ user_id: sf('user', 'ana'), manager_id: sf('user', 'mia') }]);

    const pipelines = await t.db.selectFrom('pipelines').select(['stages']).where('tenant_id', '=', h.tenantId).execute();
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]!.stages.map((s) => [s.name, s.outcome, s.probability])).toEqual([
      ['Discovery', 'open', '0.2'],
      ['Proposal', 'open', '0.6'],
      ['Closed Won', 'won', '1'],
      ['Closed Lost', 'lost', '0'],
    ]);

    const d1 = await deal('d1');
    expect(d1?.amount.toString()).toBe('40000');
    // Salesforce's default 100 % Revenue split for the owner is the canonical "no splits".
    expect(d1?.splits).toEqual([]);
    const d3 = await deal('d3');
    expect(d3?.currency).toBe('EUR');
    expect(d3?.splits.map((s) => [s.userId, s.type, s.percent.toString()])).toEqual([
      [sf('user', 'sam'), 'overlay', '10'],
      ...[[sf('user', 'ana'), 'revenue', '50'], [sf('user', 'bo'), 'revenue', '50']].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ].sort((a, b) => (a[1] === b[1] ? (a[0]! < b[0]! ? -1 : 1) : a[1]! < b[1]! ? -1 : 1)));

    const activities = await t.db.selectFrom('activities').select(['id', 'type', 'status', 'deal_id']).where('tenant_id', '=', h.tenantId).orderBy('id').execute();
    expect(activities.find((a) => a.id === sf('activity', 'a1'))).toMatchObject({ type: 'call', status: 'completed', deal_id: sf('deal', 'd2') });
    // A canceled meeting is a deleted Event in Salesforce, seen only through queryAll.
    expect(activities.find((a) => a.id === sf('activity', 'a4'))).toMatchObject({ type: 'meeting', status: 'canceled' });
    expect(activities).toHaveLength(4);

    // 1 EUR = 1.25 USD in the dataset; Salesforce stores 0.8 EUR per corporate USD, kept exact.
    const fx = await t.db.selectFrom('fx_rates').select(['from_currency', 'to_currency', 'rate']).where('tenant_id', '=', h.tenantId).execute();
    expect(fx.map((r) => [r.from_currency, r.to_currency, String(Number(r.rate))])).toEqual([['USD', 'EUR', '0.8']]);
    const quotas = await t.db.selectFrom('quotas').select(['user_id', 'period_id', 'target', 'measure']).where('tenant_id', '=', h.tenantId).execute();
    expect(quotas.map((q) => [q.user_id, q.period_id, Number(q.target), q.measure])).toEqual([[sf('user', 'ana'), '2026-Q3', 100000, 'revenue']]);
  });

  it('keeps revenue splits that do not total 100 % and reports them instead of paying', async () => {
    const d4 = await deal('d4');
    expect(d4?.splits.filter((s) => s.type === 'revenue').map((s) => s.percent.toString()).sort()).toEqual(['30', '60']);
    const credits = dealCredits(d4!, new Hierarchy([]), 0);
    expect(credits).toMatchObject({ code: 'revenue_splits_not_100', recordId: sf('deal', 'd4') });
    const reports = await t.db.selectFrom('audit_log').select(['target', 'details']).where('tenant_id', '=', h.tenantId).where('action', '=', SPLIT_PROBLEM_ACTION).execute();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.target).toBe(sf('deal', 'd4'));
    expect(reports[0]!.details).toMatchObject({ revenueSplitTotal: '90', opportunityName: 'Hooli' });
    expect(String((reports[0]!.details as { fix: string }).fix)).toMatch(/add up to exactly 100/);
  });

  it('incremental sync applies edits, deletions and split changes, and re-reading is a no-op', async () => {
    h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { StageName: 'Closed Won', Amount: 32000 });
    h.sandbox.mutations.deleteOpportunity(sf('deal', 'd1'));
    // Fix d4's splits to 70 + 30: only OpportunitySplit changes, the opportunity's SystemModstamp does not.
    h.sandbox.mutations.setSplits(sf('deal', 'd4'), [
      { ownerId: sf('user', 'bo'), percent: '70', type: 'Revenue' },
      { ownerId: sf('user', 'ana'), percent: '30', type: 'Revenue' },
    ]);
    await h.sync('deals');
    const d2 = await deal('d2');
    expect(d2?.amount.toString()).toBe('32000');
    expect(d2?.stageId).toBe(h.seeded.idMap.salesforceId('stage', 'sales/won'));
    expect(await deal('d1')).toBeUndefined();
    const tombstone = await t.db.selectFrom('deals').select('deleted_at').where('tenant_id', '=', h.tenantId).where('id', '=', sf('deal', 'd1')).executeTakeFirstOrThrow();
    expect(tombstone.deleted_at).not.toBeNull();
    const d4 = await deal('d4');
    expect(d4?.splits.map((s) => s.percent.toString()).sort()).toEqual(['30', '70']);
    expect(dealCredits(d4!, new Hierarchy([]), 0)).toHaveLength(2);

    const before = await t.db.selectFrom('deals').select(['id', 'updated_at']).where('tenant_id', '=', h.tenantId).orderBy('id').execute();
    await h.sync('deals');
    const after = await t.db.selectFrom('deals').select(['id', 'updated_at']).where('tenant_id', '=', h.tenantId).orderBy('id').execute();
    expect(after).toEqual(before);
  });

  it('a Change Data Capture event re-reads the opportunity and writes it', async () => {
    const errors: Error[] = [];
    const subscription = await subscribeChangeEvents(h.config, { db: t.db, cipher: h.cipher, enqueue: h.deps.enqueue }, h.tenantId, { batchMs: 20, onError: (e) => errors.push(e) });
    try {
      const jobsBefore = h.jobs.length;
      // Give the CometD handshake/subscribe a moment, then change the opportunity "in Salesforce".
      await subscription.ready;
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: 45000 });
      const job = await waitFor(() => {
        if (errors.length > 0) throw errors[0];
        return h.jobs.slice(jobsBefore).find((j) => j.name === 'process-webhook-batch');
      });
      const result = await h.connector.processEvents(job.payload as never, h.deps, jobContext());
      expect(result.events).toBe(1);
      expect((await deal('d2'))?.amount.toString()).toBe('45000');
      const replay = await readCursor(t.db, h.tenantId, 'salesforce', 'cdc-replay');
      expect(Object.values((replay?.cursor as { replay: Record<string, number> }).replay)[0]).toBeGreaterThan(0);
    } finally {
      await subscription.stop();
    }
  });

  it('creates the coaching task once, however often the write-back is retried', async () => {
    const writer = h.connector.taskWriter;
    const task = { tenantId: h.tenantId, taskId: 'task-42', repId: sf('user', 'ana'), dealId: sf('deal', 'd2'), title: 'Multi-thread Initech before close', body: 'Only one contact engaged.', dueDate: '2026-09-01' };
    const first = await writer.createTask(task);
    const second = await writer.createTask(task);
    expect(second).toBe(first);
    const tasks = h.seeded.org.table('Task').rows.filter((r) => typeof r['Description'] === 'string' && (r['Description'] as string).includes(taskMarker('task-42')));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ WhatId: sf('deal', 'd2'), OwnerId: sf('user', 'ana'), Subject: task.title, ActivityDate: '2026-09-01' });
    // This org has the package's SPM_Task_Id__c field (not flagged External ID): it carries the key.
    expect(tasks[0]!['SPM_Task_Id__c']).toBe('task-42');
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

