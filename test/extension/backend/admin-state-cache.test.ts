import express, { type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeSyncPage } from '../../../connectors/core/sync-sink.js';
import { createAdminRouter } from '../../../extension/backend/src/admin/admin-router.js';
import { adminStateCache } from '../../../extension/backend/src/admin/period-statements.js';
import { importQuotaCsv } from '../../../extension/backend/src/admin/quota-import.js';
import { setPrincipal } from '../../../extension/backend/src/auth/principal.js';
import { loadTenant, TenantCache } from '../../../extension/backend/src/cards/tenant-cache.js';
import { errorHandler } from '../../../extension/backend/src/http/api-failure.js';
import { loadDataset } from '../../../worker/src/db/dataset-loader.js';
import { importDataset } from '../../../worker/src/db/import-dataset.js';
import { setPeriodStatus } from '../../../worker/src/db/periods.js';
import { savePlanVersion } from '../../../worker/src/db/plans.js';
import { saveQuotas } from '../../../worker/src/db/quotas.js';
import { loadDeals } from '../../../worker/src/db/records.js';
import { createLogger } from '../../../worker/src/observability/logger.js';
import type { Enqueue } from '../../../worker/src/queues/handler-registry.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { dataset, won } from '../../support/tenant-builder.js';
import { OTHER_PORTAL, seedMainTenant, seedOtherTenant, TENANT, TODAY } from './fixture.js';

/**
 * The admin console's tenant states come from a cache that reloads a tenant only when its
 * current state changed. The worked example is fixture.ts's (plan "ae": 2 % up to 50 % of
 * a 100,000 quarterly quota, 5 % to 100 %, 8 % above; today 2026-08-15), so in 2026-Q3:
 *   ana: d1 won 40,000 → 40 % → 40,000 × 2 % = 800.00
 *   ben: b1 won 60,000 → 50,000 × 2 % + 10,000 × 5 % = 1,000 + 500 = 1,500.00
 * Two consoles share the database, as two backend processes would: "writer" makes the
 * changes through its own admin routes (or the sync sink, or the worker's repositories),
 * "reader" has a cache that counts its loads, so each test shows that reader noticed the
 * change through the database alone, not through the writer's in-process invalidation.
 */
vi.setConfig({ testTimeout: 30_000 });

const OTHER = `hs-${OTHER_PORTAL}`;
let database: TestDatabase;
let loads: string[];
let readerStates: TenantCache;
let reader: Express;
let writer: Express;

function consoleApp(states?: TenantCache): Express {
  const logger = createLogger({ level: 'silent' });
  const app = express();
  app.use('/api/admin', (req, _res, next) => {
    setPrincipal(req, { tenantId: req.header('x-tenant') ?? TENANT, userId: 'ada', via: 'session', grantedRoles: ['admin'] });
    next();
  });
  app.use('/api/admin', createAdminRouter({ db: database.db, today: () => TODAY, logger, states }));
  app.use(errorHandler(logger));
  return app;
}

/** Reader's Q3 totals by payee, as the statements page lists them. */
async function q3Totals(tenant = TENANT): Promise<Record<string, string>> {
  const res = await request(reader).get('/api/admin/statements?period=2026-Q3').set('x-tenant', tenant);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.statements as { payeeId: string; total: string }[]).map((s) => [s.payeeId, s.total]));
}

const loadsOf = (tenant: string) => loads.filter((t) => t === tenant).length;

