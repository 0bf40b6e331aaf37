import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandboxes/salesforce/index.js';
import { connect, failure, startSmallSandbox } from './support.js';

let sandbox: SalesforceSandbox;
beforeAll(async () => {
  sandbox = await startSmallSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('SOQL over REST through jsforce', () => {
  it('pages 450 opportunities in batches of 200 via nextRecordsUrl', async () => {
    const conn = connect(sandbox);
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string }>('SELECT Id, Name, Amount FROM Opportunity ORDER BY Id', { headers } as never);
    // 450 rows at 200 per batch: 200 + 200 + 50.
    expect(first.totalSize).toBe(450);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    // jsforce keeps only the locator (last path segment) and rebuilds the URL itself.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v64\.0\/query\/01g[0-9A-Za-z]{15}-200$/);
    const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl!, { headers } as never);
    expect(second.records).toHaveLength(200);
    expect(second.nextRecordsUrl).toMatch(/-400$/);
    const third = await conn.queryMore<{ Id: string }>(second.nextRecordsUrl!, { headers } as never);
    expect(third.records).toHaveLength(50);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    const ids = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
    expect(new Set(ids).size).toBe(450);
    expect([...ids].sort()).toEqual(ids);
    // The cursor is closed once read to the end.
    expect((await failure(conn.queryMore(second.nextRecordsUrl!))).errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('sends nextRecordsUrl on the wire as a path with a 01g locator', async () => {
    const conn = connect(sandbox);
    const raw = await conn.request<{ totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] }>({
      method: 'GET',
      url: `/services/data/v64.0/query?q=${encodeURIComponent('SELECT Id FROM Opportunity')}`,
      headers: { 'Sforce-Query-Options': 'batchSize=300' },
    });
    expect(Object.keys(raw)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
    expect(raw.nextRecordsUrl).toMatch(/^\/services\/data\/v64\.0\/query\/01g[0-9A-Za-z]{15}-300$/);
    expect(raw.records).toHaveLength(300);
  });

  it('autoFetch follows the locators to every record; the default batch is 2,000', async () => {
    const conn = connect(sandbox);
    const all = await conn.query('SELECT Id FROM Opportunity', { autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(450);
    const one = await conn.query('SELECT Id FROM Opportunity');
    expect(one.done).toBe(true);
    expect(one.records).toHaveLength(450);
  });

  it('returns records with attributes, nested relationship objects and typed values', async () => {
    const conn = connect(sandbox);
    const opp = sandbox.org.table('Opportunity').rows[0]!;
    const owner = sandbox.org.table('User').byId.get(opp['OwnerId'] as string)!;
    const res = await conn.query<Record<string, unknown>>(`SELECT Id, Amount, CloseDate, IsWon, SystemModstamp, Owner.Name, Owner.Manager.Id FROM Opportunity WHERE Id = '${opp['Id']}'`);
    const rec = res.records[0]!;
    expect(rec['attributes']).toEqual({ type: 'Opportunity', url: `/services/data/v64.0/sobjects/Opportunity/${opp['Id']}` });
    expect(rec['Amount']).toBe(Number(opp['Amount']));
    expect(rec['CloseDate']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rec['SystemModstamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    expect(rec['Owner']).toEqual({
      attributes: { type: 'User', url: `/services/data/v64.0/sobjects/User/${owner['Id']}` },
      Name: owner['Name'],
      Manager: { attributes: { type: 'User', url: `/services/data/v64.0/sobjects/User/${owner['ManagerId']}` }, Id: owner['ManagerId'] },
    });
  });

  it('filters with AND/OR, IN, LIKE, datetime and date literals, and sorts on several fields', async () => {
    const conn = connect(sandbox);
    const rows = sandbox.org.table('Opportunity').rows;
    const cutoff = Date.parse('2025-07-01T00:00:00Z');
    // Expected count computed from the stored rows with the same rule.
    const expected = rows.filter((r) => (r['SystemModstamp'] as number) > cutoff && (r['StageName'] === 'Closed won' || r['StageName'] === 'Renewed') && (r['CloseDate'] as string) <= '2025-12-31');
    const res = await conn.query<{ Id: string; CloseDate: string; Amount: number }>(
      "SELECT Id, CloseDate, Amount FROM Opportunity WHERE SystemModstamp > 2025-07-01T00:00:00Z AND StageName IN ('closed WON', 'Renewed') AND CloseDate <= 2025-12-31 ORDER BY CloseDate DESC, Amount ASC NULLS FIRST",
      { autoFetch: true },
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(res.totalSize).toBe(expected.length);
    for (let i = 1; i < res.records.length; i++) {
      const [a, b] = [res.records[i - 1]!, res.records[i]!];
      expect(a.CloseDate > b.CloseDate || (a.CloseDate === b.CloseDate && a.Amount <= b.Amount)).toBe(true);
    }
    const like = await conn.query<{ Name: string }>("SELECT Name FROM Opportunity WHERE Name LIKE '%renewal' LIMIT 5");
    expect(like.records.length).toBeGreaterThan(0);
    for (const r of like.records) expect(r.Name.toLowerCase().endsWith('renewal')).toBe(true);
    const someIds = rows.slice(0, 3).map((r) => r['Id'] as string);
    // 15-character ids match their 18-character forms.
    const byIds = await conn.query<{ Id: string }>(`SELECT Id FROM Opportunity WHERE Id IN ('${someIds[0]!.slice(0, 15)}', '${someIds[1]}', '${someIds[2]}') ORDER BY Id`);
    expect(byIds.records.map((r) => r.Id)).toEqual([...someIds].sort());
    const count = await conn.query("SELECT COUNT() FROM Opportunity WHERE IsWon = true OR IsClosed = false");
    expect(count.totalSize).toBe(rows.filter((r) => r['IsWon'] === true || r['IsClosed'] === false).length);
    expect(count.records).toEqual([]);
  });

  it('rejects an unknown field with INVALID_FIELD and the documented message', async () => {
    const conn = connect(sandbox);
    const err = await failure(conn.query('SELECT Id, Commission__c FROM Opportunity'));
    expect(err.errorCode).toBe('INVALID_FIELD');
    expect(err.message).toContain("No such column 'Commission__c' on entity 'Opportunity'");
    expect(err.message).toContain('ERROR at Row:1:Column:12');
    const rel = await failure(conn.query('SELECT Id, Account.Name FROM Opportunity'));
    expect(rel.errorCode).toBe('INVALID_FIELD');
    expect(rel.message).toContain("Didn't understand relationship 'Account'");
    expect((await failure(conn.query('SELECT Id FROM Commission__c'))).errorCode).toBe('INVALID_TYPE');
  });

  it('rejects quoted dates and dates given to datetime fields, like Salesforce', async () => {
    const conn = connect(sandbox);
    const quoted = await failure(conn.query("SELECT Id FROM Opportunity WHERE CloseDate > '2025-01-01'"));
    expect(quoted.errorCode).toBe('INVALID_FIELD');
    expect(quoted.message).toContain("value of filter criterion for field 'CloseDate' must be of type date and should not be enclosed in quotes");
    const dateForDatetime = await failure(conn.query('SELECT Id FROM Opportunity WHERE SystemModstamp > 2025-01-01'));
    expect(dateForDatetime.message).toContain('must be of type dateTime');
    expect((await failure(conn.query('SELECT Id FROM Opportunity WHERE IsWon = true AND IsClosed = true OR Amount > 5'))).errorCode).toBe('MALFORMED_QUERY');
  });

  it('query hides deleted opportunities; queryAll returns them with IsDeleted = true', async () => {
    const conn = connect(sandbox);
    const victim = sandbox.org.table('Opportunity').rows[3]!['Id'] as string;
    const splitCount = sandbox.org.table('OpportunitySplit').rows.filter((s) => s['OpportunityId'] === victim).length;
    sandbox.mutations.deleteOpportunity(victim);
    const live = await conn.query(`SELECT Id FROM Opportunity WHERE Id = '${victim}'`);
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Opportunity WHERE IsDeleted = true`, { scanAll: true });
    expect(all.records).toEqual([{ attributes: expect.anything(), Id: victim, IsDeleted: true }]);
    // Its splits went to the recycle bin with it.
    const splits = await conn.query(`SELECT Id FROM OpportunitySplit WHERE OpportunityId = '${victim}' AND IsDeleted = true`, { scanAll: true });
    expect(splits.totalSize).toBe(splitCount);
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(449);
    sandbox.mutations.undeleteOpportunity(victim);
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(450);
  });

  it('sends Sforce-Limit-Info on every response (jsforce exposes it as limitInfo)', async () => {
    const conn = connect(sandbox);
    await conn.query('SELECT Id FROM User LIMIT 1');
    const used = sandbox.stats().apiRequests;
    expect(conn.limitInfo).toEqual({ apiUsage: { used, limit: 100_000 } });
  });
});
