import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { issueSalesforceCredential, revokeSalesforceCredential } from '../../../extension/backend/src/auth/salesforce-credentials.js';
import express from 'express';
import { encodeSession, issueSession, SESSION_COOKIE } from '../../../extension/backend/src/auth/session.js';
import { sessionSettings } from '../../../extension/backend/src/app.js';
import { ApiErrorSchema, DealCardViewSchema, MeViewSchema, RepCardViewSchema } from '../../../extension/backend/src/cards/view-models.js';
import { ConfigError, loadConfig } from '../../../extension/backend/src/config.js';
import { baseUrl, hubspotCall, NOW, testConfig, OTHER_PORTAL, seedMainTenant, seedOtherTenant, seedSalesforceTenant, SESSION_SECRET, SF_ORG, SF_OTHER_REP, SF_REP, SF_TENANT, startApp, TENANT, type RunningApp } from './fixture.js';

// Engine runs behind a card take a few hundred ms; on a shared, loaded machine that can pass the 5 s default.
vi.setConfig({ testTimeout: 30_000 });

let database: TestDatabase;
let running: RunningApp;
let url: string;
let sfCredential: string;

beforeAll(async () => {
  database = await createServerDatabase();
  await seedMainTenant(database.db);
  await seedOtherTenant(database.db);
  await seedSalesforceTenant(database.db);
  // The HubSpot user who installed the app, recorded as admin by their email (as the install callback does); not an owner.
  await database.db.insertInto('tenant_roles').values({ tenant_id: TENANT, user_id: 'owner@acme.test', role: 'admin', granted_by: 'install' }).execute();
  // Installed before the install lower-cased the email: kept as HubSpot gave it.
  await database.db.insertInto('tenant_roles').values({ tenant_id: TENANT, user_id: 'Boss@Acme.test', role: 'admin', granted_by: 'install' }).execute();
  sfCredential = (await issueSalesforceCredential(database.db, SF_TENANT, 'test')).credential;
  running = await startApp(database.db);
  url = baseUrl(running.server);
}, 60_000);

afterAll(async () => {
  await running?.close();
  await database?.drop();
});

async function hubspotGet(path: string, email: string, options: Parameters<typeof hubspotCall>[3] & { portalId?: string } = {}) {
  const call = hubspotCall('GET', path, { email, ...(options.portalId ? { portalId: options.portalId } : {}) }, options);
  return request(url).get(call.path).set(call.headers);
}

/** A refusal: the status, the one error shape, and none of the protected figures or names in the body. */
function expectRefused(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  const body = ApiErrorSchema.parse(res.body);
  expect(body.error.code).toBe(code);
  // The request id is a random UUID, which may well contain "800": it is not data.
  const raw = res.body as { error: Record<string, unknown> };
  const text = JSON.stringify({ ...raw, error: { ...raw.error, requestId: undefined } });
  // ana's and ben's money, another tenant's deal amount and person: none may leak.
  for (const secret of ['800', '1200', '1500', '99000', '99,000', 'Oli', 'Ben Rep', 'Ana Rep', 'Cal Rep', 'Sam Rep']) expect(text).not.toContain(secret);
}

