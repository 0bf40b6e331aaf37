import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig, CRM_PATHS } from '../../app/config.js';
import { installThroughBrowser } from '../../app/demo/oauth-install.js';
import { startDemoCrms, syncedDealId, syncedUserId, type DemoCrms } from '../../app/demo/sandboxes.js';
import { jobsSettled } from '../../app/jobs-settled.js';
import { startRuntime, type Runtime } from '../../app/runtime.js';
import { signV3 } from '../../connectors/hubspot/signature-v3.js';
import { issueSalesforceCredential } from '../../extension/backend/src/auth/salesforce-credentials.js';
import { SESSION_COOKIE } from '../../extension/backend/src/auth/session.js';
import { CARD_ROUTES, type DealCardView, type ManagerCardView } from '../../extension/backend/src/cards/view-models.js';
import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { createLogger } from '../../worker/src/observability/logger.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';
import { cleanupPrefix, ensureRedisRunning, REDIS_URL, uniquePrefix } from '../support/redis.js';

/**
 * The whole product path through both local CRMs, on real PostgreSQL and real Redis
 * (BullMQ), wired by the same composition root `spm start` uses:
 * install (OAuth over HTTP) → sync → compute → a rep's deal card → an edit in the CRM
 * arrives (HubSpot signed webhook / Salesforce Change Data Capture) → the card moves →
 * a manager creates a coaching task from the card → the task is in the CRM once → the
 * admin locks the period → a later edit is an adjustment in the next period.
 *
 * The business date is fixed at 2026-11-20. One small company, seeded into both CRMs:
 *   Mia manages Ana and Bo. Pipeline Sales: Discovery, Proposal (0.6), Won, Lost.
 *   d1  Ana  won       10,000 USD  closed 2026-10-15
 *   d2  Bo   won       20,000 USD  closed 2026-10-20
 *   d3  Ana  Proposal   8,000 USD  expected 2026-11-25, created 2026-09-01, no activity since
 * Plan "ae-flat" (monthly, USD) pays Ana and Bo 10 % of the revenue they are credited with.
 */
const NOW = new Date('2026-11-20T12:00:00.000Z');

