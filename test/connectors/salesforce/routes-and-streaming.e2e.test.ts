import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installed } from '../../../connectors/core/installed.js';
import { createSalesforceRouter, subscribeChangeEvents } from '../../../connectors/salesforce/index.js';
import { loadDeals } from '../../../worker/src/db/records.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ORG } from './fixture.js';
import { jobContext, startHarness, type Harness } from './harness.js';

/**
 * The Express routes the backend mounts (connect → Salesforce consent → callback), and a
 * Change Data Capture stream that outlives an expired session instead of stopping silently.
 */
describe('Salesforce routes and CDC streaming', () => {
  let t: TestDatabase;
  let h: Harness;
  let app: express.Express;
  const installed: Installed[] = [];

  beforeAll(async () => {
    t = await createServerDatabase();
    h = await startHarness(t.db, ORG);
    app = express();
    app.use('/oauth/salesforce', createSalesforceRouter(h.config, { db: t.db, cipher: h.cipher, enqueue: h.deps.enqueue }, async (_res, who) => void installed.push(who)));
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('refuses a login host that is not Salesforce', async () => {
    const res = await request(app).get('/oauth/salesforce/connect').query({ loginUrl: 'https://evil.example.com' }).expect(400);
    expect(res.body.message).toMatch(/not a Salesforce login host.*my\.salesforce\.com/);
  });

  it('connects through the consent redirect with PKCE and refuses a replayed callback', async () => {
    const start = await request(app).get('/oauth/salesforce/connect').query({ returnTo: '/admin/integrations' }).expect(302);
    const authorize = new URL(start.headers['location']!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${h.sandbox.url}/services/oauth2/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const consent = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const done = await request(app).get(`/oauth/salesforce/callback${back.search}`).expect(302);
    expect(done.headers['location']).toBe(`/admin/integrations?tenant=${encodeURIComponent(`sf-${h.seeded.org.orgId}`)}`);
    h.tenantId = `sf-${h.seeded.org.orgId}`;
    // The user who approved the consent (the identity URL's user) is handed to the app, which signs them in as the org's first admin.
    expect(installed).toEqual([{ tenantId: h.tenantId, userId: h.seeded.org.integrationUserId }]);
    const replay = await request(app).get(`/oauth/salesforce/callback${back.search}`).expect(400);
    expect(replay.body.error).toBe('invalid_state');
  });

  it('keeps streaming after the session expires: re-authenticates and resumes from the last replay id', async () => {
    await h.syncAll();
    const errors: Error[] = [];
    const subscription = await subscribeChangeEvents(h.config, { db: t.db, cipher: h.cipher, enqueue: h.deps.enqueue }, h.tenantId, { batchMs: 20, onError: (e) => errors.push(e) });
    const d2 = h.seeded.idMap.salesforceId('deal', 'd2')!;
    const batches = () => h.jobs.filter((j) => j.name === 'process-webhook-batch');
    try {
      await subscription.ready;
      h.sandbox.mutations.updateOpportunity(d2, { Amount: 31000 });
      await waitFor(() => (batches().length >= 1 ? true : undefined));
      // Every token dies; the next change is made while the stream is re-authenticating.
      h.sandbox.faults.expireSessions();
      h.sandbox.mutations.updateOpportunity(d2, { Amount: 52000 });
      const second = await waitFor(() => batches()[1], 15_000);
      await h.connector.processEvents(second.payload as never, h.deps, jobContext());
      expect((await loadDeals(t.db, h.tenantId, [d2])).get(d2)?.amount.toString()).toBe('52000');
      expect(errors).toEqual([]);
    } finally {
      await subscription.stop();
    }
  });

  it('does not redirect to another site after the install, whether returnTo reads "//host" or "/\\host"', async () => {
    for (const evil of ['//evil.example/x', '/\\evil.example/x']) {
      const start = await request(app).get('/oauth/salesforce/connect').query({ returnTo: evil }).expect(302);
      const consent = await fetch(new URL(start.headers['location']!), { redirect: 'manual' });
      const back = new URL(consent.headers.get('location')!);
      const done = await request(app).get(`/oauth/salesforce/callback${back.search}`);
      expect([done.status, done.headers['location']], evil).toEqual([200, undefined]);
      expect(done.body).toEqual({ connected: true, tenantId: `sf-${h.seeded.org.orgId}` });
    }
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
