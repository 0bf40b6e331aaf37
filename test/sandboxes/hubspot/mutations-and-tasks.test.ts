import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@hubspot/api-client';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/deals/index.js';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/tasks/index.js';
import { startHubspotSandbox, type HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { apiError, clientFor, CLIENT_ID, CLIENT_SECRET, NOW, RELAXED, SMALL_PORTAL, startSmall } from './fixture.js';

let sandbox: HubspotSandbox;
let client: Client;
const idOf = (canonical: string): string => sandbox.idMap.toExternal('deal', canonical)!;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum;

beforeAll(async () => {
  sandbox = await startSmall();
  client = clientFor(sandbox);
});
afterAll(() => sandbox.close());

describe('incremental sync against edits', () => {
  it('moves hs_lastmodifieddate past the last watermark, so a GT query finds exactly the edited deal', async () => {
    const before = await client.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: ['-hs_lastmodifieddate'], properties: ['hs_lastmodifieddate'], limit: 1, after: '0' });
    const watermark = Date.parse(before.results[0]!.properties['hs_lastmodifieddate']!);
    const changed = sandbox.mutations.updateDeal(idOf('d2'), { dealstage: 'won', amount: '2600' });
    expect(changed).toEqual(expect.arrayContaining(['dealstage', 'amount', 'hs_is_closed', 'hs_is_closed_won', 'amount_in_home_currency']));
    const since = await client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GT' as FilterOperatorEnum, value: String(watermark) }] }],
      sorts: ['hs_lastmodifieddate'],
      properties: ['dealstage', 'amount', 'hs_is_closed_won', 'amount_in_home_currency', 'hs_date_entered_won'],
      limit: 100,
      after: '0',
    });
    expect(since.results.map((d) => d.id)).toEqual([idOf('d2')]);
    // 2600 EUR at the close-date rate 1.20 = 3120.
    expect(since.results[0]!.properties).toMatchObject({ dealstage: 'won', amount: '2600', hs_is_closed_won: 'true', amount_in_home_currency: '3120' });
    expect(Date.parse(since.results[0]!.properties['hs_date_entered_won']!)).toBeGreaterThan(watermark);
  });

  it('rejects edits HubSpot would reject: a stage from another pipeline, an owner given by user id', async () => {
    expect(() => sandbox.mutations.updateDeal(idOf('d1'), { dealstage: sandbox.idMap.toExternal('stage', 'renewals/rwon')! })).toThrow(/not in pipeline/);
    const owner = sandbox.portal.owners[0]!;
    expect(() => sandbox.mutations.updateDeal(idOf('d1'), { hubspot_owner_id: String(owner.userId) })).toThrow(/not a valid owner id/);
  });

  it('adds deals through the control API with later ids', async () => {
    const response = await fetch(`${sandbox.url}/__sandbox/deals`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ properties: { dealname: 'Zeta', pipeline: 'default', dealstage: 's1', amount: '700' } }) });
    const { id } = (await response.json()) as { id: string };
    expect(Number(id)).toBeGreaterThan(Number(idOf('d5')));
    const deal = await client.crm.deals.basicApi.getById(id, ['dealname', 'hs_is_closed', 'deal_currency_code']);
    expect(deal.properties).toMatchObject({ dealname: 'Zeta', hs_is_closed: 'false', deal_currency_code: 'USD' });
  });
});

describe('search index lag', () => {
  it('hides a just-edited deal from search (not from reads) while the index lags', async () => {
    const lagging = await startSmall({ searchIndexLagMs: 60_000 });
    try {
      const c = clientFor(lagging);
      const d1 = lagging.idMap.toExternal('deal', 'd1')!;
      lagging.mutations.updateDeal(d1, { amount: '999' });
      const found = await c.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: ['hs_object_id'], properties: ['amount'], limit: 100, after: '0' });
      // 5 deals, one changed within the (one-minute) lag: search sees 4; a read sees the new amount.
      expect(found.total).toBe(4);
      expect(found.results.map((d) => d.id)).not.toContain(d1);
      expect((await c.crm.deals.basicApi.getById(d1, ['amount'])).properties['amount']).toBe('999');
    } finally {
      await lagging.close();
    }
  });
});

