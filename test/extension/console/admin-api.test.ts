import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Express } from 'express';
import { Decimal } from '../../../shared/src/money/decimal.js';
import type { Deal } from '../../../shared/src/domain/deals.js';
import { loadDeals, upsertDeals } from '../../../worker/src/db/records.js';
import { createWorkerMetrics } from '../../../worker/src/observability/metrics.js';
import { createLogger } from '../../../worker/src/observability/logger.js';
import { createJobRunner, type JobRunner } from '../../../worker/src/runtime/job-runner.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ApiErrorSchema } from '../../../extension/backend/src/cards/view-models.js';
import { ADMIN, adminTestApp, examplePlanText, principal, seedAcme, TENANT } from './admin-fixture.js';

/**
 * The admin API on real PostgreSQL with the example tenant (examples/data/acme.json and the
 * four example plans), business date 2026-10-15. The steps build on each other in order,
 * as an admin's quarter-end would: lock Q2, change things after the lock, publish a plan.
 */
let t: TestDatabase;
let app: Express;
let runner: JobRunner;

const get = (url: string, principal = ADMIN) => request(app).get(url).set('x-test-principal', principal);
const post = (url: string, body: object = {}, principal = ADMIN) => request(app).post(url).set('x-test-principal', principal).send(body);

/** What a CRM sync of an edited deal does: a newer version of the record. */
/** An edit as a CRM sync writes it: the record, and the tenant's data-changed mark (see connectors/core/sync-sink.ts). */
async function editDeal(id: string, change: Partial<Deal>): Promise<void> {
  await t.db.transaction().execute(async (tx) => {
    const deal = (await loadDeals(tx, TENANT, [id])).get(id)!;
    await upsertDeals(tx, TENANT, [{ record: { ...deal, ...change, sourceVersion: `${deal.sourceVersion}+edit` }, modifiedAt: '2026-10-10T00:00:00Z' }]);
    await tx.updateTable('tenants').set({ data_changed_at: sql<Date>`now()` }).where('id', '=', TENANT).execute();
  });
}

beforeAll(async () => {
  t = await createServerDatabase();
  await seedAcme(t.db);
  runner = createJobRunner({ deps: { db: t.db, clock: { now: () => new Date('2026-10-15T12:00:00Z') }, metrics: createWorkerMetrics({ defaultMetrics: false }) }, logger: createLogger({ level: 'silent' }) });
  app = adminTestApp(t.db, { jobs: runner });
});

afterAll(async () => {
  await runner?.close();
  await t?.drop();
});

describe('access', () => {
  it('refuses callers who are not signed in, and signed-in reps', async () => {
    expect((await request(app).get('/api/admin/plans')).status).toBe(401);
    const rep = await get('/api/admin/plans', principal(TENANT, 'ana', ['rep']));
    expect(rep.status).toBe(403);
    expect(rep.body.error).toMatchObject({ code: 'forbidden', message: 'The admin console is for admins of this account' });
  });

  it("shows an admin only their own tenant's data", async () => {
    const other = await get('/api/admin/plans', principal('globex', 'x', ['admin']));
    expect(other.status).toBe(200);
    expect(other.body.plans).toEqual([]);
  });
});

