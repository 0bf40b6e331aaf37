import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConnection } from '../../../connectors/core/tenant-connections.js';
import { writeSyncPage } from '../../../connectors/core/sync-sink.js';
import { crmSyncHandlers } from '../../../connectors/core/crm-connector.js';
import { createHubspotConnector } from '../../../connectors/hubspot/index.js';
import { dealProperties } from '../../../connectors/hubspot/map-deal.js';
import { TokenManager } from '../../../connectors/hubspot/oauth-tokens.js';
import { Decimal } from '../../../shared/src/money/decimal.js';
import { readCursor } from '../../../worker/src/db/sync-cursors.js';
import { PermanentJobError } from '../../../worker/src/queues/errors.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { cipher, installPortal, jobContext, jobDeps, recordingEnqueue, silent, testConfig } from './support.js';

/**
 * The exact requests the connector sends, checked with nock. nock 15 intercepts Node's
 * global fetch, which @hubspot/api-client v14 uses (src/services/http/Transport.ts), so
 * these tests see what HubSpot would.
 */
const API = 'https://api.hubapi.com';
const T0 = Date.parse('2026-07-01T00:00:00.000Z');

function deal(id: number, modifiedMs: number, extra: Record<string, string> = {}) {
  return {
    id: String(id),
    properties: {
      hs_object_id: String(id), dealname: `Deal ${id}`, amount: '1200.50', deal_currency_code: 'EUR', dealstage: 'closedwon', pipeline: 'default',
      closedate: '2026-07-10T00:00:00.000Z', createdate: '2026-06-01T09:00:00.000Z', hubspot_owner_id: '501', hs_lastmodifieddate: new Date(modifiedMs).toISOString(), ...extra,
    },
    createdAt: '2026-06-01T09:00:00.000Z',
    updatedAt: new Date(modifiedMs).toISOString(),
    archived: false,
  };
}

const SPLITS = '/crm/v3/objects/deals/splits/batch/read';
const split = (id: string, owner: string, percentage: string) => ({ id, properties: { hs_deal_split_percentage: percentage, hubspot_owner_id: owner }, createdAt: '2026-06-01T09:00:00.000Z', updatedAt: '2026-06-01T09:00:00.000Z', archived: false });
/** The splits batch read answered for a portal where no deal has splits. */
/**
 * A body matcher that records what it is shown. nock runs body matchers for requests to
 * other paths too (a GET shows ""), so only bodies carrying `key` are kept.
 */
const recordInto = (list: unknown[], key: string) => (body: unknown) => {
  if (body && typeof body === 'object' && key in body) list.push(body);
  return true;
};

function noSplits(...ids: string[]): void {
  nock(API).post(SPLITS, { inputs: ids.map((id) => ({ id })) }).reply(200, { status: 'COMPLETE', results: ids.map((id) => ({ id, splits: [] })), startedAt: '2026-07-01T00:00:00.000Z', completedAt: '2026-07-01T00:00:00.000Z' });
}

