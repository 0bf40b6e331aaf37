import { afterEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandboxes/salesforce/index.js';
import { connect, failure, startSmallSandbox } from './support.js';

let sandbox: SalesforceSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('API limits and faults', () => {
  it('fails with 403 REQUEST_LIMIT_EXCEEDED once the daily allocation is used up', async () => {
    sandbox = await startSmallSandbox({ dailyApiLimit: 3 }, 10);
    const conn = connect(sandbox);
    await conn.query('SELECT Id FROM User LIMIT 1');
    const limits = await conn.limits();
    // The limits call itself is the 2nd of 3 requests.
    expect(limits['DailyApiRequests']).toEqual({ Max: 3, Remaining: 1 });
    await conn.query('SELECT Id FROM User LIMIT 1');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 3, limit: 3 } });
    const err = await failure(conn.query('SELECT Id FROM User LIMIT 1'));
    expect(err).toEqual({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
  });

  it('injects 5xx: jsforce does not retry a POST, and retries a GET until it succeeds', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const conn = connect(sandbox);
    sandbox.faults.failNext(1, { status: 503 });
    const err = await failure(conn.sobject('Task').create({ Subject: 'Call back' }));
    expect(err.errorCode).toBe('SERVER_UNAVAILABLE');
    sandbox.faults.failNext(1, { status: 503 });
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(10);
  });

  it('caps concurrent requests: queued requests all finish and never more than the cap run at once', async () => {
    sandbox = await startSmallSandbox({ maxConcurrentRequests: 2, latencyMs: 20 }, 10);
    const conn = connect(sandbox);
    const results = await Promise.all(Array.from({ length: 6 }, () => conn.query('SELECT COUNT() FROM Opportunity')));
    expect(results.map((r) => r.totalSize)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(sandbox.stats().maxInFlight).toBeLessThanOrEqual(2);
    expect(sandbox.stats().requestsByRoute['GET query']).toBe(6);
  });

  it('in reject mode, requests over the cap fail with REQUEST_LIMIT_EXCEEDED and are counted', async () => {
    sandbox = await startSmallSandbox({ maxConcurrentRequests: 1, concurrencyMode: 'reject', latencyMs: 300 }, 10);
    const conn = connect(sandbox);
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => conn.query('SELECT COUNT() FROM Opportunity')));
    const rejected = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.errorCode);
    // One request holds the only slot for 300 ms; the three sent alongside it are turned away.
    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected)).toEqual(new Set(['REQUEST_LIMIT_EXCEEDED']));
    expect(sandbox.stats().rejected).toBe(rejected.length);
    expect(outcomes.length - rejected.length).toBe(sandbox.stats().requestsByRoute['GET query']);
  });
});

