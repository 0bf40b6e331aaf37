import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@hubspot/api-client';
import type { HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { apiError, clientFor, startSmall } from './fixture.js';

let sandbox: HubspotSandbox;
let client: Client;
const idOf = (canonical: string): string => sandbox.idMap.toExternal('deal', canonical)!;

beforeAll(async () => {
  sandbox = await startSmall();
  client = clientFor(sandbox);
});
afterAll(() => sandbox.close());

describe('deals through the SDK', () => {
  it('pages the list with limit and after, in id order, until paging is gone', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.deals.basicApi.getPage(2, after);
      seen.push(...page.results.map((d) => d.id));
      after = page.paging?.next?.after;
      pages++;
    } while (after);
    // 5 deals, 2 a page → 3 pages.
    expect(pages).toBe(3);
    expect(seen).toEqual(['d1', 'd2', 'd3', 'd4', 'd5'].map(idOf));
    expect(seen.every((id) => /^\d+$/.test(id))).toBe(true);
  });

  it('returns the default properties, or exactly the ones asked for (unknown ones left out)', async () => {
    const page = await client.crm.deals.basicApi.getPage(1);
    expect(Object.keys(page.results[0]!.properties).sort()).toEqual(['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline']);
    const one = await client.crm.deals.basicApi.getById(idOf('d1'), ['dealname', 'lead_source', 'no_such_property']);
    // Asked-for properties plus the three HubSpot always returns; no_such_property is left out.
    expect(Object.keys(one.properties).sort()).toEqual(['createdate', 'dealname', 'hs_lastmodifieddate', 'hs_object_id', 'lead_source']);
    expect(one.properties).toMatchObject({ dealname: 'Alpha Corp', lead_source: 'web', hs_object_id: idOf('d1'), createdate: '2026-01-05T00:00:00.000Z', hs_lastmodifieddate: '2026-02-10T12:00:00.000Z' });
  });

  it('maps stages, owners and currencies; amount_in_home_currency uses the rate in force at close', async () => {
    const owners = await client.crm.owners.ownersApi.getPage();
    const bob = owners.results.find((o) => o.email === 'bob@acme.example')!;
    const d2 = await client.crm.deals.basicApi.getById(idOf('d2'), ['amount', 'deal_currency_code', 'amount_in_home_currency', 'hubspot_owner_id', 'dealstage', 'pipeline', 'hs_is_closed', 'hs_deal_stage_probability', 'closedate']);
    // d2 closes 2026-03-15; EUR→USD is 1.20 from 2026-03-01: 2500.50 × 1.20 = 3000.60.
    expect(d2.properties).toMatchObject({ amount: '2500.50', deal_currency_code: 'EUR', amount_in_home_currency: '3000.6', hubspot_owner_id: bob.id, pipeline: 'default', dealstage: 's2', hs_is_closed: 'false', hs_deal_stage_probability: '0.6', closedate: '2026-03-15T00:00:00.000Z' });
    // The owner id is not the user id (assigning by userId is an error in HubSpot).
    expect(String(bob.userId)).not.toBe(bob.id);
    // d3 (GBP 400 at 1.25) in the custom pipeline: numeric pipeline and stage ids.
    const d3 = await client.crm.deals.basicApi.getById(idOf('d3'), ['amount_in_home_currency', 'pipeline', 'dealstage', 'hs_is_closed_lost']);
    expect(d3.properties['amount_in_home_currency']).toBe('500');
    expect(d3.properties['pipeline']).toMatch(/^\d+$/);
    expect(d3.properties['dealstage']).toBe(sandbox.idMap.toExternal('stage', 'renewals/rlost'));
    expect(d3.properties['hs_is_closed_lost']).toBe('true');
  });

  it('serves stage history as hs_date_entered_<stage> and propertiesWithHistory (newest first)', async () => {
    const d1 = await client.crm.deals.basicApi.getById(idOf('d1'), ['hs_date_entered_s2', 'hs_date_entered_won', 'hs_date_entered_lost'], ['dealstage']);
    expect(d1.properties).toMatchObject({ hs_date_entered_s2: '2026-01-20T00:00:00.000Z', hs_date_entered_won: '2026-02-10T00:00:00.000Z', hs_date_entered_lost: null });
    expect(d1.propertiesWithHistory!['dealstage']!.map((h) => [h.value, h.timestamp.toISOString().slice(0, 10)])).toEqual([
      ['won', '2026-02-10'],
      ['s2', '2026-01-20'],
      ['s1', '2026-01-05'],
    ]);
  });

  it('batch-reads up to 100 ids and reports missing ones in errors (207)', async () => {
    const result = await client.crm.deals.batchApi.read({ inputs: [{ id: idOf('d4') }, { id: '999' }], properties: ['dealname'], propertiesWithHistory: [] });
    expect(result.results.map((r) => r.properties['dealname'])).toEqual(['Delta Inc']);
    expect((result as { numErrors?: number }).numErrors).toBe(1);
    const tooMany = await apiError(client.crm.deals.batchApi.read({ inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })), properties: [], propertiesWithHistory: [] }));
    expect(tooMany.code).toBe(400);
  });

  it('lists archived deals only with archived=true', async () => {
    sandbox.mutations.archiveDeal(idOf('d4'));
    const live = await client.crm.deals.basicApi.getPage(100);
    const archived = await client.crm.deals.basicApi.getPage(100, undefined, undefined, undefined, undefined, true);
    expect(live.results.map((d) => d.id)).not.toContain(idOf('d4'));
    expect(archived.results.map((d) => d.id)).toEqual([idOf('d4')]);
    expect(archived.results[0]!.archived).toBe(true);
    expect(archived.results[0]!.archivedAt).toBeInstanceOf(Date);
    sandbox.mutations.restoreDeal(idOf('d4'));
  });
});