describe('periods, statements, disputes and payroll', () => {
  it('lists each cadence up to the period in progress, all open at first', async () => {
    const res = await get('/api/admin/periods');
    const byId = new Map((res.body.periods as { id: string; status: string; ended: boolean }[]).map((p) => [p.id, p]));
    expect(byId.get('2026-Q3')).toMatchObject({ status: 'open', ended: true });
    expect(byId.get('2026-Q4')).toMatchObject({ status: 'open', ended: false });
    expect(byId.get('2026-09')).toMatchObject({ status: 'open', ended: true });
    expect(byId.has('2027-Q1')).toBe(false);
  });

  it('will not lock a period nobody approved', async () => {
    const res = await post('/api/admin/periods/2026-Q2/lock');
    expect(res.status).toBe(409);
    // The repository's WorkflowConflict, answered in the backend's one error shape.
    expect(ApiErrorSchema.parse(res.body).error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/is open; it cannot become locked/), fix: 'see the message for what is allowed next' });
  });

  it('calculates, approves and locks Q2', async () => {
    const calculated = await post('/api/admin/periods/2026-Q2/calculate');
    expect(calculated.status).toBe(200);
    // The USD total is the sum of the payroll rows below (10 payees, Lena paid in EUR).
    expect(calculated.body).toMatchObject({ status: 'calculated', payees: 10, totals: { USD: '43984.00', EUR: '2057.12' } });
    expect((await post('/api/admin/periods/2026-Q2/approve')).body.status).toBe('approved');
    expect((await post('/api/admin/periods/2026-Q2/lock')).body).toMatchObject({ status: 'locked', payees: 10 });
    const periods = (await get('/api/admin/periods')).body.periods as { id: string; status: string; lockedBy: string }[];
    expect(periods.find((p) => p.id === '2026-Q2')).toMatchObject({ status: 'locked', lockedBy: 'mia' });
    const again = await post('/api/admin/periods/2026-Q2/calculate');
    expect(again.status).toBe(409);
    expect(again.body.error.fix).toMatch(/adjustments in the next open period/);
  });

  it("shows a rep's statement with an explanation on every line", async () => {
    const res = await get('/api/admin/statements/2026-Q2/ana');
    expect(res.body.source).toBe('locked');
    const lines = res.body.statement.lines as { kind: string; amount: string; explanation: string }[];
    // Ana, Q2: q2-01 45,000 at 4 % (tier 1, attainment 25 %) = 1,800; the new-logo SPIFF 500;
    // q2-02 70,000 at 8 % = 5,600, which lifts her to 63.89 % and re-rates q2-01 from 4 % to 8 %
    // (true-up 1,800); the q2-10 renewal 25,000 at 3 % = 750. Total 10,450.
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['commission', '1800.00'],
      ['spiff', '500.00'],
      ['commission', '5600.00'],
      ['true-up', '1800.00'],
      ['commission', '750.00'],
    ]);
    expect(res.body.statement.total).toBe('10450.00');
    expect(lines[0]!.explanation).toContain('USD 45,000.00 at 4 % (tier 1) = USD 1,800.00');
    const list = await get('/api/admin/statements?period=2026-Q2');
    expect(list.body.statements).toContainEqual({ payeeId: 'ana', payeeName: 'Ana Alvarez', currency: 'USD', total: '10450.00', lines: 5 });
  });

  it('exports payroll for the locked period, one row per payee, amounts as exact decimals', async () => {
    const res = await get('/api/admin/payroll/2026-Q2.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="payroll-2026-Q2.csv"');
    const rows = res.text.trim().split('\r\n').map((r) => r.split(','));
    expect(rows[0]).toEqual(['payee_id', 'payee_name', 'period', 'currency', 'amount', 'line_count']);
    // Ana's five lines above sum to 10,450.00; Ben's four: q2-03 60,000 at 4 % = 2,400, SPIFF 500,
    // his 60 % of q2-11 (54,000) at 8 % = 4,320 and the 4 %→8 % true-up on q2-03 = 2,400: 9,620.00.
    expect(rows).toContainEqual(['ana', 'Ana Alvarez', '2026-Q2', 'USD', '10450.00', '5']);
    expect(rows).toContainEqual(['ben', 'Ben Carter', '2026-Q2', 'USD', '9620.00', '4']);
    expect(rows).toContainEqual(['lena', 'Lena Fischer', '2026-Q2', 'EUR', '2057.12', '2']);
    // Each line was rounded once, so the rows add up exactly to what the period calculated: USD 43,984.00.
    const usd = rows.slice(1).filter((r) => r[3] === 'USD').reduce((sum, r) => sum.plus(r[4]!), new Decimal(0));
    expect(usd.toFixed(2)).toBe('43984.00');
    expect(rows).toHaveLength(11);
  });

  it('refuses to export a period that can still change', async () => {
    const res = await get('/api/admin/payroll/2026-Q3.csv');
    expect(res.status).toBe(409);
    expect(res.body.error.fix).toMatch(/lock the period/);
  });

  it('opens a dispute with the claimed deal amount and shows what it would change', async () => {
    const res = await post('/api/admin/disputes', { period: '2026-Q2', payeeId: 'ana', lineKey: 'account-executive|new-business|commission|q2-01', claim: { dealAmount: '55000' }, note: 'the signed order says 55,000' });
    expect(res.status).toBe(201);
    // 10,000 more credited on q2-01: its tier-1 line pays 10,000 × 4 % = 400 more, and the
    // true-up that re-rates it from 4 % to 8 % another 400. Attainment stays in tier 2.
    expect(res.body).toMatchObject({ status: 'open', payeeId: 'ana', result: { dealId: 'q2-01', totalBefore: '10450.00', totalAfter: '11250.00', delta: '800.00' } });
    expect(res.body.result.changes.map((c: { kind: string; delta: string }) => [c.kind, c.delta])).toEqual([
      ['commission', '400'],
      ['true-up', '400'],
    ]);
    const decided = await post(`/api/admin/disputes/${res.body.id}/decision`, { status: 'accepted', resolution: 'amount corrected in the CRM' });
    expect(decided.body).toMatchObject({ status: 'accepted', resolvedBy: 'mia' });
    const twice = await post(`/api/admin/disputes/${res.body.id}/decision`, { status: 'rejected', resolution: 'changed my mind' });
    expect(twice.status).toBe(409);
    expect((await get('/api/admin/statements/2026-Q2/ana')).body.disputes).toHaveLength(1);
  });

  it('refuses a claimed split that does not add up', async () => {
    const res = await post('/api/admin/disputes', { period: '2026-Q2', payeeId: 'ben', lineKey: 'account-executive|new-business|commission|q2-11', claim: { splits: [{ userId: 'ben', type: 'revenue', percent: '70' }, { userId: 'carla', type: 'revenue', percent: '20' }] } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/total 90 %, not 100 %/);
  });

  it('keeps a locked period frozen and pays a later CRM edit as an adjustment in Q3; a lock waits for re-approval', async () => {
    await post('/api/admin/periods/2026-Q3/calculate');
    await post('/api/admin/periods/2026-Q3/approve');
    await editDeal('q2-01', { amount: new Decimal(55000) });
    // Q2 is returned exactly as locked…
    expect((await get('/api/admin/statements/2026-Q2/ana')).body.statement.total).toBe('10450.00');
    // …and the correction (the same +400 and +400 as the dispute computed) lands in Q3.
    const q3 = (await get('/api/admin/statements/2026-Q3/ana')).body.statement;
    const adjustments = (q3.lines as { kind: string; amount: string; adjusts: { period: string } }[]).filter((l) => l.kind === 'adjustment');
    expect(adjustments.map((l) => [l.amount, l.adjusts.period])).toEqual([
      ['400.00', '2026-Q2'],
      ['400.00', '2026-Q2'],
    ]);
    // Q3 was approved before the edit, so it cannot be locked with numbers nobody approved.
    const lock = await post('/api/admin/periods/2026-Q3/lock');
    expect(lock.status).toBe(409);
    expect(lock.body.error.message).toMatch(/changed after mia approved/);
  });
});

