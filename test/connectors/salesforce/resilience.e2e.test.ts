import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsforce from 'jsforce';
import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';
import { readConnection } from '../../../connectors/core/tenant-connections.js';
import { PermanentJobError } from '../../../worker/src/queues/errors.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ORG } from './fixture.js';
import { CLIENT_ID, CLIENT_SECRET, install, REDIRECT_URI, startHarness, type Harness } from './harness.js';

/**
 * What goes wrong with a real org: the session expires in the middle of a sync, refresh
 * tokens rotate, Salesforce answers 503, the daily API allocation runs low or out, a field
 * is not readable, and finally the admin revokes the app. 4,500 opportunities (3 query pages).
 */
const DEALS = 4_500;

function org(): RawDataset {
  return {
    ...ORG,
    activities: [],
    deals: Array.from({ length: DEALS }, (_, i) => ({ id: `r-${i}`, name: `Deal ${i}`, pipelineId: 'sales', stageId: 'proposal', amount: String(500 + i), currency: 'USD', closeDate: '2026-08-15', createdDate: '2026-03-01', ownerId: i % 2 ? 'ana' : 'bo' })),
  };
}

describe('Salesforce connector under expiry, rotation, faults and limits', () => {
  let t: TestDatabase;
  let h: Harness;
  const dealCount = async (): Promise<number> => Number((await t.db.selectFrom('deals').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', h.tenantId).where('deleted_at', 'is', null).executeTakeFirstOrThrow()).n);
  const refreshTokenNow = async (): Promise<string> => (await readConnection(t.db, h.cipher, h.tenantId))!.refreshToken!;
  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected the sync to fail');
  };

  beforeAll(async () => {
    t = await createServerDatabase();
    h = await startHarness(t.db, org(), { rotateRefreshTokens: true });
    await install(h);
    await h.sync('pipelines');
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('refreshes an access token that expires mid-sync, continues, and keeps the rotated refresh token', async () => {
    const original = await refreshTokenNow();
    let pagesWritten = 0;
    h.onEnqueue = (job) => {
      // After the first page is committed, every session of the org expires.
      if (job.name === 'recompute-payees' && ++pagesWritten === 1) h.sandbox.faults.expireSessions();
    };
    const result = await h.sync('deals');
    h.onEnqueue = undefined;
    expect(result.records).toBe(DEALS);
    expect(await dealCount()).toBe(DEALS);
    const rotated = await refreshTokenNow();
    expect(rotated).not.toBe(original);
    // The old refresh token is retired by rotation: only the stored one can refresh now.
    const oauth2 = new jsforce.OAuth2({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, loginUrl: h.sandbox.url });
    await expect(oauth2.refreshToken(original)).rejects.toMatchObject({ name: 'invalid_grant' });
    h.sandbox.faults.expireSessions();
    await h.sync('users');
    expect(await refreshTokenNow()).not.toBe(rotated);
    const conn = await t.db.selectFrom('crm_connections').select('status').where('tenant_id', '=', h.tenantId).executeTakeFirstOrThrow();
    expect(conn.status).toBe('connected');
  });

  it('does not let jsforce retry a 503 behind our back; the job retry resumes at the next page', async () => {
    // A full re-read into an emptied store (so each page changes something and requests a
    // recompute): 3 pages. Once the first is committed, the request for the second fails with 503.
    await t.db.deleteFrom('deal_splits').where('tenant_id', '=', h.tenantId).execute();
    await t.db.deleteFrom('deals').where('tenant_id', '=', h.tenantId).execute();
    const before = h.sandbox.stats().apiRequests;
    let armed = false;
    h.onEnqueue = (job) => {
      if (job.name !== 'recompute-payees' || armed) return;
      armed = true;
      h.sandbox.faults.failNext(1, { status: 503, errorCode: 'SERVER_UNAVAILABLE', message: 'Service unavailable', match: /\/query\// });
    };
    const err = await failure(h.sync('deals', 'full'));
    h.onEnqueue = undefined;
    expect(err).not.toBeInstanceOf(PermanentJobError);
    const meter = h.meters[h.meters.length - 1]!;
    // Every request the connector made reached the org exactly once: no hidden retries.
    expect(h.sandbox.stats().apiRequests - before).toBeLessThanOrEqual(meter.calls);
    const cursor = await t.db.selectFrom('sync_cursors').select(['cursor', 'last_error']).where('tenant_id', '=', h.tenantId).where('object', '=', 'deals').executeTakeFirstOrThrow();
    expect((cursor.cursor as { opps?: { next?: string } }).opps?.next).toMatch(/\/query\//);
    // The job has retries left, so no failure is recorded (cards would call the sync failing
    // while it only retries): the worker's handler records the attempt it gives up on.
    expect(cursor.last_error).toBeNull();
    // What the job runner's retry does: run the same job again, from the stored cursor.
    const resumed = await h.sync('deals');
    expect(resumed.records).toBeLessThan(DEALS);
    expect(await dealCount()).toBe(DEALS);
  });

  it('records a failure once the job gives up on it, not while it has retries left, and the next success clears it', async () => {
    const usersRow = () => t.db.selectFrom('sync_cursors').select(['last_error', 'retry_after']).where('tenant_id', '=', h.tenantId).where('source', '=', 'salesforce').where('object', '=', 'users').executeTakeFirstOrThrow();
    const unavailable = () => h.sandbox.faults.failNext(1, { status: 503, errorCode: 'SERVER_UNAVAILABLE', message: 'Service unavailable', match: /\/query/ });
    expect(await usersRow()).toEqual({ last_error: null, retry_after: null });
    // Attempt 1 of 3: the job runs again shortly, so cards must not call the sync failing yet.
    unavailable();
    expect(await failure(h.job('users', { attempt: 1 }))).not.toBeInstanceOf(PermanentJobError);
    expect(await usersRow()).toEqual({ last_error: null, retry_after: null });
    // Attempt 3 of 3: the job gives up, and its failure is recorded (no pause: a 503 is not the daily limit).
    unavailable();
    await failure(h.job('users', { attempt: 3 }));
    expect(await usersRow()).toEqual({ last_error: expect.stringMatching(/Service unavailable/), retry_after: null });
    await h.job('users');
    expect(await usersRow()).toEqual({ last_error: null, retry_after: null });
  });

  it('names the field and the fix when the integration user cannot read a field', async () => {
    // Field-level security on Amount revoked for good (a one-off INVALID_FIELD on a query built from
    // cached metadata is retried once on a fresh describe, which would succeed).
    h.seeded.org.hideField('Opportunity', 'Amount');
    const err = await failure(h.sync('deals', 'full')).finally(() => h.seeded.org.hideField('Opportunity', 'Amount', false));
    expect(err).toBeInstanceOf(PermanentJobError);
    expect((err as PermanentJobError).code).toBe('missing_permission');
    expect(err.message).toMatch(/\bAmount\b/);
    expect(err.message).toMatch(/INVALID_FIELD/);
    expect(err.message).toMatch(/field-level security/);
  });

  it('stops before using the daily API allocation the org keeps for others, and on REQUEST_LIMIT_EXCEEDED', async () => {
    // 100,000 a day, 20 % kept back: at 85,000 used the sync makes one call, reads the
    // usage from Sforce-Limit-Info, and stops before the next.
    h.sandbox.faults.setApiUsage(85_000);
    const budget = await failure(h.sync('deals', 'full'));
    expect((budget as PermanentJobError).code).toBe('api_budget');
    expect(h.sandbox.stats().apiRequests).toBeLessThan(85_000 + 3);

    // Through the worker's handler, which records the failure and the pause the connector's error carries.
    h.sandbox.faults.setApiUsage(100_000);
    const limit = await failure(h.job('users', { mode: 'full' }));
    expect((limit as PermanentJobError).code).toBe('api_limit');
    const cursor = () => t.db.selectFrom('sync_cursors').select(['retry_after', 'last_error']).where('tenant_id', '=', h.tenantId).where('object', '=', 'users').executeTakeFirstOrThrow();
    const paused = await cursor();
    expect(paused.retry_after).not.toBeNull();
    expect(paused.last_error).toMatch(/REQUEST_LIMIT_EXCEEDED/);
    // Until retry_after, a scheduled run makes no call at all, and the object stays failing and paused.
    h.sandbox.faults.setApiUsage(0);
    const calls = h.sandbox.stats().apiRequests;
    expect(await h.job('users')).toEqual({ pages: 0, records: 0 });
    expect(h.sandbox.stats().apiRequests).toBe(calls);
    expect(await cursor()).toEqual(paused);
    await t.db.updateTable('sync_cursors').set({ retry_after: null }).where('tenant_id', '=', h.tenantId).execute();
  });

  it('records the pause when the daily limit hits before the first page of an object committed (no cursor row yet), on the job\'s clock', async () => {
    const row = () => t.db.selectFrom('sync_cursors').select(['phase', 'cursor', 'retry_after', 'last_error', 'synced_at']).where('tenant_id', '=', h.tenantId).where('source', '=', 'salesforce').where('object', '=', 'quotas').executeTakeFirst();
    // The job's clock, not the process's: far enough from Date.now() that mixing the two shows.
    const jobNow = new Date(Date.now() + 3 * 24 * 60 * 60_000);
    const at = (ms: number) => ({ ...h.deps, clock: { now: () => new Date(ms) } });
    // As the worker runs it: quotas sync once users, pipelines and fx-rates were attempted.
    const syncQuotas = (deps = at(jobNow.getTime())) => h.job('quotas', { deps });
    await h.job('fx-rates');
    expect(await row()).toBeUndefined();

    h.sandbox.faults.setApiUsage(100_000);
    const limit = await failure(syncQuotas());
    expect((limit as PermanentJobError).code).toBe('api_limit');
    const paused = await row();
    // Nothing has synced: cards must not show the failure's time as "last synced".
    expect(paused).toMatchObject({ phase: 'initial', cursor: null, last_error: expect.stringMatching(/REQUEST_LIMIT_EXCEEDED/), synced_at: null });
    expect(new Date(paused!.retry_after!).getTime()).toBe(jobNow.getTime() + 60 * 60_000);

    // Until then no call is made, and the failure and its pause stay; once the job's clock passes it, the object syncs from the start.
    h.sandbox.faults.setApiUsage(0);
    const calls = h.sandbox.stats().apiRequests;
    expect(await syncQuotas(at(jobNow.getTime() + 59 * 60_000))).toEqual({ pages: 0, records: 0 });
    expect(h.sandbox.stats().apiRequests).toBe(calls);
    expect(await row()).toEqual(paused);
    expect((await syncQuotas(at(jobNow.getTime() + 61 * 60_000))).records).toBe(1); // the fixture's one quota (q-ana)
    expect(await row()).toMatchObject({ phase: 'incremental', retry_after: null, last_error: null, synced_at: expect.any(Date) });
  });

  it('disconnects the tenant when the admin revokes the app, and keeps its data', async () => {
    const res = await fetch(`${h.sandbox.url}/services/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: await refreshTokenNow() }) });
    expect(res.status).toBe(200);
    h.sandbox.faults.expireSessions();
    const err = await failure(h.sync('deals'));
    expect((err as PermanentJobError).code).toBe('auth_revoked');
    const tenant = await t.db.selectFrom('tenants').select('status').where('id', '=', h.tenantId).executeTakeFirstOrThrow();
    expect(tenant.status).toBe('disconnected');
    const conn = await t.db.selectFrom('crm_connections').select(['status', 'refresh_token_enc']).where('tenant_id', '=', h.tenantId).executeTakeFirstOrThrow();
    expect(conn).toEqual({ status: 'revoked', refresh_token_enc: null });
    expect(await dealCount()).toBe(DEALS);
  });
});
