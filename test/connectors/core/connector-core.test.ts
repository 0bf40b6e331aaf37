import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Decimal } from '../../../shared/src/money/decimal.js';
import { crmSyncHandlers, firstSyncCause, SyncPausedError, type CrmConnector } from '../../../connectors/core/crm-connector.js';
import { consumeState, issueState } from '../../../connectors/core/oauth-states.js';
import { recordNewEvents } from '../../../connectors/core/event-receipts.js';
import { writeSyncPage } from '../../../connectors/core/sync-sink.js';
import { markDisconnected, readConnection, recordInstall, storeRefreshedTokens } from '../../../connectors/core/tenant-connections.js';
import { importDataset } from '../../../worker/src/db/import-dataset.js';
import type { SyncObject } from '../../../worker/src/queues/families.js';
import { jobContext, jobDeps } from '../hubspot/support.js';
import { readCursor } from '../../../worker/src/db/sync-cursors.js';
import type { Enqueue } from '../../../worker/src/queues/handler-registry.js';
import { TokenCipher } from '../../../worker/src/secrets/token-cipher.js';
import { DATABASE_TARGETS, type TestDatabase } from '../../support/databases.js';
import { dataset, won } from '../../support/tenant-builder.js';

const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });

// Ana reports to Mia, who reports to Zoe; a change to Ana's deal can move the three's pay,
// and nobody else's. Cy and Dee manage each other (bad CRM data): reading chains must still end.
const tenant = dataset({
  tenant: { id: 'hs-101', name: 'Acme', currency: 'USD' },
  users: [{ id: 'ana', name: 'Ana' }, { id: 'mia', name: 'Mia' }, { id: 'zoe', name: 'Zoe' }, { id: 'bob', name: 'Bob' }, { id: 'cy', name: 'Cy' }, { id: 'dee', name: 'Dee' }],
  managers: [
    { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
    { userId: 'mia', managerId: 'zoe', from: '2026-01-01' },
    { userId: 'cy', managerId: 'dee', from: '2026-01-01' },
    { userId: 'dee', managerId: 'cy', from: '2026-01-01' },
  ],
  deals: [won('d1', 'ana', '40000', '2026-07-10'), won('d2', 'bob', '10000', '2026-07-11')],
});

describe.each(DATABASE_TARGETS)('connector core on %s', (_name, create) => {
  let t: TestDatabase;
  const enqueued: Array<{ family: string; name: string; payload: Record<string, unknown> }> = [];
  const enqueue: Enqueue = async (family, name, payload) => {
    enqueued.push({ family, name, payload: payload as Record<string, unknown> });
    return { jobId: `${family}/${name}/${enqueued.length}` };
  };

  beforeAll(async () => {
    t = await create();
    await recordInstall(t.db, cipher, { source: 'hubspot', externalId: '101', name: 'Acme', homeCurrency: 'USD', tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: new Date('2026-08-01T00:30:00Z'), scopes: ['crm.objects.deals.read'] }, settings: { appId: '42' } });
    await importDataset(t.db, tenant, { source: 'hubspot', externalId: '101', modifiedAt: '2026-07-01T00:00:00Z', actor: 'test' });
  });
  afterAll(async () => t?.drop());

  it('stores tokens encrypted, keeps a rotated refresh token, and disconnecting keeps the data', async () => {
    const raw = await t.db.selectFrom('crm_connections').selectAll().where('tenant_id', '=', 'hs-101').executeTakeFirstOrThrow();
    expect(raw.access_token_enc).not.toContain('at-1');
    expect(raw.refresh_token_enc).not.toContain('rt-1');
    await storeRefreshedTokens(t.db, cipher, 'hs-101', { accessToken: 'at-2', expiresAt: new Date('2026-08-01T01:00:00Z') });
    let c = await readConnection(t.db, cipher, 'hs-101');
    expect([c?.accessToken, c?.refreshToken, c?.settings['appId']]).toEqual(['at-2', 'rt-1', '42']);
    await storeRefreshedTokens(t.db, cipher, 'hs-101', { accessToken: 'at-3', refreshToken: 'rt-2', expiresAt: new Date('2026-08-01T02:00:00Z') });
    c = await readConnection(t.db, cipher, 'hs-101');
    expect([c?.accessToken, c?.refreshToken]).toEqual(['at-3', 'rt-2']);

    await markDisconnected(t.db, 'hs-101', 'refresh answered invalid_grant');
    c = await readConnection(t.db, cipher, 'hs-101');
    expect([c?.status, c?.tenantStatus, c?.accessToken, c?.refreshToken]).toEqual(['revoked', 'disconnected', null, null]);
    const deals = await t.db.selectFrom('deals').select('id').where('tenant_id', '=', 'hs-101').execute();
    expect(deals).toHaveLength(2);
    // Installing again reactivates the same tenant with its history.
    await recordInstall(t.db, cipher, { source: 'hubspot', externalId: '101', name: 'Acme', homeCurrency: 'USD', tokens: { accessToken: 'at-4', refreshToken: 'rt-4', expiresAt: new Date('2026-08-02T00:00:00Z') } });
    c = await readConnection(t.db, cipher, 'hs-101');
    expect([c?.status, c?.tenantStatus, c?.accessToken]).toEqual(['connected', 'active', 'at-4']);
  });

  it('an OAuth state is accepted once, for its own CRM, and carries the PKCE verifier back', async () => {
    const state = await issueState(t.db, cipher, { source: 'salesforce', codeVerifier: 'verifier-xyz', loginUrl: 'https://test.salesforce.com' });
    await expect(consumeState(t.db, cipher, 'hubspot', state)).rejects.toThrow(/unknown or already used state/);
    const pending = await consumeState(t.db, cipher, 'salesforce', state);
    expect([pending.codeVerifier, pending.loginUrl]).toEqual(['verifier-xyz', 'https://test.salesforce.com']);
    await expect(consumeState(t.db, cipher, 'salesforce', state)).rejects.toThrow(/unknown or already used state/);
    await expect(consumeState(t.db, cipher, 'salesforce', undefined)).rejects.toThrow(/no state parameter/);
    const old = await issueState(t.db, cipher, { source: 'hubspot' }, new Date('2026-01-01T00:00:00Z'));
    await expect(consumeState(t.db, cipher, 'hubspot', old)).rejects.toThrow(/unknown or already used state|expired/);
  });

  it('an OAuth state keeps a returnTo only when it is a path on this site (no open redirect after the install)', async () => {
    const kept = async (returnTo: string) => (await consumeState(t.db, cipher, 'hubspot', await issueState(t.db, cipher, { source: 'hubspot', returnTo }))).returnTo;
    expect(await kept('/console?tab=crm')).toBe('/console?tab=crm');
    // Browsers read "/\host" like "//host": both leave the site.
    for (const evil of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/x', 'evil.example', '']) expect(await kept(evil), evil).toBeUndefined();
  });

  it('a redelivered event is recorded once', async () => {
    const first = await recordNewEvents(t.db, 'hs-101', 'hubspot', [{ id: 'e1', payload: { a: 1 } }, { id: 'e2', payload: {} }, { id: 'e1', payload: { a: 1 } }]);
    const again = await recordNewEvents(t.db, 'hs-101', 'hubspot', [{ id: 'e2', payload: {} }, { id: 'e3', payload: {} }]);
    expect(first.sort()).toEqual(['e1', 'e2']);
    expect(again).toEqual(['e3']);
  });

  it('a page moves its cursor with its records, recomputes exactly the people it touches, and a replay changes nothing', async () => {
    enqueued.length = 0;
    const d1 = { ...tenant.deals[0]!, amount: new Decimal('45000'), sourceVersion: 'v2' };
    const outcome = await writeSyncPage({ db: t.db, enqueue }, { tenantId: 'hs-101', source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: { since: '2026-07-15T00:00:00Z' } }, { deals: [{ record: d1, modifiedAt: '2026-07-15T00:00:00Z' }] }, 'sync:deals:p1');
    // Ana owns d1, Mia manages Ana and Zoe manages Mia; Bob, Cy and Dee are untouched.
    expect(outcome.payees).toEqual(['ana', 'mia', 'zoe']);
    expect(enqueued).toEqual([{ family: 'compute', name: 'recompute-payees', payload: { tenantId: 'hs-101', payeeIds: ['ana', 'mia', 'zoe'], periodIds: ['2026-07'], cause: 'sync:deals:p1' } }]);
    expect(await readCursor(t.db, 'hs-101', 'hubspot', 'deals')).toEqual({ phase: 'incremental', cursor: { since: '2026-07-15T00:00:00Z' } });
    const stored = await t.db.selectFrom('deals').select('amount').where('tenant_id', '=', 'hs-101').where('id', '=', 'd1').executeTakeFirstOrThrow();
    expect(new Decimal(stored.amount).toString()).toBe('45000');

    enqueued.length = 0;
    const replay = await writeSyncPage({ db: t.db, enqueue }, { tenantId: 'hs-101', source: 'hubspot', object: 'deals' }, { phase: 'incremental', cursor: { since: '2026-07-15T00:00:00Z' } }, { deals: [{ record: d1, modifiedAt: '2026-07-15T00:00:00Z' }] }, 'sync:deals:p1-again');
    expect([replay.dealsChanged, replay.payees, enqueued]).toEqual([0, [], []]);
  });

  it('runs the first sync after an install stream by stream in dependency order; other syncs queue nothing', async () => {
    const tenantId = await recordInstall(t.db, cipher, { source: 'salesforce', externalId: '00D-first-sync', name: 'First sync', homeCurrency: 'USD', tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-08-01T00:30:00Z'), scopes: [] }, settings: {} });
    const synced: string[] = [];
    const failing = new Set<string>();
    const connector: CrmConnector = {
      source: 'salesforce',
      objects: ['users', 'pipelines', 'deals'],
      async syncObject(payload) {
        if (failing.has(payload.object)) throw new Error(`${payload.object} failed`);
        synced.push(payload.object);
        return { pages: 1, records: 1 };
      },
      processEvents: async () => ({ events: 0 }),
      taskWriter: { createTask: async () => 'x' } as unknown as CrmConnector['taskWriter'],
    };
    const queue: SyncObject[] = [];
    const deps = jobDeps(t.db, (async (_family: string, _name: string, payload: SyncObject) => {
      queue.push(payload);
      return { jobId: String(queue.length) };
    }) as unknown as Enqueue);
    const handler = crmSyncHandlers([connector])['sync-object']!;
    // The install queues the first stream; each one done queues the next, so deals come after their owners and stages.
    queue.push({ tenantId, source: 'salesforce', object: 'users', mode: 'incremental', cause: firstSyncCause(new Date('2026-07-01T00:00:00Z')) });
    while (queue.length > 0) await handler(queue.shift()!, deps, jobContext());
    expect(synced).toEqual(['users', 'pipelines', 'deals']);

    // A scheduled sync runs its own stream only.
    synced.length = 0;
    await handler({ tenantId, source: 'salesforce', object: 'users', mode: 'incremental', cause: 'schedule' }, deps, jobContext());
    expect([synced, queue]).toEqual([['users'], []]);

    // A stream that fails queues nothing after it (its job retries, and the chain goes on from there).
    failing.add('pipelines');
    await expect(handler({ tenantId, source: 'salesforce', object: 'pipelines', mode: 'incremental', cause: firstSyncCause(new Date()) }, deps, jobContext())).rejects.toThrow('pipelines failed');
    expect(queue).toEqual([]);
  });

  it('an object syncs only after every earlier object was attempted once, whatever the cause; a failure counts as an attempt', async () => {
    const tenantId = await recordInstall(t.db, cipher, { source: 'salesforce', externalId: '00D-order', name: 'Order', homeCurrency: 'USD', tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-08-01T00:30:00Z'), scopes: [] }, settings: {} });
    const calls: string[] = [];
    const failing = new Set<string>(['users']);
    const connector: CrmConnector = {
      source: 'salesforce',
      objects: ['users', 'pipelines', 'deals'],
      // Writes no cursor itself (like a stream with nothing to sync in the org): the handler records the attempt.
      async syncObject(payload) {
        calls.push(payload.object);
        if (failing.has(payload.object)) throw new Error(`${payload.object} failed`);
        return { pages: 1, records: 1 };
      },
      processEvents: async () => ({ events: 0 }),
      taskWriter: { createTask: async () => 'x' } as unknown as CrmConnector['taskWriter'],
    };
    const logs: Array<{ msg: string; object?: string; waitingFor?: string[] }> = [];
    const deps = { ...jobDeps(t.db, (async () => ({ jobId: 'x' })) as unknown as Enqueue), logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }) };
    const handler = crmSyncHandlers([connector])['sync-object']!;
    const scheduled = (object: string): SyncObject => ({ tenantId, source: 'salesforce', object, mode: 'incremental', cause: 'schedule' });

    // The schedules fire at once after an install: deals (and pipelines) before users was ever attempted make no call and sync nothing.
    expect(await handler(scheduled('deals'), deps, jobContext())).toEqual({ pages: 0, records: 0 });
    expect(await handler(scheduled('pipelines'), deps, jobContext())).toEqual({ pages: 0, records: 0 });
    expect(calls).toEqual([]);
    expect(await readCursor(t.db, tenantId, 'salesforce', 'deals')).toBeUndefined();
    expect(logs.filter((l) => l.waitingFor).map((l) => [l.object, l.waitingFor])).toEqual([['deals', ['users', 'pipelines']], ['pipelines', ['users']]]);

    // The first object always proceeds. A failure with retries left is not an attempt yet (the job runs again)...
    await expect(handler(scheduled('users'), deps, { ...jobContext(), attempt: 1, maxAttempts: 3 })).rejects.toThrow('users failed');
    expect(await readCursor(t.db, tenantId, 'salesforce', 'users')).toBeUndefined();
    // ...its last failure is recorded (the connector did not) and counts as one.
    await expect(handler(scheduled('users'), deps, jobContext())).rejects.toThrow('users failed');
    expect(calls).toEqual(['users', 'users']);
    const usersRow = await t.db.selectFrom('sync_cursors').select(['last_error', 'retry_after']).where('tenant_id', '=', tenantId).where('source', '=', 'salesforce').where('object', '=', 'users').executeTakeFirstOrThrow();
    expect([usersRow.last_error, usersRow.retry_after]).toEqual(['users failed', null]);

    // deals still waits for pipelines; pipelines proceeds after users failed once, and then deals does.
    expect(await handler(scheduled('deals'), deps, jobContext())).toEqual({ pages: 0, records: 0 });
    expect(await handler(scheduled('pipelines'), deps, jobContext())).toEqual({ pages: 1, records: 1 });
    expect(await handler(scheduled('deals'), deps, jobContext())).toEqual({ pages: 1, records: 1 });
    expect(calls).toEqual(['users', 'users', 'pipelines', 'deals']);
    // A run that wrote no page leaves an attempt row, which reads like no cursor at all.
    expect(await readCursor(t.db, tenantId, 'salesforce', 'pipelines')).toEqual({ phase: 'incremental', cursor: null });
  });

  it('a run that succeeds without writing a page clears the failure recorded before it, and has still synced nothing', async () => {
    const tenantId = await recordInstall(t.db, cipher, { source: 'salesforce', externalId: '00D-recovers', name: 'Recovers', homeCurrency: 'USD', tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-08-01T00:30:00Z'), scopes: [] }, settings: {} });
    let failing = true;
    const connector: CrmConnector = {
      source: 'salesforce',
      objects: ['quotas'],
      // Writes no page: the org's forecasting feature is off, so there are no quotas to sync.
      async syncObject() {
        if (failing) throw new Error('INVALID_TYPE: sObject type ForecastingQuota is not supported');
        return { pages: 0, records: 0 };
      },
      processEvents: async () => ({ events: 0 }),
      taskWriter: { createTask: async () => 'x' } as unknown as CrmConnector['taskWriter'],
    };
    const deps = jobDeps(t.db, (async () => ({ jobId: 'x' })) as unknown as Enqueue);
    const handler = crmSyncHandlers([connector])['sync-object']!;
    const job: SyncObject = { tenantId, source: 'salesforce', object: 'quotas', mode: 'incremental', cause: 'schedule' };
    const row = () => t.db.selectFrom('sync_cursors').select(['phase', 'last_error', 'retry_after', 'synced_at']).where('tenant_id', '=', tenantId).where('object', '=', 'quotas').executeTakeFirstOrThrow();

    // The first run's job gives up: its failure is recorded on a row that has synced nothing.
    await expect(handler(job, deps, jobContext())).rejects.toThrow('INVALID_TYPE');
    expect(await row()).toEqual({ phase: 'initial', last_error: 'INVALID_TYPE: sObject type ForecastingQuota is not supported', retry_after: null, synced_at: null });
    // The next run succeeds with nothing to write: no longer failing, no longer a first sync, and still nothing synced.
    failing = false;
    expect(await handler(job, deps, jobContext())).toEqual({ pages: 0, records: 0 });
    expect(await row()).toEqual({ phase: 'incremental', last_error: null, retry_after: null, synced_at: null });
    expect(await readCursor(t.db, tenantId, 'salesforce', 'quotas')).toEqual({ phase: 'incremental', cursor: null });
  });

  it("records the pause a connector's error carries with its failure, on the first attempt, until a run after the pause succeeds", async () => {
    const tenantId = await recordInstall(t.db, cipher, { source: 'salesforce', externalId: '00D-paused', name: 'Paused', homeCurrency: 'USD', tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-08-01T00:30:00Z'), scopes: [] }, settings: {} });
    const limitHitAt = new Date('2026-08-01T09:00:00Z');
    const pauseEnds = new Date('2026-08-01T10:00:00Z');
    let outcome: 'limit' | 'nothing to write' = 'limit';
    let calls = 0;
    const connector: CrmConnector = {
      source: 'salesforce',
      objects: ['users'],
      // Like the Salesforce connector: the daily limit throws a pause; with nothing to sync a run writes no page.
      async syncObject() {
        calls++;
        if (outcome === 'limit') throw new SyncPausedError('api_limit', 'the daily API allocation is used up (REQUEST_LIMIT_EXCEEDED)', pauseEnds);
        return { pages: 0, records: 0 };
      },
      processEvents: async () => ({ events: 0 }),
      taskWriter: { createTask: async () => 'x' } as unknown as CrmConnector['taskWriter'],
    };
    const at = (iso: string) => ({ ...jobDeps(t.db, (async () => ({ jobId: 'x' })) as unknown as Enqueue), clock: { now: () => new Date(iso) } });
    const handler = crmSyncHandlers([connector])['sync-object']!;
    const job: SyncObject = { tenantId, source: 'salesforce', object: 'users', mode: 'incremental', cause: 'schedule' };
    const row = async () => {
      const r = await t.db.selectFrom('sync_cursors').select(['last_error', 'retry_after']).where('tenant_id', '=', tenantId).where('object', '=', 'users').executeTakeFirstOrThrow();
      return { last_error: r.last_error, retry_after: r.retry_after && new Date(r.retry_after).toISOString() };
    };

    // Permanent: recorded at once, although the job has retries left, with the pause.
    await expect(handler(job, at(limitHitAt.toISOString()), { ...jobContext(), attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(SyncPausedError);
    const paused = { last_error: 'the daily API allocation is used up (REQUEST_LIMIT_EXCEEDED)', retry_after: '2026-08-01T10:00:00.000Z' };
    expect(await row()).toEqual(paused);
    expect(calls).toBe(1);
    // A run inside the pause (09:59 on the job's clock) is held by the handler, for any connector:
    // no call to the CRM, and the failure and the pause stay.
    outcome = 'nothing to write';
    await handler(job, at('2026-08-01T09:59:00Z'), jobContext());
    expect(calls).toBe(1);
    expect(await row()).toEqual(paused);
    // One after it (10:01) runs, succeeds and clears both.
    await handler(job, at('2026-08-01T10:01:00Z'), jobContext());
    expect(calls).toBe(2);
    expect(await row()).toEqual({ last_error: null, retry_after: null });
  });

  it('a change to people asks for a tenant-wide reconcile instead of guessing who is affected', async () => {
    enqueued.length = 0;
    const outcome = await writeSyncPage({ db: t.db, enqueue }, { tenantId: 'hs-101', source: 'hubspot', object: 'owners' }, { phase: 'incremental', cursor: null }, { users: [{ record: { ...tenant.users[2]!, name: 'Bob Jones' }, modifiedAt: '2026-07-16T00:00:00Z' }] }, 'sync:owners:p1');
    expect(outcome.fullRecompute).toBe(true);
    expect(enqueued).toEqual([{ family: 'compute', name: 'reconcile-tenant', payload: { tenantId: 'hs-101', cause: 'sync:owners:p1' } }]);
  });
});
