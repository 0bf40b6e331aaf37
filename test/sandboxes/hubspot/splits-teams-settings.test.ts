import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@hubspot/api-client';
import { seedHubspotPortal } from '../../../sandboxes/hubspot/portal.js';
import type { HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';
import { ALL_SCOPES, apiError, clientFor, NOW, SMALL_PORTAL, startSmall } from './fixture.js';

/**
 * The small portal plus what only these tests need: d1 split 70/30 between Ann (owner) and
 * Bob, an overlay on d5 (HubSpot has no overlays), Vic above Cat with no team of his own, a
 * meeting a month after NOW, and a GBP rate with 7 decimals (HubSpot keeps 6).
 */
const PORTAL: RawDataset = {
  ...SMALL_PORTAL,
  users: [...SMALL_PORTAL.users, { id: 'vic', name: 'Vic Vance', email: 'vic@acme.example', startDate: '2020-01-01' }],
  managers: [{ userId: 'cat', managerId: 'vic', from: '2020-01-01' }, { userId: 'vic', managerId: null, from: '2020-01-01' }],
  deals: SMALL_PORTAL.deals!.map((d) =>
    d.id === 'd1' ? { ...d, splits: [{ userId: 'ann', type: 'revenue' as const, percent: '70' }, { userId: 'bob', type: 'revenue' as const, percent: '30' }] }
    : d.id === 'd5' ? { ...d, splits: [{ userId: 'ann', type: 'overlay' as const, percent: '50' }] }
    : d,
  ),
  activities: [...SMALL_PORTAL.activities!, { id: 'a6', type: 'meeting', status: 'scheduled', userId: 'ann', dealId: 'd2', occurredAt: '2026-12-01T15:30:00Z' }],
  fxRates: [...SMALL_PORTAL.fxRates!, { from: 'GBP', to: 'USD', rate: '1.2345675', date: '2026-02-01', source: 'test' }],
};
const SPLIT_SCOPES = [...ALL_SCOPES, 'crm.dealsplits.read_write'];

let sandbox: HubspotSandbox;
let client: Client;
const dealId = (canonical: string): string => sandbox.idMap.toExternal('deal', canonical)!;
const ownerId = (canonical: string): string => sandbox.idMap.toExternal('user', canonical)!;

beforeAll(async () => {
  sandbox = await startSmall({ portal: PORTAL });
  client = clientFor(sandbox, SPLIT_SCOPES);
});
afterAll(() => sandbox.close());

describe('deal splits', () => {
  it('serves revenue splits as shares of 1.0 per deal, [] for deals without (overlays are not seeded), and a 207 for unknown ids', async () => {
    const answer = await client.crm.objects.dealSplits.batchApi.read({ inputs: [{ id: dealId('d1') }, { id: dealId('d2') }, { id: dealId('d5') }, { id: '1' }] });
    const byDeal = new Map(answer.results.map((r) => [r.id, r.splits.map((s) => [s.properties['hubspot_owner_id'], s.properties['hs_deal_split_percentage']])]));
    // 70 % → "0.7", 30 % → "0.3"; d5's 50 % overlay has no HubSpot form, so d5 has no splits.
    expect(byDeal.get(dealId('d1'))).toEqual([[ownerId('ann'), '0.7'], [ownerId('bob'), '0.3']]);
    expect(byDeal.get(dealId('d2'))).toEqual([]);
    expect(byDeal.get(dealId('d5'))).toEqual([]);
    expect(byDeal.has('1')).toBe(false);
    expect((answer as { numErrors?: number }).numErrors).toBe(1);
  });

  it('needs the crm.dealsplits.read_write scope (403 MISSING_SCOPES)', async () => {
    const error = await apiError(clientFor(sandbox, ALL_SCOPES).crm.objects.dealSplits.batchApi.read({ inputs: [{ id: dealId('d1') }] }));
    expect([error.code, error.body['category']]).toEqual([403, 'MISSING_SCOPES']);
  });

  it('answers 403 on a portal without deal splits', async () => {
    const off = await startSmall({ portal: PORTAL, dealSplits: false });
    try {
      const error = await apiError(clientFor(off, SPLIT_SCOPES).crm.objects.dealSplits.batchApi.read({ inputs: [{ id: off.idMap.toExternal('deal', 'd1')! }] }));
      expect([error.code, error.body['category']]).toEqual([403, 'FEATURE_NOT_ENABLED']);
    } finally {
      await off.close();
    }
  });

  it('refuses to seed revenue splits HubSpot would reject (not 100 %, or without the owner), naming the deal', () => {
    const bad = { ...PORTAL, deals: PORTAL.deals!.map((d) => (d.id === 'd2' ? { ...d, splits: [{ userId: 'bob', type: 'revenue' as const, percent: '60' }] } : d)) };
    expect(() => seedHubspotPortal(bad, { now: NOW })).toThrow(/deal d2: .*total 100 %/);
  });
});

describe('reporting lines without a team, future activities, exchange rates', () => {
  it('gives a manager with reports outside any team a team of their own, where they are the non-primary member', async () => {
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
    const teamsOf = new Map(owners.results.map((o) => [o.id, (o.teams ?? []).map((t) => `${t.name}${t.primary ? ' (primary)' : ''}`)]));
    // Cat manages East (non-primary) and reports to Vic: her primary team is Vic's.
    expect(teamsOf.get(ownerId('cat'))).toEqual(['East', "Vic Vance's reports (primary)"]);
    expect(teamsOf.get(ownerId('vic'))).toEqual(["Vic Vance's reports"]);
    expect(teamsOf.get(ownerId('ann'))).toEqual(['East (primary)']);
  });

  it('keeps a future activity date as it is (only create/modify stamps stay before now)', async () => {
    const id = sandbox.idMap.toExternal('activity', 'a6')!;
    const meeting = await client.crm.objects.meetings.basicApi.getById(id, ['hs_timestamp', 'hs_meeting_start_time', 'hs_lastmodifieddate']);
    expect(meeting.properties['hs_timestamp']).toBe('2026-12-01T15:30:00.000Z');
    expect(meeting.properties['hs_meeting_start_time']).toBe('2026-12-01T15:30:00.000Z');
    expect(Date.parse(meeting.properties['hs_lastmodifieddate']!)).toBeLessThan(NOW);
  });

  it('writes a canceled task as DEFERRED, HubSpot having no canceled task status', async () => {
    const task = await client.crm.objects.tasks.basicApi.getById(sandbox.idMap.toExternal('activity', 'a4')!, ['hs_task_status']);
    expect(task.properties['hs_task_status']).toBe('DEFERRED');
  });

  it('keeps exchange rates to 6 decimals, rounding half-up (1.2345675 → 1.234568)', async () => {
    const response = await client.apiRequest({ method: 'GET', path: '/settings/v3/currencies/exchange-rates' });
    const text = await response.text();
    expect(text).toContain('"fromCurrencyCode":"GBP","toCurrencyCode":"USD","conversionRate":1.234568,"effectiveAt":"2026-02-01T00:00:00.000Z"');
    expect(text).toContain('"fromCurrencyCode":"EUR","toCurrencyCode":"USD","conversionRate":1.1,"effectiveAt":"2026-01-01T00:00:00.000Z"');
  });
});