describe('task write-back', () => {
  it('creates a task associated to a deal (201) that the associations API then returns', async () => {
    const owner = sandbox.portal.owners[1]!;
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: { hs_timestamp: '2026-11-05T09:00:00.000Z', hs_task_subject: 'Follow up: deal stalled', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO', hubspot_owner_id: String(owner.id) },
      associations: [{ to: { id: idOf('d1') }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 216 }] }],
    });
    expect(task.id).toMatch(/^\d+$/);
    expect(task.properties).toMatchObject({ hs_task_subject: 'Follow up: deal stalled', hubspot_owner_id: String(owner.id) });
    const links = await client.crm.associations.v4.batchApi.getPage('deals', 'tasks', { inputs: [{ id: idOf('d1') }] });
    expect(links.results[0]!.to.map((t) => t.toObjectId)).toEqual([task.id]);
    // Creating is not idempotent: the same call again makes a second task.
    const again = await client.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2026-11-05T09:00:00.000Z', hs_task_subject: 'Follow up: deal stalled' }, associations: [] });
    expect(again.id).not.toBe(task.id);
  });

  it('answers 400 for a missing hs_timestamp, a bad option or a deal that does not exist', async () => {
    const noTimestamp = await apiError(client.crm.objects.tasks.basicApi.create({ properties: { hs_task_subject: 'x' }, associations: [] }));
    expect(noTimestamp.code).toBe(400);
    const badStatus = await apiError(client.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2026-11-05T09:00:00Z', hs_task_status: 'DONE' }, associations: [] }));
    expect(badStatus.code).toBe(400);
    const badDeal = await apiError(
      client.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2026-11-05T09:00:00Z' }, associations: [{ to: { id: '1' }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 216 }] }] }),
    );
    expect(badDeal.code).toBe(400);
  });

  it('needs the contacts write scope', async () => {
    const readOnly = clientFor(sandbox, ['oauth', 'crm.objects.contacts.read']);
    const denied = await apiError(readOnly.crm.objects.tasks.basicApi.create({ properties: { hs_timestamp: '2026-11-05T09:00:00Z' }, associations: [] }));
    expect(denied.code).toBe(403);
  });
});

describe('seeding', () => {
  it('gives the same ids to the same canonical data, and maps every id back', async () => {
    const twin = await startHubspotSandbox({ portal: SMALL_PORTAL, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: NOW, rateLimits: RELAXED });
    try {
      for (const kind of ['user', 'team', 'pipeline', 'stage', 'deal', 'activity', 'quota'] as const) {
        const pairs = [...sandbox.idMap.entries(kind)];
        expect([...twin.idMap.entries(kind)]).toEqual(pairs);
        for (const [canonical, external] of pairs) expect(sandbox.idMap.toCanonical(kind, external)).toBe(canonical);
      }
      expect(twin.portalId).toBe(sandbox.portalId);
    } finally {
      await twin.close();
    }
  });

  it('serves a 100,000-deal synthetic portal (ids ascending, pages complete)', async () => {
    const big = await startHubspotSandbox({ portal: { kind: 'synthetic', options: { seed: 11, reps: 200, deals: 100_000, year: 2026 } }, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: NOW, rateLimits: RELAXED });
    try {
      const c = clientFor(big);
      const last = await c.crm.deals.basicApi.getPage(100, String(Number(big.idMap.toExternal('deal', 'deal-0099950')!)));
      // From deal 99,950 on: 51 deals, so one full page of 100 is not reached and paging ends.
      expect(last.results).toHaveLength(51);
      expect(last.paging).toBeUndefined();
      const search = await c.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: ['-hs_lastmodifieddate'], properties: ['hs_lastmodifieddate'], limit: 200, after: '0' });
      expect(search.total).toBe(100_000);
      expect(Date.parse(search.results[0]!.properties['hs_lastmodifieddate']!)).toBeLessThan(NOW);
    } finally {
      await big.close();
    }
  });
});