describe('quotas', () => {
  const header = 'id,userId,period,target';
  it('imports nothing when one row is bad, and names the line', async () => {
    const before = (await get('/api/admin/quotas')).body.quotas.length;
    const res = await post('/api/admin/quotas/import', { csv: `${header}\nana-2027-q1,ana,2027-Q1,230000\nben-2027-q1,bne,2027-Q1,240000\ncarla-2027-q1,carla,2027-Q1,160000\n` });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ ok: false, rows: 3, imported: 0 });
    expect(res.body.issues).toEqual([{ line: 3, path: 'line 3, userId', message: 'unknown user "bne"', fix: 'add the user to "users" or correct the id' }]);
    expect((await get('/api/admin/quotas')).body.quotas).toHaveLength(before);
  });

  it('reports a thousands separator as that row’s problem', async () => {
    const res = await post('/api/admin/quotas/import', { csv: `${header}\nana-2027-q1,ana,2027-Q1,230000\nben-2027-q1,ben,2027-Q1,240,000\n` });
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([expect.objectContaining({ line: 3, message: 'the row has 5 cells but the header has 4' })]);
  });

  it('imports the corrected file, and a second upload changes nothing', async () => {
    const csv = `${header}\nana-2027-q1,ana,2027-Q1,230000\nben-2027-q1,ben,2027-Q1,240000\ncarla-2027-q1,carla,2027-Q1,160000\n`;
    expect((await post('/api/admin/quotas/import', { csv })).body).toEqual({ ok: true, rows: 3, imported: 3, unchanged: 0 });
    expect((await post('/api/admin/quotas/import', { csv })).body).toEqual({ ok: true, rows: 3, imported: 0, unchanged: 3 });
    const quotas = (await get('/api/admin/quotas')).body.quotas as { id: string; target: string }[];
    expect(quotas.find((q) => q.id === 'ben-2027-q1')?.target).toBe('240000');
  });

  it('refuses to edit a stored quota version in place', async () => {
    const res = await post('/api/admin/quotas/import', { csv: `${header}\nben-2027-q1,ben,2027-Q1,250000\n` });
    expect(res.status).toBe(422);
    expect(res.body.issues[0]).toMatchObject({ line: 2, message: 'quota ben-2027-q1 version 1 is already stored with target 240000 for 2027-Q1' });
    expect(res.body.issues[0].fix).toMatch(/version 2/);
  });
});