describe('HubSpot signed requests', () => {
  it('maps the signed userEmail (any case) to the canonical user of portal hs-<portalId>', async () => {
    const res = await hubspotGet('/api/cards/v1/rep', 'ANA@acme.test');
    expect(res.status).toBe(200);
    expect(RepCardViewSchema.parse(res.body).rep.userId).toBe('ana');
  });

  it('refuses a forged signature (signed with another secret) with 401', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep', 'ana@acme.test', { secret: 'not-the-client-secret' }), 401, 'unauthenticated');
  });

  it('refuses a signature older than five minutes with 401, even though it was genuine', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep', 'ana@acme.test', { timestamp: NOW.getTime() - 301_000 }), 401, 'unauthenticated');
  });

  it('refuses a signed URL whose query was altered afterwards (another user email swapped in)', async () => {
    const call = hubspotCall('GET', '/api/cards/v1/rep', { email: 'ana@acme.test' });
    const tampered = call.path.replace('ana%40acme.test', 'mia%40acme.test');
    expectRefused(await request(url).get(tampered).set(call.headers), 401, 'unauthenticated');
  });

  it('refuses an unsigned request and one without any credential with 401', async () => {
    expectRefused(await request(url).get('/api/cards/v1/rep?portalId=111&userId=1&userEmail=ana%40acme.test'), 401, 'unauthenticated');
  });

  it('refuses a HubSpot user whose email is not a user of the tenant with 403', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep', 'stranger@acme.test'), 403, 'forbidden');
  });

  it('recognises the installing admin, who is no owner, by the email the install recorded: any rep, but no card of their own', async () => {
    const rep = await hubspotGet('/api/cards/v1/rep?subjectId=cal', 'Owner@acme.test');
    expect(rep.status).toBe(200);
    const view = RepCardViewSchema.parse(rep.body);
    expect(view.rep.userId).toBe('cal');
    expect(view.viewer.roles).toEqual(['admin']);
    const own = await hubspotGet('/api/cards/v1/rep', 'owner@acme.test');
    expectRefused(own, 404, 'not_found');
    expect(ApiErrorSchema.parse(own.body).error.message).toMatch(/admin of this account with no figures of your own/);
    // The settings page's connection check, and a deal record, work for them too: the deal card shows
    // what the deal pays its owner (ana's d1: 40,000 at 2 % = 800.00 in the fixture's plan).
    const me = await hubspotGet('/api/cards/v1/me', 'owner@acme.test');
    expect(me.status).toBe(200);
    expect(MeViewSchema.parse(me.body).viewer).toEqual({ userId: 'owner@acme.test', name: 'owner@acme.test', roles: ['admin'] });
    const deal = await hubspotGet('/api/cards/v1/deals/d1', 'owner@acme.test');
    expect(deal.status).toBe(200);
    const card = DealCardViewSchema.parse(deal.body);
    expect([card.payee.userId, card.commission?.amount]).toEqual(['ana', '800.00']);
    // An admin recorded with HubSpot's mixed case is recognised by the signed (lower-cased) email.
    expect((await hubspotGet('/api/cards/v1/rep?subjectId=cal', 'boss@acme.test')).status).toBe(200);
    // The same email in another portal is nobody there.
    expectRefused(await hubspotGet('/api/cards/v1/rep?subjectId=cal', 'owner@acme.test', { portalId: OTHER_PORTAL }), 403, 'forbidden');
  });

  it('refuses a portal that never installed the app with 401', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep', 'ana@acme.test', { portalId: '999' }), 401, 'unauthenticated');
  });
});

describe('roles: reps, managers and admins', () => {
  it("a rep asking for another rep's card is refused with 403", async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep?subjectId=ben', 'ana@acme.test'), 403, 'forbidden');
  });

  it("a rep asking for another rep's pay on a deal, or its explanation, is refused with 403", async () => {
    expectRefused(await hubspotGet('/api/cards/v1/deals/b1?rep=ben', 'ana@acme.test'), 403, 'forbidden');
    expectRefused(await hubspotGet('/api/cards/v1/explain?figure=earnings-to-date&subjectId=ben', 'ana@acme.test'), 403, 'forbidden');
  });

  it('a rep asking for a manager card of someone else is refused with 403', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/manager?managerId=mia', 'ana@acme.test'), 403, 'forbidden');
  });

  it('a manager outside the hierarchy (zed manages cal, not ana) is refused with 403', async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep?subjectId=ana', 'zed@acme.test'), 403, 'forbidden');
    expectRefused(await hubspotGet('/api/cards/v1/manager?managerId=mia', 'zed@acme.test'), 403, 'forbidden');
  });

  it('a manager sees a report; an admin sees anyone in the tenant', async () => {
    expect((await hubspotGet('/api/cards/v1/rep?subjectId=ana', 'mia@acme.test')).status).toBe(200);
    const admin = await hubspotGet('/api/cards/v1/rep?subjectId=cal', 'ada@acme.test');
    expect(admin.status).toBe(200);
    expect(RepCardViewSchema.parse(admin.body).viewer.roles).toContain('admin');
  });

  it("another tenant's person, deal and explanation are not found (404) from this tenant, even for an admin", async () => {
    expectRefused(await hubspotGet('/api/cards/v1/rep?subjectId=oli', 'ada@acme.test'), 404, 'not_found');
    expectRefused(await hubspotGet('/api/cards/v1/deals/x1', 'ada@acme.test'), 404, 'not_found');
    expectRefused(await hubspotGet('/api/cards/v1/explain?figure=deal-paid&dealId=x1', 'ada@acme.test'), 404, 'not_found');
  });

  it("a tenant id in the request is ignored: a signed call from portal 111 naming portal 222's tenant still reads 111", async () => {
    const res = await hubspotGet(`/api/cards/v1/rep?tenantId=hs-${OTHER_PORTAL}`, 'ana@acme.test');
    expect(res.status).toBe(200);
    expect(res.body.rep.userId).toBe('ana');
  });

  it("a coaching prompt of another manager cannot be actioned (404), and nothing is enqueued", async () => {
    const [prompt] = await database.db.selectFrom('coaching_prompts').select('id').where('tenant_id', '=', TENANT).where('manager_id', '=', 'mia').execute();
    const raw = JSON.stringify({ idempotencyKey: 'zed-key-000001' });
    const call = hubspotCall('POST', `/api/cards/v1/manager/prompts/${prompt!.id}/tasks`, { email: 'zed@acme.test' }, { body: raw });
    const before = running.enqueued.length;
    const res = await request(url).post(call.path).set(call.headers).set('content-type', 'application/json').send(raw);
    expectRefused(res, 404, 'not_found');
    expect(running.enqueued.length).toBe(before);
  });
});

