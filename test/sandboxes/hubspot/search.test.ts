import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@hubspot/api-client';
import type { FilterOperatorEnum, PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/deals/index.js';
import { startHubspotSandbox, type HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { apiError, clientFor, CLIENT_ID, CLIENT_SECRET, NOW, RELAXED, startSmall } from './fixture.js';

type Op = `${FilterOperatorEnum}`;
const filter = (propertyName: string, operator: Op, value?: string, extra: { highValue?: string; values?: string[] } = {}) => ({ propertyName, operator: operator as FilterOperatorEnum, ...(value !== undefined ? { value } : {}), ...extra });
const request = (r: Partial<PublicObjectSearchRequest>): PublicObjectSearchRequest => ({ filterGroups: [], sorts: [], properties: ['dealname'], limit: 100, after: '0', ...r });

describe('deal search on the small portal', () => {
  let sandbox: HubspotSandbox;
  let client: Client;
  const ids = (...canonical: string[]): string[] => canonical.map((c) => sandbox.idMap.toExternal('deal', c)!);
  const names = async (r: Partial<PublicObjectSearchRequest>): Promise<string[]> => (await client.crm.deals.searchApi.doSearch(request(r))).results.map((d) => d.id);

  beforeAll(async () => {
    sandbox = await startSmall();
    client = clientFor(sandbox);
  });
  afterAll(() => sandbox.close());

  it('filters hs_lastmodifieddate by epoch milliseconds and sorts ascending (the incremental-sync query)', async () => {
    // d3 was last modified 2026-04-01T08:00Z; d3, d4 and d5 are at or after it.
    const since = String(Date.parse('2026-04-01T08:00:00Z'));
    expect(await names({ filterGroups: [{ filters: [filter('hs_lastmodifieddate', 'GTE', since)] }], sorts: ['hs_lastmodifieddate'] })).toEqual(ids('d3', 'd4', 'd5'));
    expect(await names({ filterGroups: [{ filters: [filter('hs_lastmodifieddate', 'GT', since)] }], sorts: ['hs_lastmodifieddate'] })).toEqual(ids('d4', 'd5'));
    expect(await names({ filterGroups: [{ filters: [filter('hs_lastmodifieddate', 'LT', since)] }], sorts: ['-hs_lastmodifieddate'] })).toEqual(ids('d2', 'd1'));
    expect(await names({ filterGroups: [{ filters: [filter('hs_lastmodifieddate', 'LTE', since)] }], sorts: ['hs_lastmodifieddate'] })).toEqual(ids('d1', 'd2', 'd3'));
  });

  it('supports BETWEEN (inclusive), EQ/NEQ, IN and HAS_PROPERTY, and ORs filter groups', async () => {
    // February 2026: d1 (Feb 10) and d2 (Feb 15).
    const feb = filter('hs_lastmodifieddate', 'BETWEEN', String(Date.parse('2026-02-01T00:00:00Z')), { highValue: String(Date.parse('2026-02-28T23:59:59Z')) });
    expect(await names({ filterGroups: [{ filters: [feb] }], sorts: ['hs_lastmodifieddate'] })).toEqual(ids('d1', 'd2'));
    expect(await names({ filterGroups: [{ filters: [filter('pipeline', 'NEQ', 'default')] }], sorts: ['hs_object_id'] })).toEqual(ids('d3', 'd5'));
    expect(await names({ filterGroups: [{ filters: [filter('dealstage', 'IN', undefined, { values: ['s1', 's2'] })] }], sorts: ['hs_object_id'] })).toEqual(ids('d2', 'd4'));
    expect(await names({ filterGroups: [{ filters: [filter('dealtype', 'HAS_PROPERTY')] }] })).toEqual(ids('d1'));
    expect(await names({ filterGroups: [{ filters: [filter('dealstage', 'EQ', 'won')] }, { filters: [filter('dealstage', 'EQ', 's1')] }], sorts: ['hs_object_id'] })).toEqual(ids('d1', 'd4'));
  });

  it('filters hs_object_id numerically (keyset paging) and sorts numbers, not strings', async () => {
    expect(await names({ filterGroups: [{ filters: [filter('hs_object_id', 'GT', ids('d2')[0])] }], sorts: ['hs_object_id'] })).toEqual(ids('d3', 'd4', 'd5'));
    // amount is in the deal's own currency: 12000 > 2500.50 > 1000.00 > 400 > 0.
    expect(await names({ sorts: ['-amount'] })).toEqual(ids('d5', 'd2', 'd1', 'd3', 'd4'));
    // GT 1000 compares numerically: "2500.50" and "12000" (a string compare would drop "12000").
    expect(await names({ filterGroups: [{ filters: [filter('amount', 'GT', '1000')] }], sorts: ['hs_object_id'] })).toEqual(ids('d2', 'd5'));
  });

  it('pages with after as an offset and reports the total', async () => {
    const first = await client.crm.deals.searchApi.doSearch(request({ sorts: ['hs_object_id'], limit: 2 }));
    expect(first.total).toBe(5);
    expect(first.paging?.next?.after).toBe('2');
    const last = await client.crm.deals.searchApi.doSearch(request({ sorts: ['hs_object_id'], limit: 2, after: '4' }));
    expect(last.results.map((d) => d.id)).toEqual(ids('d5'));
    expect(last.paging).toBeUndefined();
  });

  it('rejects requests beyond the documented limits with 400s', async () => {
    expect((await apiError(client.crm.deals.searchApi.doSearch(request({ limit: 201 })))).code).toBe(400);
    const six = Array.from({ length: 6 }, () => ({ filters: [filter('amount', 'GT', '0')] }));
    expect((await apiError(client.crm.deals.searchApi.doSearch(request({ filterGroups: six })))).code).toBe(400);
    const unknown = await apiError(client.crm.deals.searchApi.doSearch(request({ filterGroups: [{ filters: [filter('no_such_prop', 'EQ', 'x')] }] })));
    expect(unknown.code).toBe(400);
    expect(unknown.body).toMatchObject({ category: 'VALIDATION_ERROR' });
  });
});

describe('the 10,000-result search window', () => {
  let sandbox: HubspotSandbox;
  let client: Client;

  beforeAll(async () => {
    sandbox = await startHubspotSandbox({ portal: { kind: 'synthetic', options: { seed: 3, reps: 10, deals: 10_050, year: 2026 } }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: NOW, rateLimits: RELAXED });
    client = clientFor(sandbox);
  });
  afterAll(() => sandbox.close());

  it('counts every match in total, serves up to result 10,000, then answers 400', async () => {
    const near = await client.crm.deals.searchApi.doSearch(request({ sorts: ['hs_lastmodifieddate'], limit: 200, after: '9900' }));
    // 10,050 matches; the window ends at 10,000, so this page has 100 results and still offers after=10000.
    expect(near.total).toBe(10_050);
    expect(near.results).toHaveLength(100);
    expect(near.paging?.next?.after).toBe('10000');
    const beyond = await apiError(client.crm.deals.searchApi.doSearch(request({ sorts: ['hs_lastmodifieddate'], limit: 200, after: '10000' })));
    expect(beyond.code).toBe(400);
    expect(beyond.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('lets a keyset query (hs_object_id GT last id) reach records past the window', async () => {
    const list = await client.crm.deals.searchApi.doSearch(request({ sorts: ['hs_object_id'], limit: 1, after: '9999' }));
    const lastInWindow = list.results[0]!.id;
    const rest = await client.crm.deals.searchApi.doSearch(request({ filterGroups: [{ filters: [filter('hs_object_id', 'GT', lastInWindow)] }], sorts: ['hs_object_id'], limit: 200 }));
    expect(rest.total).toBe(50);
  });
});