function planV2(firstRate: string) {
  const tiers = [{ upTo: '50', rate: firstRate }, { upTo: '100', rate: '0.05' }, { rate: '0.08' }];
  return JSON.stringify({ id: 'ae', version: 2, name: 'AE', effective: { from: '2026-01-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'ana' }, { user: 'ben' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'marginal', table: tiers } }] });
}

beforeAll(async () => {
  database = await createServerDatabase();
  await seedMainTenant(database.db);
  await seedOtherTenant(database.db);
  loads = [];
  readerStates = adminStateCache(database.db, {
    load: async (db, tenantId) => {
      loads.push(tenantId);
      return loadTenant(db, tenantId);
    },
  });
  reader = consoleApp(readerStates);
  writer = consoleApp();
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe('admin console tenant state', () => {
  it('reads the dataset once for reads in a row, and once for two reads arriving together', async () => {
    expect(await q3Totals()).toEqual({ ana: '800.00', ben: '1500.00' });
    expect(await q3Totals()).toEqual({ ana: '800.00', ben: '1500.00' });
    expect(loadsOf(TENANT)).toBe(1);
    // A fresh cache, two requests at once: they share one version check and one load.
    readerStates.invalidate(TENANT);
    const [a, b] = await Promise.all([q3Totals(), q3Totals()]);
    expect(a).toEqual(b);
    expect(loadsOf(TENANT)).toBe(2);
  });

  it('keeps two tenants apart: each is loaded for itself and shows only its own payees', async () => {
    // The other tenant's oli won 99,000 of a 100,000 quota: 50,000 × 2 % + 49,000 × 5 % = 1,000 + 2,450 = 3,450.00.
    expect(await q3Totals(OTHER)).toEqual({ oli: '3450.00' });
    expect(await q3Totals()).toEqual({ ana: '800.00', ben: '1500.00' });
    expect(await q3Totals(OTHER)).toEqual({ oli: '3450.00' });
    expect([loadsOf(TENANT), loadsOf(OTHER)]).toEqual([2, 1]);
  });

  it('sees a quota imported by another console on the next read', async () => {
    const before = loadsOf(TENANT);
    // Ana's Q3 quota becomes 50,000: 40,000 is 80 %, so 25,000 × 2 % + 15,000 × 5 % = 500 + 750 = 1,250.00.
    const csv = 'id,userId,period,target,version,effectiveFrom\nq-ana,ana,2026-Q3,50000,2,2026-07-01\n';
    expect((await request(writer).post('/api/admin/quotas/import').send({ csv })).body).toMatchObject({ ok: true, imported: 1 });
    expect(await q3Totals()).toEqual({ ana: '1250.00', ben: '1500.00' });
    expect(loadsOf(TENANT)).toBe(before + 1);
    // Nothing changed since: no further load.
    await q3Totals();
    expect(loadsOf(TENANT)).toBe(before + 1);
  });

  it('sees a plan published by another console on the next read', async () => {
    // Version 2 pays 3 % instead of 2 % below 50 %: ana 25,000 × 3 % + 15,000 × 5 % = 750 + 750 = 1,500.00;
    // ben 50,000 × 3 % + 10,000 × 5 % = 1,500 + 500 = 2,000.00.
    const published = await request(writer).post('/api/admin/plans').send({ text: planV2('0.03') });
    expect(published.status).toBe(201);
    expect(await q3Totals()).toEqual({ ana: '1500.00', ben: '2000.00' });
  });

  it('sees a period locked by another console on the next read', async () => {
    const q2 = async () => (await request(reader).get('/api/admin/statements?period=2026-Q2')).body.source as string;
    expect(await q2()).toBe('computed');
    for (const step of ['calculate', 'approve', 'lock']) expect((await request(writer).post(`/api/admin/periods/2026-Q2/${step}`)).status).toBe(200);
    // Reader's cached state knew Q2 as open; it now returns the locked statements.
    expect(await q2()).toBe('locked');
  });

  it('sees a CRM change written by the sync on the next read, and not a page that changed nothing', async () => {
    const enqueue: Enqueue = async () => ({ jobId: 'test' });
    const sink = { db: database.db, enqueue };
    const target = { tenantId: TENANT, source: 'hubspot', object: 'deals' } as const;
    const b1 = (await loadDeals(database.db, TENANT, ['b1'])).get('b1')!;
    await q3Totals();
    const before = loadsOf(TENANT);
    // Re-sending the stored deal changes nothing, so the state is not read again.
    await writeSyncPage(sink, target, { phase: 'incremental', cursor: 1 }, { deals: [{ record: b1, modifiedAt: '2026-08-15T00:00:00Z' }] }, 'same');
    expect(await q3Totals()).toEqual({ ana: '1500.00', ben: '2000.00' });
    expect(loadsOf(TENANT)).toBe(before);
    // b1 grows from 60,000 to 80,000: ben 50,000 × 3 % + 30,000 × 5 % = 1,500 + 1,500 = 3,000.00.
    await writeSyncPage(sink, target, { phase: 'incremental', cursor: 2 }, { deals: [{ record: { ...b1, amount: b1.amount.plus(20_000), sourceVersion: 'b1-grown' }, modifiedAt: '2026-08-15T01:00:00Z' }] }, 'grown');
    expect(await q3Totals()).toEqual({ ana: '1500.00', ben: '3000.00' });
    expect(loadsOf(TENANT)).toBe(before + 1);
    // The other tenant was never reloaded by any of this.
    expect(await q3Totals(OTHER)).toEqual({ oli: '3450.00' });
    expect(loadsOf(OTHER)).toBe(1);
  });

  it('works out the statement list of a period once per state and day, says when, and again after a change', async () => {
    // Its own console, whose clock moves a minute whenever it is read.
    let minute = 0;
    const logger = createLogger({ level: 'silent' });
    const app = express();
    app.use('/api/admin', (req, _res, next) => {
      setPrincipal(req, { tenantId: TENANT, userId: 'ada', via: 'session', grantedRoles: ['admin'] });
      next();
    });
    app.use('/api/admin', createAdminRouter({ db: database.db, today: () => TODAY, logger, states: adminStateCache(database.db), now: () => new Date(Date.UTC(2026, 7, 15, 9, minute++)) }));
    app.use(errorHandler(logger));
    const list = async () => (await request(app).get('/api/admin/statements?period=2026-Q3')).body as { computedAt: string; statements: { payeeId: string; total: string }[] };

    const first = await list();
    expect(first.statements.map((s) => [s.payeeId, s.total])).toEqual([['ana', '1500.00'], ['ben', '3000.00']]);
    // Nothing changed: the same list, not worked out again (a big tenant's period takes the engine seconds).
    expect((await list()).computedAt).toBe(first.computedAt);
    // b1 grows to 90,000: ben 50,000 × 3 % + 40,000 × 5 % = 1,500 + 2,000 = 3,500.00, worked out on the new state.
    const b1 = (await loadDeals(database.db, TENANT, ['b1'])).get('b1')!;
    const enqueue: Enqueue = async () => ({ jobId: 'test' });
    await writeSyncPage({ db: database.db, enqueue }, { tenantId: TENANT, source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: 3 }, { deals: [{ record: { ...b1, amount: b1.amount.plus(10_000), sourceVersion: 'b1-grown-again' }, modifiedAt: '2026-08-15T02:00:00Z' }] }, 'grown again');
    const after = await list();
    expect(after.statements.map((s) => [s.payeeId, s.total])).toEqual([['ana', '1500.00'], ['ben', '3500.00']]);
    expect(after.computedAt > first.computedAt).toBe(true);
  });
});

describe('memory bound', () => {
  it('drops a tenant nobody asked for within the idle time, and the least recently used beyond the limit', async () => {
    let now = 0;
    const counted: string[] = [];
    const cache = new TenantCache(database.db, 0, () => now, {
      basis: 'current',
      idleMs: 60_000,
      maxTenants: 1,
      load: async (db, tenantId) => {
        counted.push(tenantId);
        return loadTenant(db, tenantId);
      },
    });
    await cache.get(TENANT);
    // A second tenant pushes the first out (limit 1)…
    await cache.get(OTHER);
    expect(cache.size).toBe(1);
    await cache.get(TENANT);
    expect(counted).toEqual([TENANT, OTHER, TENANT]);
    // …and a tenant idle for a minute is dropped, so asking again reads it again.
    now += 60_000;
    await cache.get(TENANT);
    expect(counted).toEqual([TENANT, OTHER, TENANT, TENANT]);
    now += 59_999;
    await cache.get(TENANT);
    expect(counted).toHaveLength(4);
  });
});

describe('checks against writes from other processes', () => {
  it('answers a request that arrived after a running check read the version with a check of its own', async () => {
    // Reader's first check is held in its load; meanwhile another process saves a plan. A
    // request arriving after that write must not be handed the held check's (older) state.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstRead!: () => void;
    const firstHasRead = new Promise<void>((resolve) => (firstRead = resolve));
    let calls = 0;
    const states = adminStateCache(database.db, {
      load: async (db, tenantId) => {
        calls += 1;
        const loaded = await loadTenant(db, tenantId);
        // The first load has read the tenant; it is held before it is kept.
        if (calls === 1) {
          firstRead();
          await gate;
        }
        return loaded;
      },
    });
    const first = states.get(OTHER);
    await firstHasRead;
    const tiers = [{ upTo: '100', rate: '0.01' }, { rate: '0.02' }];
    await savePlanVersion(database.db, OTHER, { id: 'renewals', version: 1, name: 'Renewals', effective: { from: '2026-01-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'oli' }], components: [{ id: 'rn', type: 'commission', tiers: { mode: 'marginal', table: tiers } }] }, 'another-process');
    const second = states.get(OTHER);
    release();
    expect((await first)!.plans.map((p) => p.id)).toEqual(['ae']);
    expect((await second)!.plans.map((p) => p.id).sort()).toEqual(['ae', 'renewals']);
    // One load per version: the held one, then the one after the write.
    expect(calls).toBe(2);
  });
});

describe('the state version', () => {
  const stateVersion = async (tenantId: string) => (await database.db.selectFrom('tenants').select(['admin_state_version', 'data_changed_at']).where('id', '=', tenantId).executeTakeFirstOrThrow());

  it('moves with a quota import written by another process, which moves no other marker', async () => {
    let calls = 0;
    const states = adminStateCache(database.db, {
      load: async (db, tenantId) => {
        calls += 1;
        return loadTenant(db, tenantId);
      },
    });
    const quotaOf = async () => (await states.get(OTHER))!.data.quotas.filter((q) => q.id === 'q-oli').map((q) => `${q.version}:${q.target.toString()}`);
    expect(await quotaOf()).toEqual(['1:100000']);
    const before = await stateVersion(OTHER);
    // Another process imports version 2 of oli's quota through the import route's own writer.
    const csv = 'id,userId,period,target,version,effectiveFrom\nq-oli,oli,2026-Q3,50000,2,2026-07-01\n';
    expect(await importQuotaCsv(database.db, OTHER, await loadDataset(database.db, OTHER), csv, 'another-process')).toMatchObject({ ok: true, imported: 1 });
    const after = await stateVersion(OTHER);
    expect(after.admin_state_version).toBe(before.admin_state_version + 1);
    expect(after.data_changed_at).toEqual(before.data_changed_at);
    expect(await quotaOf()).toEqual(['1:100000', '2:50000']);
    expect(calls).toBe(2);
    // The same file again adds nothing: the version stays, and so does the state.
    expect(await importQuotaCsv(database.db, OTHER, await loadDataset(database.db, OTHER), csv, 'another-process')).toMatchObject({ ok: true, imported: 0 });
    expect((await stateVersion(OTHER)).admin_state_version).toBe(after.admin_state_version);
    await quotaOf();
    expect(calls).toBe(2);
  });

  it('is moved by every writer of plans, quotas and locked periods, and only by a write that changed something', async () => {
    // A tenant of its own, so the counts below depend on nothing else in this file.
    const tenantId = 'hs-333';
    const quota = (version: number, target: string) => ({ id: 'q-una', userId: 'una', period: '2026-Q3', target, version, effectiveFrom: '2026-07-01' });
    const data = (quotas: ReturnType<typeof quota>[]) =>
      dataset({ tenant: { id: tenantId, name: 'Umbrella', currency: 'USD' }, users: [{ id: 'una', name: 'Una Rep', email: 'una@umbrella.test' }], deals: [won('u1', 'una', '10000', '2026-07-10')], quotas });
    await importDataset(database.db, data([quota(1, '100000')]), { source: 'hubspot', externalId: '333', modifiedAt: '2026-08-15T00:00:00Z', actor: 'test' });
    const states = adminStateCache(database.db);
    const seen = async () => (await states.get(tenantId))!.version;
    let counter = (await stateVersion(tenantId)).admin_state_version;
    // The data import stored a quota version: its transaction moved the counter from the column's 0.
    expect(counter).toBe(1);
    let version = await seen();
    /** Runs one write and says whether the counter and the admin cache's version moved (both must, or neither). */
    const moves = async (write: () => Promise<unknown>): Promise<boolean> => {
      await write();
      const next = (await stateVersion(tenantId)).admin_state_version;
      const nextVersion = await seen();
      expect(nextVersion !== version).toBe(next !== counter);
      const moved = next !== counter;
      if (moved) expect(next).toBe(counter + 1);
      counter = next;
      version = nextVersion;
      return moved;
    };
    const planDoc = { id: 'ae', version: 1, name: 'AE', effective: { from: '2026-01-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'una' }], components: [{ id: 'nb', type: 'commission', rate: '0.02' }] };
    const sink = { db: database.db, enqueue: (async () => ({ jobId: 'test' })) as Enqueue };
    const target = { tenantId, source: 'hubspot', object: 'quotas' } as const;
    const writes: [string, () => Promise<unknown>, boolean][] = [
      ['plan saved', () => savePlanVersion(database.db, tenantId, planDoc, 'test'), true],
      ['same plan saved again', () => savePlanVersion(database.db, tenantId, planDoc, 'test'), false],
      ['quota saved (data import)', () => saveQuotas(database.db, tenantId, data([quota(2, '90000')]).quotas, 'test'), true],
      ['same quota saved again', () => saveQuotas(database.db, tenantId, data([quota(2, '90000')]).quotas, 'test'), false],
      ['quota imported (admin import)', async () => importQuotaCsv(database.db, tenantId, await loadDataset(database.db, tenantId), 'id,userId,period,target,version,effectiveFrom\nq-una,una,2026-Q3,80000,3,2026-07-01\n', 'test'), true],
      ['quota synced (CRM sync page)', () => writeSyncPage(sink, target, { phase: 'incremental', cursor: 1 }, { quotas: data([quota(4, '70000')]).quotas }, 'sync'), true],
      ['same quota synced again', () => writeSyncPage(sink, target, { phase: 'incremental', cursor: 2 }, { quotas: data([quota(4, '70000')]).quotas }, 'sync'), false],
      ['period calculated', () => setPeriodStatus(database.db, tenantId, '2026-Q2', 'calculated', 'test'), false],
      ['period approved', () => setPeriodStatus(database.db, tenantId, '2026-Q2', 'approved', 'test'), false],
      ['period locked', () => setPeriodStatus(database.db, tenantId, '2026-Q2', 'locked', 'test'), true],
    ];
    const results: [string, boolean][] = [];
    for (const [name, write] of writes) results.push([name, await moves(write)]);
    expect(results).toEqual(writes.map(([name, , expected]) => [name, expected]));
    // The state the cache holds now is the one the writes left.
    const state = (await states.get(tenantId))!;
    expect(state.plans.map((p) => p.id)).toEqual(['ae']);
    expect(state.data.quotas.map((q) => q.version)).toEqual([1, 2, 3, 4]);
    expect(state.locked.map((l) => l.period)).toEqual(['2026-Q2']);
  });
});