describe('plans', () => {
  const v2 = (): string => examplePlanText('account-executive.yaml').replace('version: 1', 'version: 2').replace('rate: "0.03"', 'rate: "0.04"');

  it('lists the published plans with their versions and text', async () => {
    const res = await get('/api/admin/plans');
    expect(res.body.plans.map((p: { id: string; latestVersion: number }) => [p.id, p.latestVersion])).toEqual([
      ['account-executive', 1],
      ['sales-manager', 1],
      ['sdr', 1],
      ['solutions-engineer', 1],
    ]);
    expect(res.body.plans[0].latestText).toContain('id: account-executive');
  });

  it('places validation errors on the line they are about, with a fix', async () => {
    const float = await post('/api/admin/plans/validate', { text: v2().replace('rate: "0.04"', 'rate: 0.04') });
    expect(float.body).toEqual({ ok: false, issues: [{ path: 'components[2].rate', line: 85, message: '0.04 is a floating-point number, which cannot hold money exactly', fix: 'write it as a string, e.g. "0.04"' }] });
    const unknown = await post('/api/admin/plans/validate', { text: v2().replace('user: carla', 'user: karla') });
    expect(unknown.body.issues).toEqual([{ path: 'payees[2].user', line: 36, message: 'unknown user "karla"', fix: 'use the id of a user in the data file' }]);
    const sameVersion = await post('/api/admin/plans/validate', { text: examplePlanText('account-executive.yaml') });
    expect(sameVersion.body.issues).toEqual([{ path: 'version', line: 20, message: 'version 1 of plan account-executive is already published', fix: 'save the change as version 2' }]);
    expect((await post('/api/admin/plans/validate', { text: v2() })).body).toEqual({ ok: true, planId: 'account-executive', version: 2, issues: [] });
  });

  it('refuses a body that is not what the endpoint takes, naming the field', async () => {
    const res = await post('/api/admin/plans/validate', { text: 42 });
    expect(res.status).toBe(400);
    const { error } = ApiErrorSchema.parse(res.body);
    expect(error.code).toBe('bad_request');
    expect(error.issues).toEqual([{ path: 'text', message: expect.any(String), fix: 'give a value of the expected type' }]);
  });

  it('simulates a draft on the last closed quarter against the published plan', async () => {
    const res = await post('/api/admin/plans/simulate', { text: v2() });
    expect(res.status).toBe(200);
    expect(res.body.period).toBe('2026-Q3');
    // Renewals from 3 % to 4 %: one more percent of each rep's Q3 renewal (ana 40,000, ben
    // 48,000, carla 22,000, dev 26,000, emma 30,000). Q2 is locked, and the draft (effective
    // from January) would also re-rate its renewals, paid in Q3 as adjustments: ana 1 % of
    // 25,000 = 250 and emma 1 % of 18,000 = 180. So ana 400 + 250, emma 300 + 180.
    expect(res.body.payees.map((p: { payeeId: string; delta: string }) => [p.payeeId, p.delta])).toEqual([
      ['ana', '650.00'],
      ['ben', '480.00'],
      ['carla', '220.00'],
      ['dev', '260.00'],
      ['emma', '480.00'],
    ]);
    expect(res.body.payees[0].changes[0]).toMatchObject({ kind: 'commission', before: '1200', after: '1600', cause: 'plan-changed' });
  });

  it('simulates a locked period afresh, so the diff is the plan change alone', async () => {
    const res = await post('/api/admin/plans/simulate', { text: v2(), period: '2026-Q2' });
    // Q2 renewals: ana 25,000 and emma 18,000 → +250 and +180.
    expect(res.body.payees.map((p: { payeeId: string; totalBefore: string; delta: string }) => [p.payeeId, p.delta])).toEqual([
      ['ana', '250.00'],
      ['emma', '180.00'],
    ]);
  });

  it('publishes the draft; the locked quarter pays the change as an adjustment in the next open one', async () => {
    const res = await post('/api/admin/plans', { text: v2() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ planId: 'account-executive', version: 2 });
    const twice = await post('/api/admin/plans', { text: v2() });
    expect(twice.status).toBe(422);
    expect(ApiErrorSchema.parse(twice.body).error.code).toBe('invalid_input');
    expect(twice.body.error.issues).toEqual([expect.objectContaining({ path: 'version', message: 'version 2 of plan account-executive is already published' })]);
    expect((await get('/api/admin/statements/2026-Q2/ana')).body.statement.total).toBe('10450.00');
    const q3 = (await get('/api/admin/statements/2026-Q3/ana')).body.statement;
    const renewal = (q3.lines as { kind: string; amount: string; adjusts?: { cause: string; key: string } }[]).find((l) => l.adjusts?.key === 'account-executive|renewals|commission|q2-10');
    // v2 is effective from 2026-01-01, so locked Q2's 25,000 renewal now computes 1,000 instead of 750.
    expect(renewal).toMatchObject({ kind: 'adjustment', amount: '250.00', adjusts: { cause: 'plan-changed' } });
  });
});

