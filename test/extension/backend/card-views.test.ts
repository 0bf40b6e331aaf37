import request from 'supertest';
import { writeSyncPage } from '../../../connectors/core/sync-sink.js';
import { loadDeals } from '../../../worker/src/db/records.js';
import { commitPage, recordSyncAttempt, recordSyncFailure, savePosition } from '../../../worker/src/db/sync-cursors.js';
import type { Enqueue } from '../../../worker/src/queues/handler-registry.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ChartViewSchema, DealCardViewSchema, ExplanationViewSchema, ManagerCardViewSchema, MeViewSchema, RepCardViewSchema, type CoachingPromptView } from '../../../extension/backend/src/cards/view-models.js';
import { baseUrl, hubspotCall, seedMainTenant, startApp, TENANT, type RunningApp } from './fixture.js';

/**
 * The worked example is described in fixture.ts: ana (40,000 won, 30,000 open) and ben
 * (60,000 won, 20,000 lost) under mia, marginal tiers 2 % / 5 % / 8 % at 50 % and 100 %
 * of a 100,000 quota, today 2026-08-15. Every number below is worked out by hand there.
 */
// Engine runs behind a card take a few hundred ms; on a shared, loaded machine that can pass the 5 s default.
vi.setConfig({ testTimeout: 30_000 });

let database: TestDatabase;
let running: RunningApp;
let url: string;

beforeAll(async () => {
  database = await createServerDatabase();
  await seedMainTenant(database.db);
  running = await startApp(database.db);
  url = baseUrl(running.server);
}, 60_000);

afterAll(async () => {
  await running?.close();
  await database?.drop();
});

async function get(path: string, email: string) {
  const call = hubspotCall('GET', path, { email });
  return request(url).get(call.path).set(call.headers);
}

describe('deal card', () => {
  it('an open deal: what it pays if it closes, attainment before and after, the tier it lands in and the gap to the next', async () => {
    const res = await get('/api/cards/v1/deals/d2', 'ana@acme.test');
    expect(res.status).toBe(200);
    const card = DealCardViewSchema.parse(res.body);
    expect(card.outcome).toBe('estimate');
    expect(card.payee.userId).toBe('ana');
    // d2 takes ana from 40,000 to 70,000 of 100,000 (40 % → 70 %), marginal slices:
    //   10,000 × 2 % (40→50 %) + 20,000 × 5 % (50→70 %) = 200 + 1,000 = 1,200.
    expect(card.commission).toEqual({ amount: '1200.00', currency: 'USD', display: 'USD 1,200.00' });
    // No draw or netting on this plan, so the statement total moves by the same amount.
    expect(card.netPay?.amount).toBe('1200.00');
    expect(card.attainment.now.map((a) => a.attainment?.value)).toEqual(['40']);
    expect(card.attainment.afterClose?.map((a) => a.attainment?.value)).toEqual(['70']);
    // Its highest slice is tier 2; the next tier (3) starts at 100 %: 100,000 − 70,000 = 30,000 more credit.
    expect(card.landsInTier).toBe(2);
    expect(card.nextTier).toMatchObject({ tier: 3, atAttainment: { value: '100' }, creditNeeded: { kind: 'money', amount: '30000.00', currency: 'USD' } });
    expect(card.lines).toHaveLength(1);
    expect(card.lines[0]!.explanation).toContain('USD 10,000.00 at 2 % (tier 1) + USD 20,000.00 at 5 % (tier 2)');
    expect(card.explain?.href).toBe('/api/cards/v1/explain?figure=deal-estimate&dealId=d2&subjectId=ana');
  });

  it('a won deal: what the ledger paid for it, with the engine sentence', async () => {
    const card = DealCardViewSchema.parse((await get('/api/cards/v1/deals/d1', 'ana@acme.test')).body);
    expect(card.outcome).toBe('paid');
    // d1: 40,000 × 2 % (0→40 %, all in tier 1) = 800.
    expect(card.commission?.amount).toBe('800.00');
    expect(card.landsInTier).toBe(1);
    // From 40 % the next tier (2) starts at 50 %: 50,000 − 40,000 = 10,000.
    expect(card.nextTier).toMatchObject({ tier: 2, creditNeeded: { amount: '10000.00' } });
    expect(card.lines.map((l) => [l.kind, l.amount?.amount, l.dealId])).toEqual([['commission', '800.00', 'd1']]);
    expect(card.lines[0]!.explanation).toContain('attainment 0 % → 40 %');
  });

  it('a deal the viewer gets no credit on shows no money at all', async () => {
    // ben opens ana's deal: he is neither owner, split nor manager.
    const card = DealCardViewSchema.parse((await get('/api/cards/v1/deals/d2', 'ben@acme.test')).body);
    expect(card.outcome).toBe('not-credited');
    expect(card.commission).toBeNull();
    expect(card.lines).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('1200');
  });

  it("a manager can look at a report's pay on a deal", async () => {
    const card = DealCardViewSchema.parse((await get('/api/cards/v1/deals/d2?rep=ana', 'mia@acme.test')).body);
    expect(card.payee.userId).toBe('ana');
    expect(card.commission?.amount).toBe('1200.00');
  });
});