describe('HubSpot sync requests (nock)', () => {
  let t: TestDatabase;
  let tenantId: string;
  const connector = () => createHubspotConnector(testConfig(API), { db: t.db, cipher, logger: silent() });

  beforeAll(async () => {
    t = await createServerDatabase();
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    tenantId = await installPortal(t.db, String(1000 + Math.floor(Math.random() * 1e6)));
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  it('walks the list API page by page with `after` on the first sync and commits each page with its cursor, reading each page\'s splits', async () => {
    const queries: Array<Record<string, unknown>> = [];
    const splitReads: unknown[] = [];
    // Deal 11 is split 60/40 between its owner 501 and 502 (HubSpot shares, "0.6" = 60 %).
    nock(API)
      .post(SPLITS, recordInto(splitReads, 'inputs'))
      .reply(200, { status: 'COMPLETE', results: [{ id: '11', splits: [split('9001', '501', '0.6'), split('9002', '502', '0.4')] }, { id: '12', splits: [] }], startedAt: '2026-07-01T00:00:00.000Z', completedAt: '2026-07-01T00:00:00.000Z' })
      .post(SPLITS, recordInto(splitReads, 'inputs'))
      .reply(200, { status: 'COMPLETE', results: [{ id: '13', splits: [] }], startedAt: '2026-07-01T00:00:00.000Z', completedAt: '2026-07-01T00:00:00.000Z' });
    const scope = nock(API)
      .matchHeader('authorization', 'Bearer access-1')
      .get('/crm/v3/objects/deals')
      .query((q) => (queries.push(q), q['after'] === undefined))
      .reply(200, { results: [deal(11, T0), deal(12, T0 + 1)], paging: { next: { after: '12' } } })
      .get('/crm/v3/objects/deals')
      .query((q) => (queries.push(q), q['after'] === '12'))
      .reply(200, { results: [deal(13, T0 + 2, { amount: '', deal_currency_code: '' })] });
    const { enqueue } = recordingEnqueue();
    const result = await connector().syncObject({ tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'test' }, jobDeps(t.db, enqueue), jobContext());
    expect(scope.isDone()).toBe(true);
    expect(queries[0]).toEqual({ limit: '100', properties: dealProperties([]), archived: 'false' });
    expect(queries[1]).toEqual({ limit: '100', after: '12', properties: dealProperties([]), archived: 'false' });
    expect(result.records).toBe(3);
    const rows = await t.db.selectFrom('deals').select(['id', 'amount', 'currency', 'close_date', 'owner_id']).where('tenant_id', '=', tenantId).orderBy('id').execute();
    // Deal 13 has no amount (0) and no currency: it is in the portal's home currency (USD).
    expect(rows.map((r) => [r.id, String(r.amount), r.currency, r.close_date, r.owner_id])).toEqual([
      ['11', '1200.5', 'EUR', '2026-07-10', '501'],
      ['12', '1200.5', 'EUR', '2026-07-10', '501'],
      ['13', '0', 'USD', '2026-07-10', '501'],
    ]);
    const cursor = await readCursor(t.db, tenantId, 'hubspot', 'deals');
    expect(cursor?.phase).toBe('incremental');
    // The pages may be committed together (fetching runs ahead of writing): one splits read per commit, ≤ 100 ids each.
    expect((splitReads as Array<{ inputs: Array<{ id: string }> }>).flatMap((b) => b.inputs.map((x) => x.id))).toEqual(['11', '12', '13']);
    const splits = await t.db.selectFrom('deal_splits').select(['deal_id', 'user_id', 'split_type', 'percent']).where('tenant_id', '=', tenantId).orderBy(['deal_id', 'user_id']).execute();
    expect(splits.map((r) => [r.deal_id, r.user_id, r.split_type, String(r.percent)])).toEqual([
      ['11', '501', 'revenue', '60'],
      ['11', '502', 'revenue', '40'],
    ]);
  });

  it('pages incremental search by keyset on hs_lastmodifieddate, splits an instant that fills a page by hs_object_id, then sweeps archived deals', async () => {
    // Start from a stored incremental cursor at T0.
    await writeSyncPage({ db: t.db, enqueue: recordingEnqueue().enqueue }, { tenantId, source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: { phase: 'incremental', since: T0, tieAfterId: null, archivedSince: T0, archivedAfter: null, sweepStartedAt: null } }, {}, 'seed');
    const props = dealProperties([]);
    // 250 deals share the instant T0+5 (a bulk import); one more changed at T0+9.
    const burst = Array.from({ length: 250 }, (_, i) => deal(1001 + i, T0 + 5));
    const bodies: unknown[] = [];
    const search = (reply: unknown) => nock(API).post('/crm/v3/objects/deals/search', recordInto(bodies, 'filterGroups')).reply(200, reply);
    search({ total: 250, results: burst.slice(0, 200), paging: { next: { after: '200' } } });
    search({ total: 250, results: burst.slice(50, 250), paging: { next: { after: '200' } } });
    search({ total: 250, results: burst.slice(0, 200), paging: { next: { after: '200' } } });
    search({ total: 50, results: burst.slice(200) });
    search({ total: 1, results: [deal(2000, T0 + 9)] });
    // Not Sales Hub Enterprise: the first splits read is refused, and the portal is not asked again during the sync.
    const splitReads: unknown[] = [];
    nock(API).post(SPLITS, recordInto(splitReads, 'inputs')).once().reply(403, { status: 'error', message: 'Deal splits are not enabled for this account.', correlationId: 'c', category: 'FEATURE_NOT_ENABLED' });
    const archivedQueries: unknown[] = [];
    nock(API)
      .get('/crm/v3/objects/deals')
      .query((q) => (archivedQueries.push(q), true))
      .reply(200, { results: [{ ...deal(1001, T0 + 20), archived: true, archivedAt: new Date(T0 + 20).toISOString() }, { ...deal(7, T0 - 9e9), archived: true, archivedAt: new Date(T0 - 9e9).toISOString() }] });

    const { enqueue } = recordingEnqueue();
    await connector().syncObject({ tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'test' }, jobDeps(t.db, enqueue), jobContext());

    const gte = (since: number) => ({ filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since) }] }], sorts: ['hs_lastmodifieddate'], properties: props, limit: 200, after: '0' });
    const tie = (afterId: string) => ({
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(T0 + 5) }, { propertyName: 'hs_object_id', operator: 'GT', value: afterId }] }],
      sorts: ['hs_object_id'], properties: props, limit: 200, after: '0',
    });
    // 1: everything since T0; the page ends at T0+5, so 2 asks again from T0+5, gets a full
    // page at that single instant and switches to walking it by id (3, 4); 5 goes on from T0+5+1 ms.
    expect(bodies).toEqual([gte(T0), gte(T0 + 5), tie('0'), tie('1200'), gte(T0 + 6)]);
    expect(archivedQueries).toEqual([{ limit: '100', properties: props, archived: 'true' }]);
    const live = await t.db.selectFrom('deals').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    const deleted = await t.db.selectFrom('deals').select('id').where('tenant_id', '=', tenantId).where('deleted_at', 'is not', null).execute();
    // 250 burst deals + deal 2000, minus deal 1001 (archived after the cursor); deal 7 was archived long before the cursor and is not re-sent.
    expect(Number(live.n)).toBe(250);
    expect(deleted.map((d) => d.id)).toEqual(['1001']);
    expect(splitReads).toHaveLength(1);
    expect((splitReads[0] as { inputs: unknown[] }).inputs).toHaveLength(100);
  });

  it('reads the deals of a page of engagements with one v4 association batch read', async () => {
    const call = (id: string, owner: string) => ({ id, properties: { hs_object_id: id, hs_timestamp: '2026-07-03T10:00:00.000Z', hubspot_owner_id: owner, hs_call_status: 'COMPLETED', hs_lastmodifieddate: '2026-07-03T10:05:00.000Z' }, createdAt: '2026-07-03T10:00:00.000Z', updatedAt: '2026-07-03T10:05:00.000Z', archived: false });
    nock(API).get('/crm/v3/objects/calls').query(true).reply(200, { results: [call('31', '501'), call('32', '502')] });
    const batches: unknown[] = [];
    nock(API)
      .post('/crm/v4/associations/calls/deals/batch/read', (b) => (batches.push(b), true))
      .reply(200, { status: 'COMPLETE', results: [{ from: { id: '31' }, to: [{ toObjectId: 90, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 206, label: null }] }, { toObjectId: 12, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 206, label: null }] }] }], startedAt: '2026-07-03T10:00:00.000Z', completedAt: '2026-07-03T10:00:00.000Z' });
    await connector().syncObject({ tenantId, source: 'hubspot', object: 'calls', mode: 'incremental', cause: 'test' }, jobDeps(t.db, recordingEnqueue().enqueue), jobContext());
    expect(batches).toEqual([{ inputs: [{ id: '31' }, { id: '32' }] }]);
    const rows = await t.db.selectFrom('activities').select(['id', 'type', 'status', 'user_id', 'deal_id', 'occurred_at']).where('tenant_id', '=', tenantId).orderBy('id').execute();
    // Call 31 is on deals 90 and 12: it is linked to the lowest id, 12, on every read.
    expect(rows).toEqual([
      { id: 'calls-31', type: 'call', status: 'completed', user_id: '501', deal_id: '12', occurred_at: '2026-07-03' },
      { id: 'calls-32', type: 'call', status: 'completed', user_id: '502', deal_id: null, occurred_at: '2026-07-03' },
    ]);
  });

  it('syncs exchange rates with the pipelines, digit for digit, writing only new or changed ones; without the scope it goes on without them', async () => {
    const stage = (id: string, order: number, probability: string, isClosed: string) => ({ id, label: id, displayOrder: order, metadata: { isClosed, probability }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', archived: false });
    const pipelines = { results: [{ id: 'default', label: 'Sales', displayOrder: 0, stages: [stage('appt', 0, '0.2', 'false'), stage('closedwon', 1, '1.0', 'true')], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', archived: false }] };
    // HubSpot sends conversionRate as a JSON number; 1.08000000000000000001 has more digits than a double holds.
    const ratesJson = '{"results":[{"id":"71","fromCurrencyCode":"EUR","toCurrencyCode":"USD","conversionRate":1.08000000000000000001,"effectiveAt":"2026-01-01T00:00:00.000Z","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","visibleInUI":true},{"id":"72","fromCurrencyCode":"GBP","toCurrencyCode":"USD","conversionRate":1.254379,"effectiveAt":"2026-02-01T00:00:00.000Z","createdAt":"2026-02-01T00:00:00.000Z","updatedAt":"2026-02-01T00:00:00.000Z","visibleInUI":true}]}';
    nock(API).get('/crm/v3/pipelines/deals').twice().reply(200, pipelines);
    nock(API).get('/settings/v3/currencies/exchange-rates').twice().reply(200, ratesJson, { 'content-type': 'application/json' });
    const first = recordingEnqueue();
    await connector().syncObject({ tenantId, source: 'hubspot', object: 'pipelines', mode: 'incremental', cause: 'test' }, jobDeps(t.db, first.enqueue), jobContext());
    const rates = await t.db.selectFrom('fx_rates').select(['from_currency', 'to_currency', 'rate_date', 'rate', 'source']).where('tenant_id', '=', tenantId).orderBy('from_currency').execute();
    expect(rates.map((r) => [r.from_currency, r.to_currency, String(r.rate_date).slice(0, 10), new Decimal(String(r.rate)).toFixed(), r.source])).toEqual([
      ['EUR', 'USD', '2026-01-01', '1.08000000000000000001', 'hubspot'],
      ['GBP', 'USD', '2026-02-01', '1.254379', 'hubspot'],
    ]);
    expect(first.jobs.filter((j) => j.name === 'reconcile-tenant')).toHaveLength(1);
    // Nothing changed: nothing is written, so no tenant-wide recompute.
    const second = recordingEnqueue();
    await connector().syncObject({ tenantId, source: 'hubspot', object: 'pipelines', mode: 'incremental', cause: 'test-2' }, jobDeps(t.db, second.enqueue), jobContext());
    expect(second.jobs.filter((j) => j.name === 'reconcile-tenant')).toHaveLength(0);

    const narrow = await installPortal(t.db, '5151');
    nock(API).get('/crm/v3/pipelines/deals').reply(200, pipelines);
    nock(API).get('/settings/v3/currencies/exchange-rates').reply(403, { status: 'error', message: "This app hasn't been granted all required scopes to make this call.", correlationId: 'c', category: 'MISSING_SCOPES' });
    await connector().syncObject({ tenantId: narrow, source: 'hubspot', object: 'pipelines', mode: 'incremental', cause: 'test' }, jobDeps(t.db, recordingEnqueue().enqueue), jobContext());
    expect((await t.db.selectFrom('pipelines').select('id').where('tenant_id', '=', narrow).execute()).map((r) => r.id)).toEqual(['default']);
    expect(await t.db.selectFrom('fx_rates').select('rate').where('tenant_id', '=', narrow).execute()).toEqual([]);
  });

  it('waits out a 429 (policy TEN_SECONDLY_ROLLING, Retry-After) and goes on without losing the page', async () => {
    nock(API).get('/crm/v3/objects/deals').query(true).reply(429, { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'c1', policyName: 'TEN_SECONDLY_ROLLING' }, { 'Retry-After': '0' });
    nock(API).get('/crm/v3/objects/deals').query(true).reply(200, { results: [deal(21, T0)] });
    noSplits('21');
    const c = connector();
    await c.syncObject({ tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'test' }, jobDeps(t.db, recordingEnqueue().enqueue), jobContext());
    expect(c.stats.rateLimited).toBe(1);
    expect(c.stats.rateLimitFailures).toBe(0);
    expect((await t.db.selectFrom('deals').select('id').where('tenant_id', '=', tenantId).execute()).map((r) => r.id)).toEqual(['21']);
  });

  it('on a 401 refreshes the token (form-encoded refresh grant) and retries with the new token', async () => {
    const forms: unknown[] = [];
    nock(API).get('/crm/v3/objects/deals').query(true).matchHeader('authorization', 'Bearer access-1').reply(401, { status: 'error', message: 'expired', category: 'EXPIRED_AUTHENTICATION', correlationId: 'c' });
    nock(API).post('/oauth/v1/token', (b) => (forms.push(b), true)).once().reply(200, { access_token: 'access-2', refresh_token: 'refresh-1', expires_in: 1800, token_type: 'bearer' });
    nock(API).get('/crm/v3/objects/deals').query(true).matchHeader('authorization', 'Bearer access-2').reply(200, { results: [deal(22, T0)] });
    noSplits('22');
    const c = connector();
    await c.syncObject({ tenantId, source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'test' }, jobDeps(t.db, recordingEnqueue().enqueue), jobContext());
    expect(forms).toHaveLength(1);
    expect(forms[0]).toEqual({ grant_type: 'refresh_token', client_id: 'client-id-1', client_secret: 'client-secret-1', refresh_token: 'refresh-1' });
    expect((await readConnection(t.db, cipher, tenantId))?.accessToken).toBe('access-2');
  });

  it('refreshes an expiring token once for concurrent callers', async () => {
    const expiring = await installPortal(t.db, '4242', { expiresAt: new Date(Date.now() + 60_000) });
    nock(API).post('/oauth/v1/token').once().delay(50).reply(200, { access_token: 'access-9', refresh_token: 'refresh-1', expires_in: 1800, token_type: 'bearer' });
    const c = connector();
    const tokens = await Promise.all([c.tokens.accessToken(expiring), c.tokens.accessToken(expiring), c.tokens.accessToken(expiring)]);
    expect(tokens).toEqual(['access-9', 'access-9', 'access-9']);
  });

  it('holds the access token in memory: many requests read the stored connection once, and again only after a 401 or near expiry', async () => {
    // Counts the reads of the stored connection (readConnection is one select; storing a refreshed token is an update).
    let reads = 0;
    const counted = t.db.withPlugin({
      transformQuery: (args) => {
        if (args.node.kind === 'SelectQueryNode') reads++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    let clock = Date.now();
    const tokens = new TokenManager({ db: counted, cipher, config: testConfig(API), logger: silent(), now: () => clock });
    for (let i = 0; i < 20; i++) expect(await tokens.accessToken(tenantId)).toBe('access-1');
    expect(await Promise.all([tokens.accessToken(tenantId), tokens.accessToken(tenantId)])).toEqual(['access-1', 'access-1']);
    expect(reads).toBe(1);

    // HubSpot answered 401 to it: the stored row is read again (another worker may have a newer token), then refreshed.
    nock(API).post('/oauth/v1/token').once().reply(200, { access_token: 'access-2', refresh_token: 'refresh-1', expires_in: 1800, token_type: 'bearer' });
    expect(await tokens.accessToken(tenantId, 'access-1')).toBe('access-2');
    expect(reads).toBe(2);
    for (let i = 0; i < 5; i++) expect(await tokens.accessToken(tenantId)).toBe('access-2');
    expect(reads).toBe(2);

    // Within the refresh margin (5 minutes) of its 30-minute life: back to the database, and refreshed.
    clock += 26 * 60_000;
    nock(API).post('/oauth/v1/token').once().reply(200, { access_token: 'access-3', refresh_token: 'refresh-1', expires_in: 1800, token_type: 'bearer' });
    expect(await tokens.accessToken(tenantId)).toBe('access-3');
    expect(await tokens.accessToken(tenantId)).toBe('access-3');
    expect(reads).toBe(3);
    expect((await readConnection(t.db, cipher, tenantId))?.accessToken).toBe('access-3');
  });

  it('treats a refused refresh token as an uninstall: tenant disconnected, data kept, later jobs fail permanently without calling HubSpot', async () => {
    const gone = await installPortal(t.db, '5151', { expiresAt: new Date(Date.now() - 1000) });
    await t.db.insertInto('deals').values({ tenant_id: gone, id: '1', name: 'kept', pipeline_id: 'default', stage_id: 'closedwon', amount: '10', currency: 'USD', close_date: '2026-07-01', created_date: '2026-06-01', owner_id: '501', properties: '{}', stage_history: '[]', source_version: 'x', source_modified_at: '2026-07-01T00:00:00Z', data_hash: 'h', deleted_at: null }).execute();
    nock(API).post('/oauth/v1/token').reply(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: 'c' });
    const handlers = crmSyncHandlers([connector()]);
    const run = () => handlers['sync-object']!({ tenantId: gone, source: 'hubspot', object: 'owners', mode: 'incremental', cause: 'test' }, jobDeps(t.db, recordingEnqueue().enqueue), jobContext());
    await expect(run()).rejects.toMatchObject({ code: 'tenant_disconnected' });
    const tenant = await t.db.selectFrom('tenants').select('status').where('id', '=', gone).executeTakeFirstOrThrow();
    expect(tenant.status).toBe('disconnected');
    expect((await readConnection(t.db, cipher, gone))?.status).toBe('revoked');
    expect((await t.db.selectFrom('deals').select('name').where('tenant_id', '=', gone).execute()).map((d) => d.name)).toEqual(['kept']);
    // No nock is left for this: a second job must fail before any request.
    await expect(run()).rejects.toBeInstanceOf(PermanentJobError);
  });
});