describe('owners, pipelines, goals, engagements, currencies', () => {
  it('lists owners with teams, pages them, and hides deactivated users unless archived=true', async () => {
    const first = await client.crm.owners.ownersApi.getPage(undefined, undefined, 2);
    expect(first.results).toHaveLength(2);
    const rest = await client.crm.owners.ownersApi.getPage(undefined, first.paging!.next!.after, 100);
    const all = [...first.results, ...rest.results];
    expect(all.map((o) => o.email)).toEqual(['ann@acme.example', 'bob@acme.example', 'cat@acme.example']);
    const cat = all.find((o) => o.email === 'cat@acme.example')!;
    // Cat manages East without being one of its reps: she belongs to it as a non-primary
    // member, which is how the connector tells a team's manager from its members.
    expect(cat.teams).toEqual([{ id: sandbox.idMap.toExternal('team', 'team-east'), name: 'East', primary: false }]);
    expect(all.find((o) => o.email === 'ann@acme.example')!.teams).toEqual([{ id: sandbox.idMap.toExternal('team', 'team-east'), name: 'East', primary: true }]);
    const archived = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(archived.results.map((o) => o.email)).toEqual(['dan@acme.example']);
  });

  it('describes stages with metadata.isClosed and probability 1.0 (won) / 0.0 (lost)', async () => {
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(pipelines.results.map((p) => p.label)).toEqual(['Sales', 'Renewals']);
    expect(pipelines.results[0]!.stages.map((s) => [s.id, s.metadata])).toEqual([
      ['s1', { isClosed: 'false', probability: '0.2' }],
      ['s2', { isClosed: 'false', probability: '0.6' }],
      ['won', { isClosed: 'true', probability: '1.0' }],
      ['lost', { isClosed: 'true', probability: '0.0' }],
    ]);
  });

  it('turns the latest version of each quota into a goal target assigned by user id', async () => {
    const page = await client.crm.objects.goals.basicApi.getPage(100, undefined, ['hs_goal_name', 'hs_target_amount', 'hs_start_datetime', 'hs_end_datetime', 'hs_assignee_user_id', 'hs_assignee_team_id', 'hubspot_owner_id', 'hs_goal_target_currency_code']);
    // q-ann-q1 is superseded by q-ann-q1-v2 → three goal targets.
    expect(page.results).toHaveLength(3);
    const owners = await client.crm.owners.ownersApi.getPage();
    const ann = owners.results.find((o) => o.email === 'ann@acme.example')!;
    const annGoal = page.results.find((g) => g.properties['hubspot_owner_id'] === ann.id)!;
    expect(annGoal.properties).toMatchObject({ hs_goal_name: 'Revenue quota', hs_target_amount: '55000', hs_assignee_user_id: String(ann.userId), hs_start_datetime: '2026-01-01T00:00:00.000Z', hs_end_datetime: '2026-03-31T23:59:59.999Z' });
    expect(sandbox.idMap.toCanonical('quota', annGoal.id)).toBe('q-ann-q1-v2');
    const teamGoal = page.results.find((g) => g.properties['hs_assignee_team_id'] !== null)!;
    expect(teamGoal.properties['hs_assignee_team_id']).toBe(sandbox.idMap.toExternal('team', 'team-east'));
  });

  it('links engagements to deals through the v4 batch associations API', async () => {
    const calls = await client.crm.associations.v4.batchApi.getPage('deals', 'calls', { inputs: [{ id: idOf('d1') }, { id: idOf('d2') }] });
    // d1 has call a1; d2 has none (it is reported in errors, HubSpot-style).
    expect(calls.results).toHaveLength(1);
    expect(calls.results[0]!.to.map((t) => t.toObjectId)).toEqual([sandbox.idMap.toExternal('activity', 'a1')]);
    expect(calls.results[0]!.to[0]!.associationTypes[0]).toMatchObject({ category: 'HUBSPOT_DEFINED', typeId: 205 });
    const back = await client.crm.associations.v4.batchApi.getPage('meetings', 'deals', { inputs: [{ id: sandbox.idMap.toExternal('activity', 'a3')! }] });
    expect(back.results[0]!.to[0]).toMatchObject({ toObjectId: idOf('d1'), associationTypes: [{ typeId: 212 }] });
    const meeting = await client.crm.objects.meetings.basicApi.getById(sandbox.idMap.toExternal('activity', 'a3')!, ['hs_meeting_outcome', 'hs_timestamp', 'hubspot_owner_id']);
    expect(meeting.properties).toMatchObject({ hs_meeting_outcome: 'SCHEDULED', hs_timestamp: '2026-01-15T00:00:00.000Z' });
  });

  it('reports the company currency and current exchange rates (exact decimals)', async () => {
    const currency = await (await client.apiRequest({ method: 'GET', path: '/settings/v3/currencies/company-currency' })).json();
    expect(currency).toMatchObject({ currencyCode: 'USD' });
    const rates = (await (await client.apiRequest({ method: 'GET', path: '/settings/v3/currencies/exchange-rates/current' })).json()) as { results: { fromCurrencyCode: string; conversionRate: number }[] };
    expect(rates.results.map((r) => [r.fromCurrencyCode, r.conversionRate])).toEqual([
      ['EUR', 1.2],
      ['GBP', 1.25],
    ]);
  });

  it('describes deal properties, including one hs_date_entered_<stage> per stage and the stage options', async () => {
    const properties = await client.crm.properties.coreApi.getAll('deals');
    const byName = new Map(properties.results.map((p) => [p.name, p]));
    // 4 + 3 stages → 7 stage-entry dates.
    expect(properties.results.filter((p) => p.name.startsWith('hs_date_entered_'))).toHaveLength(7);
    expect(byName.get('hs_date_entered_won')).toMatchObject({ type: 'datetime', calculated: true });
    expect(byName.get('amount')).toMatchObject({ type: 'number', calculated: false });
    expect(byName.get('dealstage')!.options.map((o) => o.value)).toEqual(['s1', 's2', 'won', 'lost', ...['r1', 'rwon', 'rlost'].map((s) => sandbox.idMap.toExternal('stage', `renewals/${s}`))]);
    expect(byName.get('deal_currency_code')!.options.map((o) => o.value)).toEqual(['USD', 'EUR', 'GBP']);
  });

  it('refuses calls whose token lacks the scope, with 403 MISSING_SCOPES', async () => {
    const narrow = clientFor(sandbox, ['oauth', 'crm.objects.deals.read']);
    const error = await apiError(narrow.crm.owners.ownersApi.getPage());
    expect(error.code).toBe(403);
    expect(error.body).toMatchObject({ category: 'MISSING_SCOPES' });
  });
});