describe('rep card', () => {
  it('attainment, earnings to date and projected, next tier, KPIs against the team median', async () => {
    const res = await get('/api/cards/v1/rep', 'ana@acme.test');
    expect(res.status).toBe(200);
    const card = RepCardViewSchema.parse(res.body);
    expect(card.period).toEqual({ id: '2026-Q3', start: '2026-07-01', end: '2026-10-01' });
    expect(card.attainment.map((a) => [a.credited.display, a.quota?.display, a.attainment?.display])).toEqual([['USD 40,000.00', 'USD 100,000.00', '40 %']]);
    // To date: the ledger holds d1's 800. Projected: 800 + d2's 1,200 = 2,000.
    // Likely: 800 + 1,200 × 0.6 (Proposal's probability) = 800 + 720 = 1,520.
    expect(card.earnings.toDate.amount).toBe('800.00');
    expect(card.earnings.projected.amount).toBe('2000.00');
    expect(card.earnings.likely.amount).toBe('1520.00');
    expect(card.nextTier).toMatchObject({ tier: 2, creditNeeded: { amount: '10000.00' } });
    const kpi = Object.fromEntries(card.kpis.map((k) => [k.id, k]));
    // Attainment: ana 40 %, ben 60 % → team median (40 + 60) / 2 = 50 %: ana is below.
    expect([kpi['quota-attainment']!.value?.display, kpi['quota-attainment']!.teamMedian?.display, kpi['quota-attainment']!.versusMedian]).toEqual(['40 %', '50 %', 'worse']);
    // Win rate: ana 1 won / 1 closed = 100 %; ben 1 / 2 = 50 % → median 75 %.
    expect([kpi['win-rate']!.value?.display, kpi['win-rate']!.teamMedian?.display, kpi['win-rate']!.versusMedian]).toEqual(['100 %', '75 %', 'better']);
    // Coverage: ana's 30,000 open ÷ (100,000 − 40,000) = 0.5; ben 0 ÷ 40,000 = 0 → median 0.25.
    expect([kpi['pipeline-coverage']!.value?.display, kpi['pipeline-coverage']!.teamMedian?.display]).toEqual(['0.5×', '0.25×']);
    // Average deal size: 40,000 vs ben's 60,000 → median 50,000.
    expect([kpi['average-deal-size']!.value?.display, kpi['average-deal-size']!.teamMedian?.display]).toEqual(['USD 40,000.00', 'USD 50,000.00']);
    // The trend ends with the current period: 40 % and 800 earned.
    expect(card.trend.at(-1)).toEqual({ period: '2026-Q3', attainment: { value: '40', display: '40 %' }, earnings: { amount: '800.00', currency: 'USD', display: 'USD 800.00' } });
    expect(card.freshness).toMatchObject({ asOf: '2026-08-15', syncPending: false, recomputePending: false });
    expect(card.freshness.lastStatementRunAt).not.toBeNull();
  });

  it('"why is this my number": earnings to date explained by the ledger lines that add up to it', async () => {
    const card = RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ana@acme.test')).body);
    const res = await get(card.earnings.explainToDate.href, 'ana@acme.test');
    expect(res.status).toBe(200);
    const why = ExplanationViewSchema.parse(res.body);
    expect(why.source).toBe('ledger');
    expect(why.total).toMatchObject({ kind: 'money', amount: '800.00' });
    expect(why.lines.map((l) => [l.key, l.amount?.amount])).toEqual([['ae|nb|commission|d1', '800.00']]);
  });

  it('projected earnings explained: the ledger lines plus the estimated lines of the open deals', async () => {
    const why = ExplanationViewSchema.parse((await get('/api/cards/v1/explain?figure=earnings-projected&subjectId=ana', 'ana@acme.test')).body);
    expect(why.total).toMatchObject({ amount: '2000.00' });
    // 800 (paid) + 1,200 (d2 if it closes) = 2,000.
    expect(why.lines.map((l) => l.amount?.amount)).toEqual(['800.00', '1200.00']);
  });

  it('attainment explained: the credited deals behind the percent', async () => {
    const card = RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ana@acme.test')).body);
    const why = ExplanationViewSchema.parse((await get(card.attainment[0]!.explain.href, 'ana@acme.test')).body);
    expect(why.total).toMatchObject({ kind: 'percent', value: '40' });
    expect(why.lines.map((l) => [l.dealId, l.credited?.display])).toEqual([['d1', 'USD 40,000.00']]);
    expect(why.notes[0]).toBe('Credited USD 40,000.00 against a quota of USD 100,000.00 = 40 %.');
  });

  it('a KPI explained: the won and lost deals behind a win rate', async () => {
    const why = ExplanationViewSchema.parse((await get('/api/cards/v1/explain?figure=kpi&kpi=win-rate&subjectId=ben', 'mia@acme.test')).body);
    expect(why.total).toMatchObject({ kind: 'percent', value: '50' });
    expect(why.lines.map((l) => [l.kind, l.dealId])).toEqual([['deal-won', 'b1'], ['deal-lost', 'b2']]);
  });
});

