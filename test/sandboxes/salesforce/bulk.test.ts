import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandboxes/salesforce/index.js';
import { connect, startSmallSandbox } from './support.js';

let sandbox: SalesforceSandbox;
beforeAll(async () => {
  sandbox = await startSmallSandbox({ bulkPollsUntilComplete: 2 }, 120);
});
afterAll(async () => {
  await sandbox.close();
});

describe('Bulk API 2.0 query jobs', () => {
  it('runs a query job through jsforce: create, poll until JobComplete, read CSV results', async () => {
    const conn = connect(sandbox);
    conn.bulk2.pollInterval = 10;
    const stream = await conn.bulk2.query('SELECT Id, Amount, CloseDate, SystemModstamp, Owner.Name FROM Opportunity ORDER BY Id');
    const records = (await stream.toArray()) as Record<string, string>[];
    expect(records).toHaveLength(120);
    const first = sandbox.org.table('Opportunity').rows[0]!;
    const owner = sandbox.org.table('User').byId.get(first['OwnerId'] as string)!;
    // CSV carries text: amounts as written, datetimes in UTC with Z, relationship columns dotted.
    expect(records[0]).toEqual({
      Id: first['Id'],
      Amount: first['Amount'],
      CloseDate: first['CloseDate'],
      SystemModstamp: new Date(first['SystemModstamp'] as number).toISOString(),
      'Owner.Name': owner['Name'],
    });
    expect(sandbox.stats().requestsByRoute['GET jobs']).toBeGreaterThanOrEqual(3); // 2 InProgress polls + JobComplete + results
  });

  it('pages results with Sforce-Locator and Sforce-NumberOfRecords, each page a CSV with its header', async () => {
    const session = sandbox.issueSession();
    const headers = { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' };
    const base = `${sandbox.url}/services/data/v64.0/jobs/query`;
    const created = await (await fetch(base, { method: 'POST', headers, body: JSON.stringify({ operation: 'queryAll', query: 'SELECT Id, Name FROM Opportunity' }) })).json();
    expect(created).toMatchObject({ id: expect.stringMatching(/^750/), operation: 'queryAll', object: 'Opportunity', state: 'UploadComplete', contentType: 'CSV', apiVersion: 64, lineEnding: 'LF', columnDelimiter: 'COMMA' });
    let state = '';
    for (let i = 0; i < 5 && state !== 'JobComplete'; i++) state = ((await (await fetch(`${base}/${created.id}`, { headers })).json()) as { state: string }).state;
    expect(state).toBe('JobComplete');
    const pages: { locator: string | null; count: string | null; lines: string[] }[] = [];
    let locator: string | null = '';
    while (locator !== 'null') {
      const res: Response = await fetch(`${base}/${created.id}/results?maxRecords=50${locator ? `&locator=${locator}` : ''}`, { headers });
      locator = res.headers.get('sforce-locator');
      pages.push({ locator, count: res.headers.get('sforce-numberofrecords'), lines: (await res.text()).trimEnd().split('\n') });
    }
    // 120 rows at 50 per page: 50, 50, 20; the last page says locator "null".
    expect(pages.map((p) => [p.count, p.lines.length])).toEqual([['50', 51], ['50', 51], ['20', 21]]);
    expect(pages[2]!.locator).toBe('null');
    for (const p of pages) expect(p.lines[0]).toBe('"Id","Name"');
  });

  it('reports an invalid query when the job is created', async () => {
    const session = sandbox.issueSession();
    const res = await fetch(`${sandbox.url}/services/data/v64.0/jobs/query`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Nope FROM Opportunity' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errorCode: string; message: string }[];
    expect(body[0]!.errorCode).toBe('INVALIDJOB');
    expect(body[0]!.message).toContain("No such column 'Nope' on entity 'Opportunity'");
  });
});