describe('Salesforce org credential', () => {
  const sfGet = (path: string, headers: Record<string, string>) => request(url).get(path).set(headers);

  it('the credential names the org, X-SPM-SF-User the canonical user', async () => {
    const res = await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': SF_REP, 'x-spm-sf-org': SF_ORG });
    expect(res.status).toBe(200);
    // 50,000 won against 100,000: 50 % (tier 1 ends exactly there), 50,000 × 2 % = 1,000.
    expect(res.body.rep.userId).toBe(SF_REP);
    expect(res.body.earnings.toDate.amount).toBe('1000.00');
    // A 15-character User Id (Apex can send either form) is the same user.
    expect((await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': SF_REP.slice(0, 15) })).body.rep.userId).toBe(SF_REP);
  });

  it('a missing, malformed or wrong credential is refused with 401', async () => {
    expectRefused(await sfGet('/api/cards/v1/rep', { 'x-spm-sf-user': SF_REP }), 401, 'unauthenticated');
    expectRefused(await sfGet('/api/cards/v1/rep', { authorization: 'Bearer spm_sf_nonsense', 'x-spm-sf-user': SF_REP }), 401, 'unauthenticated');
    const wrongSecret = sfCredential.slice(0, sfCredential.indexOf('.') + 1) + 'A'.repeat(43);
    expectRefused(await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${wrongSecret}`, 'x-spm-sf-user': SF_REP }), 401, 'unauthenticated');
  });

  it('a credential presented with another org id is refused with 401', async () => {
    expectRefused(await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': SF_REP, 'x-spm-sf-org': '00D000000000009ZZZ' }), 401, 'unauthenticated');
  });

  it('a missing user header is refused with 401; a user the org does not have with 403', async () => {
    expectRefused(await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${sfCredential}` }), 401, 'unauthenticated');
    expectRefused(await sfGet('/api/cards/v1/rep', { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': '005000000000099ZZZ' }), 403, 'forbidden');
  });

  it("a Salesforce rep asking for a colleague's card is refused with 403", async () => {
    expectRefused(await sfGet(`/api/cards/v1/rep?subjectId=${SF_OTHER_REP}`, { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': SF_REP }), 403, 'forbidden');
  });

  it('the org credential cannot reach HubSpot tenant ids (404)', async () => {
    expectRefused(await sfGet('/api/cards/v1/deals/d1', { authorization: `Bearer ${sfCredential}`, 'x-spm-sf-user': SF_REP }), 404, 'not_found');
  });

  it('a revoked credential stops working', async () => {
    const issued = await issueSalesforceCredential(database.db, SF_TENANT, 'test', 'to revoke');
    const headers = { authorization: `Bearer ${issued.credential}`, 'x-spm-sf-user': SF_REP };
    expect((await sfGet('/api/cards/v1/rep', headers)).status).toBe(200);
    await revokeSalesforceCredential(database.db, SF_TENANT, issued.id, 'test');
    // The verifier re-reads the row after CARD_CACHE_CHECK_MS (0 in tests).
    expectRefused(await sfGet('/api/cards/v1/rep', headers), 401, 'unauthenticated');
  });

  it('only a hash of the secret is stored', async () => {
    const rows = await database.db.selectFrom('card_api_credentials').select(['secret_hash']).execute();
    const secret = sfCredential.slice(sfCredential.indexOf('.') + 1);
    for (const r of rows) expect(r.secret_hash).not.toContain(secret);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secret_hash))).toBe(true);
  });
});

describe('admin console sessions', () => {
  const cookie = (claims: { tenantId: string; userId: string; roles: Array<'rep' | 'manager' | 'admin'>; exp?: number }, secret = SESSION_SECRET) =>
    `${SESSION_COOKIE}=${encodeSession({ ...claims, exp: claims.exp ?? NOW.getTime() + 3_600_000 }, secret)}`;

  it('the login callback issues an httpOnly, SameSite=Lax, signed cookie that opens the admin API', async () => {
    // Stands in for the connectors' OAuth login callback, which calls issueSession once the CRM has named the user.
    const login = express();
    login.get('/callback', (_req, res) => {
      issueSession(res, sessionSettings(testConfig()), { tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'] }, NOW.getTime());
      res.end();
    });
    const issued = await request(login).get('/callback');
    const setCookie = String(issued.headers['set-cookie']);
    expect(setCookie).toMatch(/^spm_session=[^;]+; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const res = await request(url).get('/api/admin/salesforce-credentials').set('cookie', setCookie.split(';')[0]!);
    expect(res.status).toBe(200);
    expect(res.body.credentials.length).toBeGreaterThan(0);
  });

  it('/api/admin/** needs a session (401) with the admin role (403)', async () => {
    expectRefused(await request(url).get('/api/admin/salesforce-credentials'), 401, 'unauthenticated');
    expectRefused(await request(url).get('/api/admin/salesforce-credentials').set('cookie', cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['rep'] })), 403, 'forbidden');
  });

  it('a tampered, foreign-secret or expired cookie is no session (401)', async () => {
    const good = cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'] });
    const [payload, signature] = good.slice(SESSION_COOKIE.length + 1).split('.') as [string, string];
    const escalated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), tenantId: TENANT })).toString('base64url');
    expectRefused(await request(url).get('/api/admin/salesforce-credentials').set('cookie', `${SESSION_COOKIE}=${escalated}.${signature}`), 401, 'unauthenticated');
    expectRefused(await request(url).get('/api/admin/salesforce-credentials').set('cookie', cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'] }, 'another-secret-another-secret-another-secret')), 401, 'unauthenticated');
    expectRefused(await request(url).get('/api/admin/salesforce-credentials').set('cookie', cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'], exp: NOW.getTime() - 1 })), 401, 'unauthenticated');
  });

  it('an admin mints a Salesforce credential once and it authenticates card requests for that org only', async () => {
    const res = await request(url).post('/api/admin/salesforce-credentials').set('cookie', cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'] })).send({ label: 'prod org' });
    expect(res.status).toBe(201);
    expect(res.body.credential).toMatch(/^spm_sf_[0-9a-f]{16}\./);
    const card = await request(url).get('/api/cards/v1/rep').set({ authorization: `Bearer ${res.body.credential}`, 'x-spm-sf-user': SF_REP });
    expect(card.status).toBe(200);
    const list = await request(url).get('/api/admin/salesforce-credentials').set('cookie', cookie({ tenantId: SF_TENANT, userId: SF_REP, roles: ['admin'] }));
    expect(JSON.stringify(list.body)).not.toContain(res.body.credential.split('.')[1]);
  });

  it('a session opens cards too, scoped to its own tenant', async () => {
    const res = await request(url).get('/api/cards/v1/rep?userId=ana').set('cookie', cookie({ tenantId: TENANT, userId: 'mia', roles: [] }));
    expect(res.status).toBe(200);
    expectRefused(await request(url).get('/api/cards/v1/rep?userId=oli').set('cookie', cookie({ tenantId: TENANT, userId: 'mia', roles: ['admin'] })), 404, 'not_found');
  });
});

describe('configuration', () => {
  it('names every missing or invalid variable and how to fix it', () => {
    let error: unknown;
    try {
      loadConfig({ SESSION_SECRET: 'short', CARD_API_TRUST_PROXY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/SESSION_SECRET: must be at least 32 characters/);
    expect((error as ConfigError).problems.join('\n')).toMatch(/CARD_API_TRUST_PROXY/);
  });
});

describe('health', () => {
  it('/healthz and /readyz answer without authentication', async () => {
    expect((await request(url).get('/healthz')).body).toEqual({ ok: true });
    expect((await request(url).get('/readyz')).status).toBe(200);
  });
});