describe('queue health', () => {
  it("reports the job runner's health and queue depths", async () => {
    await runner.enqueue('compute', 'reconcile-tenant', { tenantId: TENANT, cause: 'test' });
    const res = await get('/api/admin/queue');
    expect(res.body.health).toMatchObject({ ok: true, mode: 'in-process' });
    expect(res.body.counts.compute.waiting).toBe(1);
  });
});

describe('connections: sync status per CRM object', () => {
  const NOW = new Date('2026-10-15T12:00:00Z');
  const OTHER = 'initech';
  const quotaError = 'Salesforce answered REQUEST_LIMIT_EXCEEDED: the org used its daily API allocation; syncing resumes at 2026-10-16T00:00:00Z, or raise the allocation in Setup → Company Information';
  const scopeError = 'HubSpot answered 403 MISSING_SCOPES for crm.objects.owners.read: reconnect HubSpot from the console and grant the owners scope';
  let clocked: Express;

  beforeAll(async () => {
    clocked = adminTestApp(t.db, { now: () => NOW });
    await t.db.insertInto('tenants').values({ id: OTHER, name: 'Initech', source: 'hubspot', external_id: 'initech-portal', home_currency: 'USD' }).execute();
    const at = (iso: string) => new Date(iso);
    const rows = [
      // Listed out of order: the API orders by source, then object.
      { tenant_id: TENANT, source: 'salesforce', object: 'Opportunity', phase: 'incremental', cursor: null, last_error: quotaError, retry_after: at('2026-10-16T00:00:00Z'), syncedAt: '2026-10-14T23:10:00Z' },
      { tenant_id: TENANT, source: 'hubspot', object: 'owners', phase: 'incremental', cursor: JSON.stringify({ after: 'x' }), last_error: scopeError, retry_after: at('2026-10-15T11:00:00Z'), syncedAt: '2026-10-14T09:00:00Z' },
      { tenant_id: TENANT, source: 'hubspot', object: 'deals', phase: 'incremental', cursor: JSON.stringify({ after: 'y' }), last_error: null, retry_after: null, syncedAt: '2026-10-15T11:55:00Z' },
      { tenant_id: TENANT, source: 'hubspot', object: 'companies', phase: 'initial', cursor: JSON.stringify({ after: 'z' }), last_error: null, retry_after: null, syncedAt: null },
      { tenant_id: OTHER, source: 'hubspot', object: 'deals', phase: 'incremental', cursor: null, last_error: 'initech secret: deal "Initech merger" has no amount', retry_after: null, syncedAt: '2026-10-13T08:00:00Z' },
      { tenant_id: OTHER, source: 'hubspot', object: 'tickets', phase: 'initial', cursor: null, last_error: null, retry_after: null, syncedAt: null },
    ] as const;
    for (const { syncedAt, ...row } of rows) {
      await t.db.insertInto('sync_cursors').values({ ...row, synced_at: null }).execute();
      // synced_at is Generated<Timestamp | null> in the worker's schema, which Kysely does not unwrap for a Date: set it in SQL.
      if (syncedAt) await sql`update sync_cursors set synced_at = ${syncedAt}::timestamptz where tenant_id = ${row.tenant_id} and source = ${row.source} and object = ${row.object}`.execute(t.db);
    }
  });

  it('gives each object of the tenant its state, last sync, full error and pause, ordered by source then object', async () => {
    const res = await request(clocked).get('/api/admin/connections').set('x-test-principal', ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.syncs).toEqual([
      { source: 'hubspot', object: 'companies', state: 'first-sync', lastSyncedAt: null, error: null, pausedUntil: null },
      { source: 'hubspot', object: 'deals', state: 'up-to-date', lastSyncedAt: '2026-10-15T11:55:00.000Z', error: null, pausedUntil: null },
      // Its pause ended an hour ago, but the failure stands until the next sync succeeds.
      { source: 'hubspot', object: 'owners', state: 'failing', lastSyncedAt: '2026-10-14T09:00:00.000Z', error: scopeError, pausedUntil: null },
      { source: 'salesforce', object: 'Opportunity', state: 'paused', lastSyncedAt: '2026-10-14T23:10:00.000Z', error: quotaError, pausedUntil: '2026-10-16T00:00:00.000Z' },
    ]);
  });

  it("never shows another tenant's objects", async () => {
    const acme = await request(clocked).get('/api/admin/connections').set('x-test-principal', ADMIN);
    expect(JSON.stringify(acme.body)).not.toContain('initech');
    expect((acme.body.syncs as { object: string }[]).map((s) => s.object)).not.toContain('tickets');
    const other = await request(clocked).get('/api/admin/connections').set('x-test-principal', principal(OTHER, 'peter', ['admin']));
    expect(other.body.syncs).toEqual([
      { source: 'hubspot', object: 'deals', state: 'failing', lastSyncedAt: '2026-10-13T08:00:00.000Z', error: 'initech secret: deal "Initech merger" has no amount', pausedUntil: null },
      { source: 'hubspot', object: 'tickets', state: 'first-sync', lastSyncedAt: null, error: null, pausedUntil: null },
    ]);
  });
});