describe('writes and replication endpoints', () => {
  it('creates a Task linked to an opportunity and reads it back', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const conn = connect(sandbox);
    const opp = sandbox.org.table('Opportunity').rows[0]!;
    const result = await conn.sobject('Task').create({ Subject: 'Commission statement reviewed', WhatId: opp['Id'], ActivityDate: '2025-06-30', Status: 'Completed', TaskSubtype: 'Task' });
    expect(result).toEqual({ id: expect.stringMatching(/^00T[0-9A-Za-z]{15}$/), success: true, errors: [] });
    const back = await conn.query<Record<string, unknown>>(`SELECT Subject, WhatId, OwnerId, IsClosed, Status FROM Task WHERE Id = '${(result as { id: string }).id}'`);
    expect(back.records[0]).toMatchObject({ Subject: 'Commission statement reviewed', WhatId: opp['Id'], OwnerId: sandbox.integrationUserId, IsClosed: true, Status: 'Completed' });
    const bad = await failure(conn.sobject('Task').create({ Subject: 'x', Commission__c: 5 }));
    expect(bad.errorCode).toBe('INVALID_FIELD');
    const dangling = await failure(conn.sobject('Task').create({ Subject: 'x', WhatId: '0065g00000ZZZZZAAA' }));
    expect(dangling.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
  });

  it('reports updated and deleted ids within the replication windows', async () => {
    let clock = Date.parse('2026-02-10T12:00:30Z');
    sandbox = await startSmallSandbox({ now: () => clock }, 10);
    const conn = connect(sandbox);
    const [a, b] = sandbox.org.table('Opportunity').rows.map((r) => r['Id'] as string);
    sandbox.mutations.updateOpportunity(a!, { Amount: 12345.5 });
    clock += 60_000;
    sandbox.mutations.deleteOpportunity(b!);
    clock += 60_000;
    const start = new Date('2026-02-10T12:00:00Z');
    const end = new Date(clock);
    const updated = await conn.sobject('Opportunity').updated(start, end);
    // Minute precision: the update at 12:00:30 is inside [12:00, 12:02).
    expect(updated).toEqual({ ids: [a], latestDateCovered: '2026-02-10T12:02:00.000+0000' });
    const deleted = await conn.sobject('Opportunity').deleted(start, end);
    expect(deleted.deletedRecords).toEqual([{ id: b, deletedDate: '2026-02-10T12:01:30.000+0000' }]);
    expect(deleted.earliestDateAvailable).toBe('2026-01-26T12:02:00.000+0000'); // 15 days back
    const tooOld = await failure(conn.sobject('Opportunity').updated(new Date('2025-12-01T00:00:00Z'), end));
    expect(tooOld.errorCode).toBe('INVALID_REPLICATION_DATE');
    // After the log is purged, a client must notice that its deletion watermark is too old.
    sandbox.mutations.purgeDeleteLog('Opportunity');
    const purged = await conn.sobject('Opportunity').deleted(start, end);
    expect(purged.deletedRecords).toEqual([]);
    expect(purged.earliestDateAvailable).toBe('2026-02-10T12:02:00.000+0000');
  });

  it('recomputes split amounts, and rejects revenue splits that do not total 100 %', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const conn = connect(sandbox);
    const opp = sandbox.org.table('Opportunity').rows[0]!;
    const users = sandbox.org.table('User').rows.filter((u) => u['Id'] !== sandbox!.integrationUserId);
    expect(() => sandbox!.mutations.setSplits(opp['Id'] as string, [{ ownerId: users[0]!['Id'] as string, percent: '60', type: 'Revenue' }, { ownerId: users[1]!['Id'] as string, percent: '30', type: 'Revenue' }])).toThrow(/total 100%; they total 90%/);
    sandbox.mutations.updateOpportunity(opp['Id'] as string, { Amount: '1000.01' });
    sandbox.mutations.setSplits(opp['Id'] as string, [
      { ownerId: users[0]!['Id'] as string, percent: '66.67', type: 'Revenue' },
      { ownerId: users[1]!['Id'] as string, percent: '33.33', type: 'Revenue' },
      { ownerId: users[2]!['Id'] as string, percent: '150', type: 'Overlay' },
    ]);
    const splits = await conn.query<{ SplitPercentage: number; SplitAmount: number; SplitType: { DeveloperName: string } }>(`SELECT SplitPercentage, SplitAmount, SplitType.DeveloperName FROM OpportunitySplit WHERE OpportunityId = '${opp['Id']}' ORDER BY SplitPercentage DESC`);
    // 1000.01 × 150 % = 1500.015 → 1500.02; × 66.67 % = 666.706667 → 666.71; × 33.33 % = 333.303333 → 333.30 (half up, to the cent).
    expect(splits.records.map((s) => [s.SplitType.DeveloperName, s.SplitPercentage, s.SplitAmount])).toEqual([
      ['Overlay', 150, 1500.02],
      ['Revenue', 66.67, 666.71],
      ['Revenue', 33.33, 333.3],
    ]);
  });

  it('offers the mutations over HTTP for out-of-process tests, with the canonical ↔ Salesforce id map', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const conn = connect(sandbox);
    const idMap = (await (await fetch(`${sandbox.url}/__sandbox/idmap`)).json()) as { kind: string; canonicalId: string; salesforceId: string }[];
    const deal = idMap.find((e) => e.kind === 'deal')!;
    expect(deal.salesforceId).toMatch(/^006/);
    const patched = await fetch(`${sandbox.url}/__sandbox/opportunities/${deal.canonicalId}`, { method: 'PATCH', body: JSON.stringify({ Amount: '777.77' }) });
    expect(patched.status).toBe(200);
    const rec = await conn.sobject('Opportunity').retrieve(deal.salesforceId);
    expect(rec['Amount']).toBe(777.77);
    // Retrieve many goes through the composite resource (after a describe for the field list).
    const many = await conn.sobject('Opportunity').retrieve([deal.salesforceId, '0065g00000ZZZZZAAA']);
    expect(many.map((r) => r?.['Amount'] ?? null)).toEqual([777.77, null]);
    const bad = await fetch(`${sandbox.url}/__sandbox/opportunities/${deal.canonicalId}`, { method: 'PATCH', body: JSON.stringify({ Stage: 'x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
  });

  it('gives a new opportunity its owner\'s 100 % Revenue split, which follows an owner change', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const conn = connect(sandbox);
    const [first, second] = sandbox.org.table('User').rows.filter((u) => u['Id'] !== sandbox!.integrationUserId).map((u) => u['Id'] as string);
    const created = (await conn.sobject('Opportunity').create({ Name: 'Fabrikam expansion', StageName: 'Qualified to buy', CloseDate: '2025-09-30', Amount: 5000, OwnerId: first })) as { id: string };
    const splitsOf = async () => (await conn.query<{ SplitOwnerId: string; SplitPercentage: number; SplitAmount: number }>(`SELECT SplitOwnerId, SplitPercentage, SplitAmount FROM OpportunitySplit WHERE OpportunityId = '${created.id}'`)).records.map((r) => [r.SplitOwnerId, r.SplitPercentage, r.SplitAmount]);
    expect(await splitsOf()).toEqual([[first, 100, 5000]]);
    const opp = await conn.query<{ Probability: number; IsClosed: boolean; ForecastCategoryName: string }>(`SELECT Probability, IsClosed, ForecastCategoryName FROM Opportunity WHERE Id = '${created.id}'`);
    // "Qualified to buy" has probability 0.2 in the generator → 20 %, below 40 % → Pipeline.
    expect(opp.records[0]).toMatchObject({ Probability: 20, IsClosed: false, ForecastCategoryName: 'Pipeline' });
    await conn.sobject('Opportunity').update({ Id: created.id, OwnerId: second });
    expect(await splitsOf()).toEqual([[second, 100, 5000]]);
  });
});