describe('manager card', () => {
  it('ranks the team by attainment with coverage, win rate, activity and earnings, and lists coaching prompts with evidence', async () => {
    const res = await get('/api/cards/v1/manager', 'mia@acme.test');
    expect(res.status).toBe(200);
    const card = ManagerCardViewSchema.parse(res.body);
    expect(card.viewer.roles).toEqual(['rep', 'manager']);
    // ben 60 % ranks above ana 40 %. Earnings: ben 50,000 × 2 % + 10,000 × 5 % = 1,000 + 500 = 1,500; ana 800.
    expect(card.team.map((r) => [r.rank, r.rep.userId, r.attainment?.display, r.coverage?.display, r.winRate?.display, r.activities.display, r.earnings.amount])).toEqual([
      [1, 'ben', '60 %', '0×', '50 %', '0 activities', '1500.00'],
      [2, 'ana', '40 %', '0.5×', '100 %', '0 activities', '800.00'],
    ]);
    const nextTier = card.prompts.find((p) => p.rule === 'next-tier-within-reach');
    // ana needs 10,000 to reach tier 2; closing d2 (probability 0.6) pays 1,200: score 1,200 × 0.6 = 720.
    expect(nextTier).toMatchObject({ rep: { userId: 'ana' }, impact: { amount: '1200.00' }, likelihood: '0.6', score: { amount: '720.00' } });
    expect(nextTier!.evidence.length).toBeGreaterThan(0);
    // Highest expected commission first.
    const scores = card.prompts.map((p) => Number(p.score.amount));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('creates a coaching task once per idempotency key, enqueues the CRM write-back, and refuses a reused key for another prompt', async () => {
    const card = ManagerCardViewSchema.parse((await get('/api/cards/v1/manager', 'mia@acme.test')).body);
    const [first, second] = card.prompts as [CoachingPromptView, CoachingPromptView];
    const body = JSON.stringify({ idempotencyKey: 'key-0001-abcdef', dueDate: '2026-08-20' });
    const post = (href: string, raw: string) => {
      const call = hubspotCall('POST', href, { email: 'mia@acme.test' }, { body: raw });
      return request(url).post(call.path).set(call.headers).set('content-type', 'application/json').send(raw);
    };
    const created = await post(first.createTask.href, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'coaching-task', task: { id: `task-${first.id}`, promptId: first.id, status: 'pending', created: true } });
    const retried = await post(first.createTask.href, body);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(created.body);
    const tasks = await database.db.selectFrom('coaching_tasks').select(['id', 'due_date']).where('tenant_id', '=', TENANT).execute();
    expect(tasks).toEqual([{ id: `task-${first.id}`, due_date: '2026-08-20' }]);
    expect(running.enqueued.filter((j) => j.name === 'create-coaching-task')[0]).toEqual({ family: 'crm-write-back', name: 'create-coaching-task', payload: { tenantId: TENANT, taskId: `task-${first.id}` } });
    const reused = await post(second.createTask.href, body);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('conflict');
    const after = ManagerCardViewSchema.parse((await get('/api/cards/v1/manager', 'mia@acme.test')).body);
    expect(after.prompts.find((p) => p.id === first.id)?.status).toBe('actioned');
  });

  it('rejects a task request without an idempotency key with the field named', async () => {
    const raw = JSON.stringify({ dueDate: 'soon' });
    const call = hubspotCall('POST', '/api/cards/v1/manager/prompts/p1/tasks', { email: 'mia@acme.test' }, { body: raw });
    const res = await request(url).post(call.path).set(call.headers).set('content-type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.issues.map((d: { path: string }) => d.path).sort()).toEqual(['dueDate', 'idempotencyKey']);
  });
});

describe('charts', () => {
  it('team distribution, pipeline by stage and attainment trend', async () => {
    const dist = ChartViewSchema.parse((await get('/api/cards/v1/charts/team-distribution', 'mia@acme.test')).body);
    // ben 60 % → 50–80 %; ana 40 % → < 50 %.
    expect(dist.data.map((p) => [p.x, p.yExact])).toEqual([['< 50 %', '1'], ['50–80 %', '1'], ['80–100 %', '0'], ['100–120 %', '0'], ['≥ 120 %', '0']]);
    const pipeline = ChartViewSchema.parse((await get('/api/cards/v1/charts/pipeline-by-stage', 'mia@acme.test')).body);
    // The team's open pipeline closing in Q3 is ana's d2: 30,000 in Proposal.
    expect(pipeline.data).toEqual([{ x: 'Proposal', y: 30000, yExact: '30000' }]);
    const trend = ChartViewSchema.parse((await get('/api/cards/v1/charts/attainment-trend', 'ana@acme.test')).body);
    expect(trend.data.at(-1)).toMatchObject({ x: '2026-Q3', yExact: '40' });
  });
});

describe('cache', () => {
  it('serves the same snapshot until a new statement run, then the new numbers', async () => {
    const before = RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body);
    expect(before.earnings.toDate.amount).toBe('1500.00');
    // A ledger entry written by a new statement run (here by hand): ben gets a 100.00 adjustment.
    await database.db.insertInto('payout_ledger').values({ tenant_id: TENANT, payee_id: 'ben', period_id: '2026-Q3', line_key: 'manual|adj', seq: 1, kind: 'adjustment', amount: '100', line_amount: '100', currency: 'USD', explanation: 'Manual adjustment', provenance: null, cause: null, run_id: 'run-2' }).execute();
    const unchanged = RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body);
    expect(unchanged.earnings.toDate.amount).toBe('1500.00');
    await database.db.insertInto('statement_runs').values({ tenant_id: TENANT, run_id: 'run-2', trigger: 'test', as_of: '2026-08-15', payees: 1, entries_written: 1, started_at: new Date(Date.now() + 60_000), finished_at: new Date(Date.now() + 60_000) }).execute();
    const after = RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body);
    // 1,500 + 100 = 1,600.
    expect(after.earnings.toDate.amount).toBe('1600.00');
  });

  it('says "recalculating" exactly while a synced change waits for its recompute', async () => {
    // The cache answers from the snapshot it has while it re-checks in the background, so
    // the second of two requests a second apart sees the new state.
    const freshness = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await get('/api/cards/v1/rep', 'ben@acme.test');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body).freshness;
    };
    const enqueue: Enqueue = async () => ({ jobId: 'test' });
    const deal = (await loadDeals(database.db, TENANT)).values().next().value!;
    // The runs so far started before anything below happens.
    await database.db.updateTable('statement_runs').set({ started_at: new Date(Date.now() - 3_600_000) }).where('tenant_id', '=', TENANT).execute();
    expect((await freshness()).recomputePending).toBe(false);
    // A sync page that re-sends what is stored changes nothing and owes no recompute.
    await writeSyncPage({ db: database.db, enqueue }, { tenantId: TENANT, source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: 1 }, { deals: [{ record: deal, modifiedAt: '2026-09-01T00:00:00Z' }] }, 'same');
    expect((await freshness()).recomputePending).toBe(false);
    // A real change owes one until a statement run starts after it.
    await writeSyncPage({ db: database.db, enqueue }, { tenantId: TENANT, source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: 2 }, { deals: [{ record: { ...deal, name: `${deal.name} (renamed)`, sourceVersion: 'renamed' }, modifiedAt: '2030-01-01T00:00:00Z' }] }, 'renamed');
    const owed = await freshness();
    expect([owed.recomputePending, owed.display]).toEqual([true, expect.stringMatching(/^As of .+ · recalculating: these figures may change in a few minutes$/)]);
    await database.db.insertInto('statement_runs').values({ tenant_id: TENANT, run_id: 'run-3', trigger: 'test', as_of: '2026-08-15', payees: 1, entries_written: 0, started_at: new Date(Date.now() + 120_000), finished_at: new Date(Date.now() + 120_000) }).execute();
    expect(await freshness()).toMatchObject({ recomputePending: false, display: expect.not.stringContaining('may change') });
  });

  it('keeps "last synced" at the last page that committed when another object fails before its first page, or change notices arrive', async () => {
    const lastSyncAt = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await get('/api/cards/v1/rep', 'ben@acme.test');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body).freshness.lastSyncAt;
    };
    const before = await lastSyncAt();
    expect(before).not.toBeNull();
    // Activities have never synced for this tenant; their first page fails (the CRM's daily limit ran out).
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'activities', 'HTTP 429: daily limit reached', new Date(Date.now() + 3_600_000));
    expect(await lastSyncAt()).toBe(before);
    // Nor when change notices are received (their records arrive when the job applying them commits).
    await savePosition(database.db, TENANT, 'salesforce', 'cdc-replay', { phase: 'incremental', cursor: { replay: { '/data/OpportunityChangeEvent': 42 } } });
    expect(await lastSyncAt()).toBe(before);
  });

  it('says a sync is failing, naming the object (and to an admin the reason), and "sync in progress" only while a first sync runs', async () => {
    // The CRM admin who installed the app (no owner record): their "me" view carries the footer too.
    await database.db.insertInto('tenant_roles').values({ tenant_id: TENANT, user_id: 'ops@acme.test', role: 'admin', granted_by: 'install' }).onConflict((oc) => oc.doNothing()).execute();
    const freshness = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await get('/api/cards/v1/me', 'ops@acme.test');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return MeViewSchema.parse((await get('/api/cards/v1/me', 'ops@acme.test')).body).freshness;
    };
    const repFreshness = async () => RepCardViewSchema.parse((await get('/api/cards/v1/rep', 'ben@acme.test')).body).freshness;
    const page = (object: string, phase: 'initial' | 'incremental', cursor: unknown) => commitPage(database.db, TENANT, 'hubspot', object, { phase, cursor }, async () => undefined);
    // Only deals have synced, and they are up to date; the figures are those of the last statement run.
    await database.db.deleteFrom('sync_cursors').where('tenant_id', '=', TENANT).execute();
    await page('deals', 'incremental', { since: '2026-08-15T00:00:00Z' });
    const settled = await freshness();
    const asOf = `As of ${settled.lastStatementRunAt!.slice(0, 16).replace('T', ' ')} UTC`;
    expect(settled).toMatchObject({ syncPending: false, recomputePending: false, syncFailing: [], display: asOf });

    // The first sync of owners has committed a page and goes on.
    await page('owners', 'initial', { after: '100' });
    expect(await freshness()).toMatchObject({ syncPending: true, syncFailing: [], display: `${asOf} · sync in progress: these figures may change in a few minutes` });

    // Its job gives up: the first sync is failing, not in progress. The footer keeps the "as of" time and
    // gives the first clause of the error (the fix after the "; " is for the admin).
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'owners', 'HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read); reinstall the app from HubSpot to grant the scope');
    expect(await freshness()).toMatchObject({
      syncPending: false,
      syncFailing: [{ object: 'owners', reason: 'HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read)' }],
      display: `${asOf} · sync failing: owners — HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read)`,
    });
    // A rep is told which figures may be stale, not the CRM's error (it can quote record values and org details).
    expect(await repFreshness()).toMatchObject({
      syncFailing: [{ object: 'owners', reason: null }],
      display: `${asOf} · sync failing: owners — these figures may be out of date; your SPM admin sees why on the console's Connect page`,
    });

    // Goals fail before their first page, paused for an hour: two objects failing, in the order a first
    // sync runs them (owners come first in HubSpot's, so the likelier cause is named first). A row left by
    // a stream no connector syncs any more is not shown: nothing would ever clear it.
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'goals', 'HTTP 429: daily limit reached', new Date(Date.now() + 3_600_000));
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'tickets', 'HubSpot answered 404 for tickets');
    expect(await freshness()).toMatchObject({
      syncPending: false,
      syncFailing: [
        { object: 'owners', reason: 'HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read)' },
        { object: 'goals', reason: 'HTTP 429: daily limit reached' },
      ],
      display: `${asOf} · sync failing: owners — HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read); also failing: goals`,
    });
    expect((await repFreshness()).display).toBe(`${asOf} · sync failing: owners, goals — these figures may be out of date; your SPM admin sees why on the console's Connect page`);
    // An error with no words before its details still names a reason.
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'goals', '\nINVALID_FIELD: select Foo__c from Goal');
    expect((await freshness()).syncFailing[1]).toEqual({ object: 'goals', reason: 'INVALID_FIELD: select Foo__c from Goal' });
    await recordSyncFailure(database.db, TENANT, 'hubspot', 'goals', 'HTTP 429: daily limit reached', new Date(Date.now() + 3_600_000));

    // Owners sync again (a committed page): only goals are failing.
    await page('owners', 'incremental', { since: '2026-08-15T12:00:00Z' });
    expect((await freshness()).display).toBe(`${asOf} · sync failing: goals — HTTP 429: daily limit reached`);

    // After the pause, a goals run succeeds with nothing to write: nothing is failing, and no first sync is running.
    await recordSyncAttempt(database.db, TENANT, 'hubspot', 'goals', new Date(Date.now() + 2 * 3_600_000));
    expect(await freshness()).toMatchObject({ syncPending: false, syncFailing: [], display: asOf });
  });
});