describe('sync now: POST /syncs/:source/:object/run', () => {
  const NOW = new Date('2026-10-15T12:00:00Z');
  const OTHER = 'initech'; // created above, with hubspot cursors of its own
  type Call = readonly [family: string, name: string, payload: unknown];
  let calls: Call[];
  /** A job runner that records what it is asked to enqueue. */
  const fakeJobs = {
    health: async () => ({ ok: true, mode: 'in-process' as const }),
    counts: async () => ({}),
    enqueue: (async (family: string, name: string, payload: unknown) => {
      calls.push([family, name, payload]);
      return { jobId: `job-${calls.length}` };
    }) as JobRunner['enqueue'],
  };
  let faked: Express;
  const run = (path: string, as = ADMIN, to = faked, body: object = {}) => request(to).post(`/api/admin/syncs/${path}/run`).set('x-test-principal', as).send(body);

  beforeAll(async () => {
    faked = adminTestApp(t.db, { jobs: fakeJobs, now: () => NOW });
    // Acme has HubSpot connected (not Salesforce); its goals are paused by HubSpot's daily limit until midnight.
    await t.db.insertInto('crm_connections').values([{ tenant_id: TENANT, source: 'hubspot' }, { tenant_id: OTHER, source: 'hubspot' }]).execute();
    await t.db.insertInto('sync_cursors').values({ tenant_id: TENANT, source: 'hubspot', object: 'goals', phase: 'incremental', cursor: null, last_error: 'HubSpot answered 429: the daily limit is used up', retry_after: new Date('2026-10-16T00:00:00Z'), synced_at: null }).execute();
  });
  beforeEach(() => {
    calls = [];
  });

  it("queues an incremental sync of the object for the admin's tenant, and records who asked", async () => {
    const res = await run('hubspot/owners');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ queued: true, jobId: 'job-1' });
    expect(calls).toEqual([['crm-sync', 'sync-object', { tenantId: TENANT, source: 'hubspot', object: 'owners', mode: 'incremental', cause: 'manual:mia@2026-10-15T12:00:00.000Z' }]]);
    const audit = await t.db.selectFrom('audit_log').select(['actor', 'details']).where('tenant_id', '=', TENANT).where('action', '=', 'sync.requested').where('target', '=', 'hubspot/owners').execute();
    expect(audit).toEqual([{ actor: 'mia', details: { mode: 'incremental', queued: true, jobId: 'job-1' } }]);
  });

  it('says so when a sync of the object is already queued (the queue deduplicates a second click)', async () => {
    let clock = NOW.getTime();
    const real = adminTestApp(t.db, { jobs: runner, now: () => new Date((clock += 1_000)) });
    const first = await run('hubspot/deals', ADMIN, real);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ queued: true });
    const second = await run('hubspot/deals', ADMIN, real);
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ queued: false, reason: 'already queued', jobId: first.body.jobId });
    const job = await runner.inspect('crm-sync', first.body.jobId as string);
    expect(job).toMatchObject({ name: 'sync-object', state: 'waiting', payload: { tenantId: TENANT, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'manual:mia@2026-10-15T12:00:01.000Z' } });
  });

  it('refuses a paused object until its pause ends, and enqueues nothing', async () => {
    const res = await run('hubspot/goals');
    expect(res.status).toBe(409);
    expect(ApiErrorSchema.parse(res.body).error).toMatchObject({ code: 'conflict', message: "goals is paused until 2026-10-16T00:00:00.000Z (the CRM's daily limit)", fix: expect.stringMatching(/^wait until then/) });
    expect(calls).toEqual([]);
    // After the pause the same request is queued.
    const later = adminTestApp(t.db, { jobs: fakeJobs, now: () => new Date('2026-10-16T00:00:01Z') });
    expect((await run('hubspot/goals', ADMIN, later)).status).toBe(202);
    expect(calls).toHaveLength(1);
  });

  it('refuses an unknown CRM or object (404) and a CRM the tenant has not connected (422)', async () => {
    const unknownObject = await run('hubspot/tickets');
    expect(unknownObject.status).toBe(404);
    expect(ApiErrorSchema.parse(unknownObject.body).error).toMatchObject({ code: 'not_found', message: 'HubSpot has no object "tickets" to sync', fix: expect.stringContaining('owners, pipelines, deals') });
    const unknownSource = await run('pipedrive/deals');
    expect(unknownSource.status).toBe(404);
    expect(unknownSource.body.error).toMatchObject({ message: 'there is no CRM "pipedrive"', fix: 'use hubspot or salesforce' });
    const notConnected = await run('salesforce/deals');
    expect(notConnected.status).toBe(422);
    expect(ApiErrorSchema.parse(notConnected.body).error).toMatchObject({ code: 'invalid_input', message: 'Salesforce is not connected to this account', fix: 'connect Salesforce on this page first' });
    expect(calls).toEqual([]);
  });

  it('answers 503 with what to start when the server has no job runner', async () => {
    const bare = adminTestApp(t.db, { now: () => NOW });
    const res = await run('hubspot/owners', ADMIN, bare);
    expect(res.status).toBe(503);
    expect(ApiErrorSchema.parse(res.body).error).toMatchObject({ code: 'not_ready', message: 'this server has no job runner attached, so it cannot queue a sync', fix: expect.stringMatching(/start the worker.*REDIS_URL/) });
  });

  it("takes the tenant from the session: another tenant's admin queues only for their own tenant; a rep cannot", async () => {
    const res = await run('hubspot/owners', principal(OTHER, 'peter', ['admin']), faked, { tenantId: TENANT, source: 'salesforce' });
    expect(res.status).toBe(202);
    expect(calls).toEqual([['crm-sync', 'sync-object', expect.objectContaining({ tenantId: OTHER, source: 'hubspot', object: 'owners', cause: 'manual:peter@2026-10-15T12:00:00.000Z' })]]);
    const audit = await t.db.selectFrom('audit_log').select('tenant_id').where('action', '=', 'sync.requested').where('actor', '=', 'peter').execute();
    expect(audit).toEqual([{ tenant_id: OTHER }]);
    const rep = await run('hubspot/owners', principal(TENANT, 'ana', ['rep']));
    expect(rep.status).toBe(403);
    expect(calls).toHaveLength(1);
  });
});
