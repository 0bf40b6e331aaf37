import express from 'express';
import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readConnection } from '../../../connectors/core/tenant-connections.js';
import type { Installed } from '../../../connectors/core/installed.js';
import { createHubspotConnector, createHubspotRoutes, hubspotConfigFromEnv } from '../../../connectors/hubspot/index.js';
import { signV3 } from '../../../connectors/hubspot/signature-v3.js';
import { idempotencyKey } from '../../../connectors/hubspot/task-writer.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { cipher, installPortal, jobContext, jobDeps, recordingEnqueue, silent, testConfig } from './support.js';

const API = 'https://api.hubapi.com';
const PUBLIC = 'https://spm.example';

describe('HubSpot install, webhooks and task write-back (nock)', () => {
  let t: TestDatabase;
  const config = testConfig(API);
  const queue = recordingEnqueue();
  const installed: Installed[] = [];
  const app = () => {
    const a = express();
    a.set('trust proxy', false);
    a.use('/hubspot', createHubspotRoutes({ db: t.db, cipher, config, enqueue: queue.enqueue, logger: silent() }, async (_res, who) => void installed.push(who)));
    return a;
  };

  beforeAll(async () => {
    t = await createServerDatabase();
  });
  afterAll(async () => t?.drop());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    queue.jobs.length = 0;
    expect(pending).toEqual([]);
  });

  it('names every missing or malformed setting in one configuration error', () => {
    expect(() => hubspotConfigFromEnv({ HUBSPOT_CLIENT_ID: 'x', HUBSPOT_APP_ID: 'abc', HUBSPOT_REDIRECT_URI: 'not a url' })).toThrow(
      /HUBSPOT_CLIENT_SECRET is not set.*HUBSPOT_APP_ID must be the numeric app id.*HUBSPOT_REDIRECT_URI must be an absolute http\(s\) URL/,
    );
    const c = hubspotConfigFromEnv({ HUBSPOT_CLIENT_ID: 'x', HUBSPOT_CLIENT_SECRET: 'y', HUBSPOT_APP_ID: '1', HUBSPOT_REDIRECT_URI: 'https://a.example/cb' });
    expect([c.apiBase, c.authorizeUrl]).toEqual(['https://api.hubapi.com', 'https://app.hubspot.com/oauth/authorize']);
  });

  it('installs: consent URL with scopes and state, code exchange, hub_id lookup, tokens stored encrypted, first sync queued; the state works once', async () => {
    const start = await request(app()).get('/hubspot/install?returnTo=/console').expect(302);
    const consent = new URL(start.headers['location']!);
    expect(consent.origin + consent.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(consent.searchParams.get('client_id')).toBe('client-id-1');
    expect(consent.searchParams.get('redirect_uri')).toBe('https://spm.example/hubspot/oauth/callback');
    expect(consent.searchParams.get('scope')).toBe('oauth crm.objects.deals.read crm.objects.owners.read crm.objects.contacts.read crm.objects.contacts.write');
    expect(consent.searchParams.get('optional_scope')).toBe('crm.objects.goals.read settings.currencies.read crm.dealsplits.read_write');
    const state = consent.searchParams.get('state')!;

    const forms: unknown[] = [];
    nock(API).post('/oauth/v1/token', (b) => (forms.push(b), true)).reply(200, { access_token: 'at-new', refresh_token: 'rt-new', expires_in: 1800, token_type: 'bearer' });
    nock(API).get('/oauth/v1/access-tokens/at-new').reply(200, { token: 'at-new', user: 'admin@x.example', hub_domain: 'acme.example', scopes: ['oauth', 'crm.objects.deals.read'], hub_id: 62515, app_id: 777, expires_in: 1799, user_id: 9, token_type: 'access' });
    nock(API).get('/settings/v3/currencies/company-currency').matchHeader('authorization', 'Bearer at-new').reply(200, { currencyCode: 'EUR' });
    await request(app()).get(`/hubspot/oauth/callback?code=code-1&state=${state}`).expect(302).expect('location', '/console');
    // The installing user (the token's user) is handed to the app, which signs them in as the portal's first admin.
    expect(installed).toEqual([{ tenantId: 'hs-62515', userId: 'admin@x.example' }]);
    expect(forms).toEqual([{ grant_type: 'authorization_code', code: 'code-1', redirect_uri: 'https://spm.example/hubspot/oauth/callback', client_id: 'client-id-1', client_secret: 'client-secret-1' }]);
    const tenant = await t.db.selectFrom('tenants').selectAll().where('id', '=', 'hs-62515').executeTakeFirstOrThrow();
    expect([tenant.home_currency, tenant.status]).toEqual(['EUR', 'active']);
    const stored = await t.db.selectFrom('crm_connections').select(['access_token_enc', 'refresh_token_enc']).where('tenant_id', '=', 'hs-62515').executeTakeFirstOrThrow();
    expect(stored.access_token_enc).not.toContain('at-new');
    expect((await readConnection(t.db, cipher, 'hs-62515'))?.refreshToken).toBe('rt-new');
    expect(queue.jobs.map((j) => [j.name, j.payload['object']])).toEqual([['sync-object', 'owners']]);

    const replay = await request(app()).get(`/hubspot/oauth/callback?code=code-1&state=${state}`).expect(400);
    expect(replay.text).toMatch(/unknown or already used state/);

    // A return address on another site is dropped (no open redirect after the install).
    const evil = new URL((await request(app()).get('/hubspot/install?returnTo=//evil.example/x').expect(302)).headers['location']!);
    const pending = await t.db.selectFrom('oauth_states').select('return_to').where('state', '=', evil.searchParams.get('state')!).executeTakeFirstOrThrow();
    expect(pending.return_to).toBeNull();
  });

  it('does not redirect to another site after the install, whether returnTo reads "//host" or "/\\host"', async () => {
    for (const evil of ['//evil.example/x', '/\\evil.example/x']) {
      const start = await request(app()).get('/hubspot/install').query({ returnTo: evil }).expect(302);
      const state = new URL(start.headers['location']!).searchParams.get('state')!;
      nock(API).post('/oauth/v1/token').reply(200, { access_token: 'at-r', refresh_token: 'rt-r', expires_in: 1800, token_type: 'bearer' });
      nock(API).get('/oauth/v1/access-tokens/at-r').reply(200, { token: 'at-r', user: 'admin@x.example', hub_domain: 'r.example', scopes: ['oauth'], hub_id: 62516, app_id: 777, expires_in: 1799, user_id: 9, token_type: 'access' });
      nock(API).get('/settings/v3/currencies/company-currency').reply(200, { currencyCode: 'USD' });
      const done = await request(app()).get(`/hubspot/oauth/callback?code=code-r&state=${state}`);
      expect([done.status, done.headers['location']], evil).toEqual([200, undefined]);
      expect(done.text).toMatch(/Installed for HubSpot portal 62516/);
    }
  });

  describe('webhooks', () => {
    const sign = (body: string, ts: number, url = `${PUBLIC}/hubspot/webhooks`) => signV3(config.clientSecret, 'POST', url, body, String(ts));
    const post = (body: string, headers: Record<string, string>) =>
      request(app()).post('/hubspot/webhooks').set('host', 'spm.example').set('x-forwarded-proto', 'https').set('content-type', 'application/json').set(headers).send(body);
    const events = (portalId: number, ids: number[], type = 'deal.propertyChange') =>
      JSON.stringify(ids.map((eventId) => ({ eventId, subscriptionId: 1, portalId, appId: 777, occurredAt: Date.now(), subscriptionType: type, attemptNumber: 0, objectId: 900 + eventId, propertyName: 'amount', propertyValue: '5', changeSource: 'CRM' })));

    it('accepts a signed batch, stores it once and queues one processing job; a redelivery queues nothing', async () => {
      const httpsConfig = { ...config, trustProxy: true };
      const a = express();
      a.use('/hubspot', createHubspotRoutes({ db: t.db, cipher, config: httpsConfig, enqueue: queue.enqueue, logger: silent() }));
      await installPortal(t.db, '3001');
      const body = events(3001, [1, 2]);
      const ts = Date.now();
      const send = () => request(a).post('/hubspot/webhooks').set('host', 'spm.example').set('x-forwarded-proto', 'https').set('content-type', 'application/json').set({ 'x-hubspot-signature-v3': sign(body, ts), 'x-hubspot-request-timestamp': String(ts) }).send(body);
      const first = await send().expect(200);
      expect(first.body).toEqual({ accepted: 2, duplicates: 0 });
      expect(queue.jobs.map((j) => [j.name, j.payload['tenantId'], j.payload['eventIds']])).toEqual([['process-webhook-batch', 'hs-3001', ['1', '2']]]);
      const again = await send().expect(200);
      expect(again.body).toEqual({ accepted: 0, duplicates: 2 });
      expect(queue.jobs).toHaveLength(1);
    });

    it('rejects forged, replayed (older than 5 minutes) and altered deliveries with 401 and queues nothing', async () => {
      await installPortal(t.db, '3002');
      const body = events(3002, [10]);
      const now = Date.now();
      // The app sees http:// behind the proxy and does not trust forwarded headers here, so
      // a signature over the https URL is checked against http://… and fails too.
      const forged = signV3('not-the-secret', 'POST', 'http://spm.example/hubspot/webhooks', body, String(now));
      await post(body, { 'x-hubspot-signature-v3': forged, 'x-hubspot-request-timestamp': String(now) }).expect(401);
      const stale = now - 5 * 60_000 - 1_000;
      await post(body, { 'x-hubspot-signature-v3': sign(body, stale, 'http://spm.example/hubspot/webhooks'), 'x-hubspot-request-timestamp': String(stale) }).expect(401);
      const altered = body.replace('"propertyValue":"5"', '"propertyValue":"5000"');
      await post(altered, { 'x-hubspot-signature-v3': sign(body, now, 'http://spm.example/hubspot/webhooks'), 'x-hubspot-request-timestamp': String(now) }).expect(401);
      await post(body, {}).expect(401);
      expect(queue.jobs).toEqual([]);
      const stored = await t.db.selectFrom('event_receipts').select('event_id').where('tenant_id', '=', 'hs-3002').execute();
      expect(stored).toEqual([]);
      // The same body correctly signed for the URL the app sees goes through.
      await post(body, { 'x-hubspot-signature-v3': sign(body, now, 'http://spm.example/hubspot/webhooks'), 'x-hubspot-request-timestamp': String(now) }).expect(200);
    });

    it('processes a batch: changed deals read back in one batch read, a deleted one from the archived read, engagements trigger their stream', async () => {
      const tenantId = await installPortal(t.db, '3003');
      const { enqueue, jobs } = recordingEnqueue();
      const connector = createHubspotConnector(config, { db: t.db, cipher, logger: silent() });
      const stored = [
        { eventId: 101, portalId: 3003, occurredAt: 1, subscriptionType: 'deal.propertyChange', objectId: 55 },
        { eventId: 102, portalId: 3003, occurredAt: 2, subscriptionType: 'deal.creation', objectId: 56 },
        { eventId: 103, portalId: 3003, occurredAt: 3, subscriptionType: 'deal.deletion', objectId: 57 },
        { eventId: 104, portalId: 3003, occurredAt: 4, subscriptionType: 'object.propertyChange', objectTypeId: '0-48', objectId: 70 },
      ];
      await t.db.insertInto('event_receipts').values(stored.map((e) => ({ tenant_id: tenantId, source: 'hubspot', event_id: String(e.eventId), payload: JSON.stringify(e) }))).execute();
      const reads: unknown[] = [];
      const props = (id: number, amount: string) => ({ hs_object_id: String(id), dealname: `D${id}`, amount, dealstage: 'closedwon', pipeline: 'default', closedate: '2026-07-15T00:00:00Z', createdate: '2026-07-01T00:00:00Z', hubspot_owner_id: '501', hs_lastmodifieddate: '2026-07-20T00:00:00Z' });
      nock(API).post('/crm/v3/objects/deals/batch/read', (b) => (reads.push(b), true)).query({ archived: 'false' }).reply(200, { status: 'COMPLETE', results: [{ id: '55', properties: props(55, '1000'), createdAt: '2026-07-01T00:00:00Z', updatedAt: '2026-07-20T00:00:00Z', archived: false }], startedAt: '2026-07-20T00:00:00Z', completedAt: '2026-07-20T00:00:00Z' });
      nock(API).post('/crm/v3/objects/deals/batch/read', (b) => (reads.push(b), true)).query({ archived: 'true' }).reply(200, { status: 'COMPLETE', results: [{ id: '57', properties: props(57, '300'), createdAt: '2026-07-01T00:00:00Z', updatedAt: '2026-07-20T00:00:00Z', archived: true, archivedAt: '2026-07-21T00:00:00Z' }], startedAt: '2026-07-20T00:00:00Z', completedAt: '2026-07-20T00:00:00Z' });
      // The live deal's splits are read with it; deleted deals keep their last splits.
      const splitReads: unknown[] = [];
      nock(API).post('/crm/v3/objects/deals/splits/batch/read', (b) => (splitReads.push(b), true)).reply(200, { status: 'COMPLETE', results: [{ id: '55', splits: [{ id: '9', properties: { hs_deal_split_percentage: '0.75', hubspot_owner_id: '501' }, createdAt: '2026-07-01T00:00:00Z', updatedAt: '2026-07-01T00:00:00Z', archived: false }, { id: '10', properties: { hs_deal_split_percentage: '0.25', hubspot_owner_id: '777' }, createdAt: '2026-07-01T00:00:00Z', updatedAt: '2026-07-01T00:00:00Z', archived: false }] }], startedAt: '2026-07-20T00:00:00Z', completedAt: '2026-07-20T00:00:00Z' });
      const result = await connector.processEvents({ tenantId, source: 'hubspot', batchId: 'b1', eventIds: ['101', '102', '103', '104'] }, jobDeps(t.db, enqueue), jobContext());
      expect(result).toEqual({ events: 4 });
      // Deal 56 was not found live (deleted right after it was created): it is looked up among archived deals along with 57.
      expect(reads).toEqual([
        { inputs: [{ id: '55' }, { id: '56' }], properties: expect.arrayContaining(['amount', 'hs_lastmodifieddate']), propertiesWithHistory: [] },
        { inputs: [{ id: '57' }, { id: '56' }], properties: expect.arrayContaining(['amount']), propertiesWithHistory: [] },
      ]);
      const deals = await t.db.selectFrom('deals').select(['id', 'amount', 'deleted_at']).where('tenant_id', '=', tenantId).orderBy('id').execute();
      expect(deals.map((d) => [d.id, String(d.amount), d.deleted_at !== null])).toEqual([['55', '1000', false], ['57', '300', true]]);
      expect(jobs.filter((j) => j.name === 'sync-object').map((j) => j.payload['object'])).toEqual(['calls']);
      expect(splitReads).toEqual([{ inputs: [{ id: '55' }] }]);
      const splits = await t.db.selectFrom('deal_splits').select(['deal_id', 'user_id', 'percent']).where('tenant_id', '=', tenantId).orderBy('user_id').execute();
      expect(splits.map((r) => [r.deal_id, r.user_id, String(r.percent)])).toEqual([['55', '501', '75'], ['55', '777', '25']]);
    });
  });

  describe('coaching task write-back', () => {
    it('searches for the task key, creates the task on the deal for the rep\'s owner id, and never creates it twice', async () => {
      const tenantId = await installPortal(t.db, '4001');
      const key = idempotencyKey(tenantId, 'task-1');
      const searches: unknown[] = [];
      const creates: unknown[] = [];
      nock(API).post('/crm/v3/objects/tasks/search', (b) => (searches.push(b), true)).reply(200, { total: 0, results: [] });
      nock(API).post('/crm/v3/objects/tasks', (b) => (creates.push(b), true)).reply(201, { id: '8001', properties: {}, createdAt: '2026-08-15T00:00:00Z', updatedAt: '2026-08-15T00:00:00Z', archived: false });
      const task = { tenantId, taskId: 'task-1', repId: '501', dealId: '55', title: 'Follow up on D55', body: 'The deal has been in Proposal for 30 days.', dueDate: '2026-08-20' };
      const writer = createHubspotConnector(config, { db: t.db, cipher, logger: silent() }).taskWriter;
      expect(await writer.createTask(task)).toBe('8001');
      expect(searches).toEqual([{ filterGroups: [{ filters: [{ propertyName: 'hs_task_body', operator: 'CONTAINS_TOKEN', value: key }] }], properties: ['hs_task_body'], limit: 10, after: '0', sorts: [] }]);
      expect(creates).toEqual([
        {
          properties: {
            hs_task_subject: 'Follow up on D55',
            hs_task_body: `The deal has been in Proposal for 30 days.\n\n(Coaching task ref ${key})`,
            hs_task_status: 'NOT_STARTED', hs_task_type: 'TODO', hs_task_priority: 'MEDIUM',
            hs_timestamp: '2026-08-20T12:00:00.000Z',
            hubspot_owner_id: '501',
          },
          associations: [{ to: { id: '55' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }] }],
        },
      ]);
      // The same process retrying: remembered, no request at all.
      expect(await writer.createTask(task)).toBe('8001');
      // Another process retrying after the first answer was lost: the search finds the task.
      nock(API).post('/crm/v3/objects/tasks/search').reply(200, { total: 1, results: [{ id: '8001', properties: { hs_task_body: `x (Coaching task ref ${key})` }, createdAt: '2026-08-15T00:00:00Z', updatedAt: '2026-08-15T00:00:00Z', archived: false }] });
      const other = createHubspotConnector(config, { db: t.db, cipher, logger: silent() }).taskWriter;
      expect(await other.createTask(task)).toBe('8001');
    });
  });
});