const COMPANY: RawDataset = {
  tenant: { id: 'demo-e2e', name: 'Flow Co', currency: 'USD' },
  users: [
    { id: 'mia', name: 'Mia Manager', email: 'mia@flow.test' },
    { id: 'ana', name: 'Ana Rep', email: 'ana@flow.test' },
    { id: 'bo', name: 'Bo Rep', email: 'bo@flow.test' },
  ],
  managers: [
    { userId: 'mia', managerId: null, from: '2026-01-01' },
    { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
    { userId: 'bo', managerId: 'mia', from: '2026-01-01' },
  ],
  teams: [{ id: 'east', name: 'East', managerId: 'mia', members: ['ana', 'bo'] }],
  pipelines: [
    {
      id: 'sales',
      name: 'Sales',
      stages: [
        { id: 'discovery', name: 'Discovery', probability: '0.2' },
        { id: 'proposal', name: 'Proposal', probability: '0.6' },
        { id: 'won', name: 'Closed Won', outcome: 'won' },
        { id: 'lost', name: 'Closed Lost', outcome: 'lost' },
      ],
    },
  ],
  deals: [
    { id: 'd1', name: 'Globex', pipelineId: 'sales', stageId: 'won', amount: '10000', currency: 'USD', closeDate: '2026-10-15', createdDate: '2026-08-01', ownerId: 'ana' },
    { id: 'd2', name: 'Initech', pipelineId: 'sales', stageId: 'won', amount: '20000', currency: 'USD', closeDate: '2026-10-20', createdDate: '2026-08-05', ownerId: 'bo' },
    { id: 'd3', name: 'Umbrella', pipelineId: 'sales', stageId: 'proposal', amount: '8000', currency: 'USD', closeDate: '2026-11-25', createdDate: '2026-09-01', ownerId: 'ana' },
  ],
};

const flatPlan = (payees: string[]) => ({
  id: 'ae-flat',
  version: 1,
  name: 'AE flat 10 %',
  effective: { from: '2026-01-01' },
  period: 'month',
  currency: 'USD',
  payees: payees.map((user) => ({ user })),
  components: [{ id: 'bookings', name: 'Bookings', type: 'commission', rate: '0.10' }],
});

const SESSION_SECRET = randomBytes(48).toString('base64url');

describe('the main flow through both CRMs on PostgreSQL and Redis', () => {
  let t: TestDatabase;
  let crms: DemoCrms;
  let runtime: Runtime;
  let server: Server;
  let api: string;
  let prefix: string;
  const tenants = { hubspot: '', salesforce: '' };
  const adminCookies = { hubspot: '', salesforce: '' };
  let sfCredential = '';

  const settle = () => jobsSettled(runtime.runner, { timeoutMs: 40_000, settleMs: 150, schedulers: () => runtime.tenants!.schedulerCount() });
  const hs = (canonical: string) => syncedUserId(crms, 'hubspot', canonical)!;
  const sf = (canonical: string) => syncedUserId(crms, 'salesforce', canonical)!;

  /** A hubspot.fetch request as HubSpot sends it: identity appended to the URL, signed (v3) with the app's client secret. */
  async function hubspotCard<T>(path: string, email: string): Promise<T> {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${api}${path}${sep}portalId=${crms.hubspot.portalId}&userId=1&userEmail=${encodeURIComponent(email)}&appId=${crms.hubspot.appId}`;
    const timestamp = String(NOW.getTime());
    const res = await fetch(url, { headers: { 'x-hubspot-signature-v3': signV3(crms.credentials.hubspot.clientSecret, 'GET', url, '', timestamp), 'x-hubspot-request-timestamp': timestamp } });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}: ${JSON.stringify(body)}`);
    return body as T;
  }

  /** A call from the Salesforce package's Apex: the org's credential and the running user's id. */
  async function salesforceCard<T>(method: string, path: string, userId: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': userId, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** The admin console's API as the installer: signed in by the install callback's own session cookie. */
  async function admin(crm: keyof typeof adminCookies, path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${api}/api/admin${path}`, { method: 'POST', headers: { cookie: adminCookies[crm] } });
    return { status: res.status, body: await res.json() };
  }

  const ledger = (tenantId: string, payeeId: string) =>
    t.db.selectFrom('payout_ledger').select(['period_id', 'kind', 'amount', 'line_key']).where('tenant_id', '=', tenantId).where('payee_id', '=', payeeId).orderBy('entry_id').execute();
  const total = (rows: ReadonlyArray<{ amount: unknown }>) => rows.reduce((s, r) => s.plus(new Decimal(String(r.amount))), new Decimal(0)).toFixed(2);

  beforeAll(async () => {
    await ensureRedisRunning();
    prefix = uniquePrefix('e2e');
    t = await createServerDatabase();
    crms = await startDemoCrms(COMPANY, { cometdHoldMs: 2_000 });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadAppConfig(
      {
        ...crms.env,
        DATABASE_URL: t.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SESSION_SECRET,
        SESSION_COOKIE_SECURE: 'false',
        PUBLIC_URL: api,
        METRICS_PORT: '0',
        LOG_LEVEL: 'silent',
        CARD_CACHE_CHECK_MS: '0',
        SALESFORCE_LOOKBACK_SECONDS: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
      },
      'all',
    );
    runtime = await startRuntime({
      config,
      role: 'all',
      db: t.db,
      server,
      clock: () => NOW,
      logger: createLogger({ level: 'silent' }),
      policies: { 'crm-sync': { attempts: 4, backoff: { delayMs: 100, jitter: 0 } }, 'crm-write-back': { attempts: 3, backoff: { delayMs: 100, jitter: 0 } } },
      bullmq: { lockDurationMs: 10_000, stalledIntervalMs: 10_000 },
      watchEveryMs: 1_000,
      cdcBatchMs: 100,
    });
    crms.hubspot.webhooks.configure({ targetUrl: `${api}${CRM_PATHS.hubspotWebhooks}` });
  }, 60_000);

  afterAll(async () => {
    await runtime?.shutdown('test over').catch(() => undefined);
    server?.closeAllConnections();
    await crms?.close();
    await t?.drop();
    if (prefix) await cleanupPrefix(prefix);
  }, 60_000);

  it('installs through both OAuth flows, syncs, computes, and shows a rep the right commission on a deal card', async () => {
    const hubspotInstall = await installThroughBrowser(`${api}${CRM_PATHS.hubspotInstall}`, api);
    const salesforceInstall = await installThroughBrowser(`${api}${CRM_PATHS.salesforceConnect}`, api);
    tenants.hubspot = hubspotInstall.tenantId!;
    tenants.salesforce = salesforceInstall.tenantId!;
    // Each installer comes back signed in to the admin console (the period workflow below runs on that session).
    adminCookies.hubspot = hubspotInstall.sessionCookie ?? '';
    adminCookies.salesforce = salesforceInstall.sessionCookie ?? '';
    expect([adminCookies.hubspot, adminCookies.salesforce]).toEqual([expect.stringContaining(`${SESSION_COOKIE}=`), expect.stringContaining(`${SESSION_COOKIE}=`)]);
    expect(tenants).toEqual({ hubspot: `hs-${crms.hubspot.portalId}`, salesforce: `sf-${crms.salesforce.orgId}` });
    await settle();
    await runtime.tenants!.refresh();

    // Every deal of the company arrived in both tenants, under the CRM's ids.
    for (const [source, tenantId] of Object.entries(tenants) as Array<['hubspot' | 'salesforce', string]>) {
      const deals = await t.db.selectFrom('deals').select(['id', 'amount']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).orderBy('id').execute();
      expect(deals.map((d) => [d.id, new Decimal(String(d.amount)).toFixed(0)]).sort()).toEqual(
        [['d1', '10000'], ['d2', '20000'], ['d3', '8000']].map(([id, amount]) => [syncedDealId(crms, source, id!)!, amount]).sort(),
      );
    }

    await savePlanVersion(t.db, tenants.hubspot, flatPlan([hs('ana'), hs('bo')]), 'e2e');
    await savePlanVersion(t.db, tenants.salesforce, flatPlan([sf('ana'), sf('bo')]), 'e2e');
    for (const tenantId of Object.values(tenants)) await runtime.runner.enqueue('compute', 'reconcile-tenant', { tenantId, cause: 'e2e:plans' });
    await settle();

    // Ana won d1 for 10,000 USD in October: 10 % of 10,000 = 1,000.00 USD, paid in 2026-10.
    const card = await hubspotCard<DealCardView>(CARD_ROUTES.deal(syncedDealId(crms, 'hubspot', 'd1')!), 'ana@flow.test');
    expect([card.payee.name, card.outcome, card.period, card.commission?.amount, card.commission?.currency]).toEqual(['Ana Rep', 'paid', '2026-10', '1000.00', 'USD']);
    // Bo in Salesforce: 10 % of 20,000 = 2,000.00 USD.
    sfCredential = (await issueSalesforceCredential(t.db, tenants.salesforce, 'e2e')).credential;
    const boCard = await salesforceCard<DealCardView>('GET', CARD_ROUTES.deal(syncedDealId(crms, 'salesforce', 'd2')!), sf('bo'));
    expect([boCard.status, boCard.body.outcome, boCard.body.commission?.amount]).toEqual([200, 'paid', '2000.00']);
  }, 60_000);

  it('moves the card when a deal is edited in HubSpot (signed webhook) and in Salesforce (Change Data Capture)', async () => {
    // HubSpot: d1 becomes 12,000 → 10 % = 1,200.00. No sync runs: the webhook carries it.
    crms.hubspot.mutations.updateDeal(syncedDealId(crms, 'hubspot', 'd1')!, { amount: '12000' });
    await crms.hubspot.webhooks.idle();
    await settle();
    const card = await hubspotCard<DealCardView>(CARD_ROUTES.deal(syncedDealId(crms, 'hubspot', 'd1')!), 'ana@flow.test');
    expect(card.commission?.amount).toBe('1200.00');
    const receipts = await t.db.selectFrom('event_receipts').select('event_id').where('tenant_id', '=', tenants.hubspot).execute();
    expect(receipts.length).toBeGreaterThan(0);

    // Salesforce: d2 becomes 25,000 → 10 % = 2,500.00, delivered over CometD.
    crms.salesforce.mutations.updateOpportunity(syncedDealId(crms, 'salesforce', 'd2')!, { Amount: 25000 });
    await expect.poll(async () => (await t.db.selectFrom('event_receipts').select('event_id').where('tenant_id', '=', tenants.salesforce).execute()).length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    await settle();
    const boCard = await salesforceCard<DealCardView>('GET', CARD_ROUTES.deal(syncedDealId(crms, 'salesforce', 'd2')!), sf('bo'));
    expect(boCard.body.commission?.amount).toBe('2500.00');
  }, 60_000);

  it('lets the manager create a coaching task from the card, written into the CRM exactly once', async () => {
    // d3 (Ana, 8,000, expected 2026-11-25) has had no activity since 2026-09-01: 80 days quiet ≥ 14.
    const manager = await salesforceCard<ManagerCardView>('GET', CARD_ROUTES.manager(), sf('mia'));
    expect(manager.status).toBe(200);
    const d3 = syncedDealId(crms, 'salesforce', 'd3')!;
    const prompt = manager.body.prompts.find((p) => p.dealId === d3);
    expect(prompt, JSON.stringify(manager.body.prompts.map((p) => [p.id, p.dealId]))).toBeDefined();
    const tasksOnD3 = () => crms.salesforce.org.table('Task').rows.filter((r) => r['WhatId'] === d3).length;
    expect(tasksOnD3()).toBe(0);

    const key = randomUUID();
    const first = await salesforceCard<{ task: { id: string; created: boolean } }>('POST', CARD_ROUTES.createCoachingTask(prompt!.id), sf('mia'), { idempotencyKey: key });
    expect(first.status, JSON.stringify(first.body)).toBeLessThan(300);
    // The manager clicks again (a retry with the same key): the same task, nothing new.
    const again = await salesforceCard<{ task: { id: string; created: boolean } }>('POST', CARD_ROUTES.createCoachingTask(prompt!.id), sf('mia'), { idempotencyKey: key });
    expect(again.body.task.id).toBe(first.body.task.id);
    await settle();
    expect(tasksOnD3()).toBe(1);
    const row = await t.db.selectFrom('coaching_tasks').select(['status', 'crm_task_id']).where('tenant_id', '=', tenants.salesforce).where('id', '=', first.body.task.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('created');
    expect(row.crm_task_id).toBe(crms.salesforce.org.table('Task').rows.find((r) => r['WhatId'] === d3)!['Id']);
  }, 60_000);

  it('after the admin locks October, a later edit is an adjustment in November and October is not rewritten', async () => {
    expect((await admin('hubspot', '/periods/2026-10/calculate')).status).toBe(200);
    const approved = await admin('hubspot', '/periods/2026-10/approve');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const locked = await admin('hubspot', '/periods/2026-10/lock');
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    const before = await ledger(tenants.hubspot, hs('ana'));
    const october = before.filter((e) => e.period_id === '2026-10');
    expect(total(october)).toBe('1200.00');

    // d1 goes from 12,000 to 15,000 after the lock: 10 % of the 3,000 more = 300.00, paid in November.
    crms.hubspot.mutations.updateDeal(syncedDealId(crms, 'hubspot', 'd1')!, { amount: '15000' });
    await crms.hubspot.webhooks.idle();
    await settle();
    const after = await ledger(tenants.hubspot, hs('ana'));
    expect(total(after.filter((e) => e.period_id === '2026-10'))).toBe('1200.00');
    expect(after.filter((e) => e.period_id === '2026-10').length).toBe(october.length);
    const adjustments = after.filter((e) => e.period_id === '2026-11' && e.kind === 'adjustment');
    expect(total(adjustments)).toBe('300.00');
  }, 60_000);
});
