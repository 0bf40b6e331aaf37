import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmSyncHandlers, crmTaskWriters } from '../../../connectors/core/crm-connector.js';
import { recordInstall } from '../../../connectors/core/tenant-connections.js';
import { writeSyncPage } from '../../../connectors/core/sync-sink.js';
import { createHubspotConnector, createHubspotRoutes, type HubspotConfig } from '../../../connectors/hubspot/index.js';
import { signatureV3, startHubspotSandbox, type HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { generateTenant } from '../../../shared/src/synthetic/index.js';
import { Decimal } from '../../../shared/src/money/decimal.js';
import { createHandlerRegistry } from '../../../worker/src/jobs/registry.js';
import { createWorkerMetrics } from '../../../worker/src/observability/metrics.js';
import { InProcessJobRunner } from '../../../worker/src/runtime/in-process-runner.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { cipher, silent, testConfig } from './support.js';

/**
 * The connector against the local HubSpot sandbox (real wire format, enforced rate
 * limits, OAuth, signed webhooks) on real PostgreSQL with the in-process job runner.
 */
const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 'e2e-secret';

interface Harness {
  readonly sandbox: HubspotSandbox;
  readonly runner: InProcessJobRunner;
  readonly connector: ReturnType<typeof createHubspotConnector>;
  readonly config: HubspotConfig;
  readonly app: express.Express;
  readonly server: Server;
  readonly publicUrl: string;
  close(): Promise<void>;
}

async function harness(t: TestDatabase, sandbox: HubspotSandbox, overrides: Partial<HubspotConfig> = {}): Promise<Harness> {
  const config = testConfig(sandbox.url, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    appId: String(sandbox.appId),
    authorizeUrl: `${sandbox.url}/oauth/authorize`,
    rateLimitBackoffMs: 50,
    ...overrides,
  });
  const connector = createHubspotConnector(config, { db: t.db, cipher, logger: silent() });
  const runner = new InProcessJobRunner({
    deps: { db: t.db, clock: { now: () => new Date() }, metrics: createWorkerMetrics({ defaultMetrics: false }) },
    logger: silent(),
    policies: { 'crm-sync': { attempts: 5, backoff: { delayMs: 50, jitter: 0 } }, 'crm-write-back': { attempts: 3, backoff: { delayMs: 50, jitter: 0 } } },
  });
  const registry = createHandlerRegistry({ crmSync: crmSyncHandlers([connector]), crmTaskWriters: crmTaskWriters([connector]) });
  // Compute jobs are not under test here: without their handlers they wait in the queue.
  await runner.start({ 'crm-sync': registry['crm-sync']!, 'crm-write-back': registry['crm-write-back']! });
  const app = express();
  app.use('/hubspot', createHubspotRoutes({ db: t.db, cipher, config, enqueue: runner.enqueue, logger: silent() }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sandbox, runner, connector, config, app, server, publicUrl,
    close: async () => {
      await runner.close({ timeoutMs: 5_000 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function liveDeals(t: TestDatabase, tenantId: string) {
  return t.db.selectFrom('deals').select(['id', 'amount', 'currency', 'close_date', 'owner_id', 'stage_id', 'deleted_at']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).execute();
}

describe('HubSpot connector against the sandbox', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createServerDatabase();
  });
  afterAll(async () => t?.drop());

  it('installs, syncs everything, follows edits and deletions incrementally, and applies a webhook-driven change', async () => {
    const dataset = generateTenant({ seed: 11, reps: 6, deals: 240, year: 2026, activitiesPerDeal: 1 });
    const sandbox = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const h = await harness(t, sandbox);
    try {
      // Install through the real redirect chain: our /install → sandbox consent → our callback.
      const start = await request(h.app).get('/hubspot/install').expect(302);
      const consent = await fetch(start.headers['location']!, { redirect: 'manual' });
      expect(consent.status).toBe(302);
      const back = new URL(consent.headers.get('location')!);
      await request(h.app).get(`/hubspot/oauth/callback${back.search}`).expect(200);
      const tenantId = `hs-${sandbox.portalId}`;
      await h.runner.whenIdle();

      // Every canonical deal arrived with its exact amount, currency, close date and owner.
      const stored = new Map((await liveDeals(t, tenantId)).map((d) => [d.id, d]));
      expect(stored.size).toBe(dataset.deals.length);
      for (const d of dataset.deals) {
        const row = stored.get(sandbox.idMap.toExternal('deal', d.id)!);
        expect(row && [new Decimal(String(row.amount)).eq(new Decimal(String(d.amount))), row.currency, row.close_date, row.owner_id]).toEqual([true, d.currency, d.closeDate, sandbox.idMap.toExternal('user', d.ownerId)]);
      }
      const users = await t.db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).execute();
      expect(users.length).toBe(dataset.users.length);
      // Reporting lines survive HubSpot's team model: each rep reports to the manager of their team.
      const links = await t.db.selectFrom('manager_links').select(['user_id', 'manager_id']).where('tenant_id', '=', tenantId).where('valid_to', 'is', null).execute();
      const managerOf = new Map(links.map((l) => [l.user_id, l.manager_id]));
      for (const team of dataset.teams) {
        if (!team.managerId) continue;
        for (const m of team.members) {
          const member = typeof m === 'string' ? m : m.userId;
          if (member === team.managerId) continue;
          expect([member, managerOf.get(sandbox.idMap.toExternal('user', member)!)]).toEqual([member, sandbox.idMap.toExternal('user', team.managerId)]);
        }
      }
      const activities = await t.db.selectFrom('activities').select('id').where('tenant_id', '=', tenantId).execute();
      expect(activities.length).toBe(dataset.activities.length);
      // Goal targets became quotas: same target, same period, for the right owner or team.
      const quotas = await t.db.selectFrom('quotas').select(['id', 'target', 'period_id', 'user_id', 'team_id', 'measure']).where('tenant_id', '=', tenantId).execute();
      expect(quotas.length).toBeGreaterThan(0);
      expect(quotas.length).toBe(sandbox.portal.goalTargets.size);
      for (const [canonical, external] of sandbox.idMap.entries('quota')) {
        const q = dataset.quotas.find((x) => x.id === canonical)!;
        const row = quotas.find((r) => r.id === `goal-${external}`);
        const owner = q.userId !== undefined ? { user: sandbox.idMap.toExternal('user', q.userId) } : { team: sandbox.idMap.toExternal('team', q.teamId!) };
        expect(row && [new Decimal(String(row.target)).eq(new Decimal(String(q.target))), row.period_id, row.user_id ? { user: row.user_id } : { team: row.team_id }, row.measure]).toEqual([true, q.period, owner, q.measure ?? 'revenue']);
      }

      // Edits and a deletion in "the HubSpot UI", then the scheduled incremental sync.
      const [first, second] = dataset.deals.map((d) => sandbox.idMap.toExternal('deal', d.id)!);
      sandbox.mutations.updateDeal(first!, { amount: '12345.67' });
      sandbox.mutations.archiveDeal(second!);
      await h.runner.enqueue('crm-sync', 'sync-object', { tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'schedule-2' });
      await h.runner.whenIdle();
      const after = new Map((await liveDeals(t, tenantId)).map((d) => [d.id, d]));
      expect(String(after.get(first!)?.amount)).toBe('12345.67');
      expect(after.has(second!)).toBe(false);
      expect(after.size).toBe(dataset.deals.length - 1);

      // A webhook delivery (signed by the sandbox) drives the next change without any sync run.
      sandbox.webhooks.configure({ targetUrl: `${h.publicUrl}/hubspot/webhooks` });
      const third = sandbox.idMap.toExternal('deal', dataset.deals[2]!.id)!;
      sandbox.mutations.updateDeal(third, { amount: '777.5' });
      await sandbox.webhooks.idle();
      await h.runner.whenIdle();
      const afterHook = await t.db.selectFrom('deals').select('amount').where('tenant_id', '=', tenantId).where('id', '=', third).executeTakeFirstOrThrow();
      expect(String(afterHook.amount)).toBe('777.5');
    } finally {
      await h.close();
      await sandbox.close();
    }
  });

  it('rejects forged, replayed and altered webhook deliveries with 401 and queues no job', async () => {
    const sandbox = await startHubspotSandbox({ portal: { kind: 'synthetic', options: { seed: 3, reps: 2, deals: 5, year: 2026 } }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const h = await harness(t, sandbox);
    try {
      const tokens = sandbox.oauth.issueTokens();
      const tenantId = await recordInstall(t.db, cipher, { source: 'hubspot', externalId: String(sandbox.portalId), name: 'x', homeCurrency: 'USD', tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + 1_800_000) } });
      const url = `${h.publicUrl}/hubspot/webhooks`;
      const body = JSON.stringify([{ eventId: 9001, subscriptionId: 1, portalId: sandbox.portalId, appId: sandbox.appId, occurredAt: Date.now(), subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 1, propertyName: 'amount', propertyValue: '1' }]);
      const post = (b: string, sig: string, ts: number) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(ts) }, body: b });
      const now = Date.now();
      // The sandbox's own signer (an independent implementation) agrees with our verifier.
      const good = signatureV3({ clientSecret: CLIENT_SECRET, method: 'POST', uri: url, body, timestamp: now });
      expect((await post(body, signatureV3({ clientSecret: 'forged', method: 'POST', uri: url, body, timestamp: now }), now)).status).toBe(401);
      const old = now - 301_000;
      expect((await post(body, signatureV3({ clientSecret: CLIENT_SECRET, method: 'POST', uri: url, body, timestamp: old }), old)).status).toBe(401);
      expect((await post(body.replace('"propertyValue":"1"', '"propertyValue":"100"'), good, now)).status).toBe(401);
      const jobsSeen = () => h.runner.counts().then((c) => Object.values(c['crm-sync'] ?? {}).reduce((a, b) => a + b, 0));
      expect(await jobsSeen()).toBe(0);
      expect(await t.db.selectFrom('event_receipts').select('event_id').where('tenant_id', '=', tenantId).execute()).toEqual([]);
      expect((await post(body, good, now)).status).toBe(200);
      expect((await t.db.selectFrom('event_receipts').select('event_id').where('tenant_id', '=', tenantId).execute()).map((r) => r.event_id)).toEqual(['9001']);
      expect(await jobsSeen()).toBe(1);
    } finally {
      await h.close();
      await sandbox.close();
    }
  });

  it('gets past the 10,000-result search cap: an incremental window holding 10,400 changed deals syncs completely', async () => {
    const dataset = generateTenant({ seed: 5, reps: 8, deals: 10_400, year: 2026 });
    // Search at 25/s on both sides keeps this test short; the cap, not the rate, is under test.
    const sandbox = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimits: { search: { max: 25, intervalMs: 1_000 } } });
    const h = await harness(t, sandbox, { rateLimits: { generalPerWindow: 110, generalWindowMs: 10_000, searchPerSecond: 25 } });
    try {
      const tokens = sandbox.oauth.issueTokens();
      const tenantId = await recordInstall(t.db, cipher, { source: 'hubspot', externalId: String(sandbox.portalId), name: 'big', homeCurrency: 'USD', tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + 1_800_000) } });
      // A stored incremental cursor from before every deal's last change: the whole portal is one search window.
      await writeSyncPage({ db: t.db, enqueue: h.runner.enqueue }, { tenantId, source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: { phase: 'incremental', since: 0, tieAfterId: null, archivedSince: 0, archivedAfter: null, sweepStartedAt: null } }, {}, 'seed');
      // Deals sync only once the streams before them were attempted (crmSyncHandlers); those are not under test here.
      for (const object of ['owners', 'pipelines']) await writeSyncPage({ db: t.db, enqueue: h.runner.enqueue }, { tenantId, source: 'hubspot', object }, { phase: 'incremental', cursor: null }, {}, 'seed');
      await h.runner.enqueue('crm-sync', 'sync-object', { tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'big-window' });
      await h.runner.whenIdle();
      const count = await t.db.selectFrom('deals').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(10_400);
      expect(h.connector.stats.rateLimitFailures).toBe(0);
      // No query ever paged into the 10,000-result wall (HubSpot answers 400 there).
      expect(Object.keys(sandbox.stats.toJSON()['byStatus'] as Record<string, number>).filter((s) => s.startsWith('4'))).toEqual([]);
    } finally {
      await h.close();
      await sandbox.close();
    }
  }, 60_000);

  it('loses nothing to a 429 storm, a 503 and access tokens expiring mid-sync', async () => {
    const dataset = generateTenant({ seed: 21, reps: 4, deals: 900, year: 2026 });
    const sandbox = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenTtlSeconds: 1 });
    // No refresh margin: the connector meets expired tokens as 401s mid-sync.
    const h = await harness(t, sandbox, { refreshMarginMs: 0 });
    try {
      const tokens = sandbox.oauth.issueTokens();
      const tenantId = await recordInstall(t.db, cipher, { source: 'hubspot', externalId: String(sandbox.portalId), name: 'stormy', homeCurrency: 'USD', tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + 1_800_000) } });
      sandbox.injectFaults({ status: 429, count: 6, path: '/crm/v3/objects/deals', policyName: 'TEN_SECONDLY_ROLLING' });
      sandbox.injectFaults({ status: 503, count: 1, path: '/crm/v3/objects/deals' });
      // Deals sync only once the streams before them were attempted (crmSyncHandlers); those are not under test here.
      for (const object of ['owners', 'pipelines']) await writeSyncPage({ db: t.db, enqueue: h.runner.enqueue }, { tenantId, source: 'hubspot', object }, { phase: 'incremental', cursor: null }, {}, 'seed');
      await h.runner.enqueue('crm-sync', 'sync-object', { tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'stormy' });
      await h.runner.whenIdle();
      const stored = await liveDeals(t, tenantId);
      expect(stored.length).toBe(900);
      expect(h.connector.stats.rateLimited).toBeGreaterThanOrEqual(6);
      expect(h.connector.stats.rateLimitFailures).toBe(0);
      expect(h.connector.stats.tokenRefreshesOn401).toBeGreaterThanOrEqual(1);
    } finally {
      await h.close();
      await sandbox.close();
    }
  }, 60_000);

  it('creates a coaching task once, on the deal and for the rep, however often the job and the writer run', async () => {
    const dataset = generateTenant({ seed: 8, reps: 2, deals: 4, year: 2026 });
    const sandbox = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const h = await harness(t, sandbox);
    try {
      const tokens = sandbox.oauth.issueTokens();
      const tenantId = await recordInstall(t.db, cipher, { source: 'hubspot', externalId: String(sandbox.portalId), name: 'coach', homeCurrency: 'USD', tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + 1_800_000) } });
      const rep = sandbox.idMap.toExternal('user', dataset.deals[0]!.ownerId)!;
      const deal = sandbox.idMap.toExternal('deal', dataset.deals[0]!.id)!;
      const task = { tenantId, taskId: 'coach-1', repId: rep, dealId: deal, title: 'Call the champion', body: 'Stalled for 3 weeks.', dueDate: '2026-08-20' };
      // Two processes racing on the same task (the second after the first's answer was lost).
      const id1 = await h.connector.taskWriter.createTask(task);
      const other = createHubspotConnector(h.config, { db: t.db, cipher, logger: silent() });
      expect(await other.taskWriter.createTask(task)).toBe(id1);
      // And through the job: its first attempt meets a 503, the retry writes the task, a rerun finds it written.
      await t.db.insertInto('coaching_tasks').values({ tenant_id: tenantId, id: 'coach-2', prompt_id: null, manager_id: rep, rep_id: rep, deal_id: deal, title: 'Ask for the order', body: 'Proposal sent 10 days ago.', due_date: '2026-08-21', crm_task_id: null, last_error: null }).execute();
      const before = sandbox.portal.store('tasks')!.size;
      sandbox.injectFaults({ status: 503, count: 1, path: '/crm/v3/objects/tasks' });
      await h.runner.enqueue('crm-write-back', 'create-coaching-task', { tenantId, taskId: 'coach-2' });
      await h.runner.whenIdle();
      const row = await t.db.selectFrom('coaching_tasks').select(['crm_task_id']).where('tenant_id', '=', tenantId).where('id', '=', 'coach-2').executeTakeFirstOrThrow();
      expect(row.crm_task_id).toBeTruthy();
      const registry = createHandlerRegistry({ crmTaskWriters: crmTaskWriters([other]) });
      const rerun = await registry['crm-write-back']!['create-coaching-task']!({ tenantId, taskId: 'coach-2' }, { db: t.db, enqueue: h.runner.enqueue, logger: silent(), clock: { now: () => new Date() }, metrics: createWorkerMetrics({ defaultMetrics: false }) }, { family: 'crm-write-back', name: 'create-coaching-task', jobId: 'x', attempt: 1, maxAttempts: 1, signal: new AbortController().signal });
      expect(rerun).toEqual({ crmTaskId: row.crm_task_id, alreadyWritten: true });
      expect(sandbox.portal.store('tasks')!.size).toBe(before + 1);
      // The task HubSpot holds: the rep's owner id, associated with the deal.
      const res = await fetch(`${sandbox.url}/crm/v3/objects/tasks/${row.crm_task_id}?properties=hubspot_owner_id,hs_task_subject&associations=deals`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const created = (await res.json()) as { properties: Record<string, string>; associations?: { deals?: { results: Array<{ id: string }> } } };
      expect([created.properties['hubspot_owner_id'], created.properties['hs_task_subject'], created.associations?.deals?.results.map((r) => r.id)]).toEqual([rep, 'Ask for the order', [deal]]);
    } finally {
      await h.close();
      await sandbox.close();
    }
  });
});
