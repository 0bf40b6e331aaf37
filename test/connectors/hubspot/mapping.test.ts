import { describe, expect, it } from 'vitest';
import { mapActivity, type EngagementObject } from '../../../connectors/hubspot/map-activity.js';
import { mapDealSplits } from '../../../connectors/hubspot/deal-splits.js';
import { mapExchangeRate } from '../../../connectors/hubspot/exchange-rates.js';
import { mapDeal } from '../../../connectors/hubspot/map-deal.js';
import { periodOf } from '../../../connectors/hubspot/map-goals.js';
import { managerLinkChanges, peopleFromOwners, type HsOwner } from '../../../connectors/hubspot/map-people.js';
import { mapPipeline } from '../../../connectors/hubspot/map-pipelines.js';
import type { CurrencyCode } from '../../../shared/src/money/currency.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import type { UserId } from '../../../shared/src/domain/ids.js';

const owner = (id: string, teams: Array<[string, boolean]>, extra: Partial<HsOwner> = {}): HsOwner => ({
  id, firstName: `F${id}`, lastName: 'L', type: 'PERSON', archived: false, updatedAt: '2026-07-01T00:00:00Z', teams: teams.map(([t, primary]) => ({ id: t, name: `Team ${t}`, primary })), ...extra,
});

describe('HubSpot → canonical mapping', () => {
  it('reads the manager of a team from its non-primary member; reps report to their primary team\'s manager', () => {
    // Mia (10) leads team East as a secondary member; her own primary team is Leadership, run by Zoe (1).
    const people = peopleFromOwners([owner('10', [['lead', true], ['east', false]]), owner('11', [['east', true]]), owner('12', [['east', true]]), owner('1', [['lead', false]]), owner('99', [], { type: 'QUEUE' })], 'USD' as CurrencyCode);
    expect(Object.fromEntries(people.managers)).toEqual({ '1': null, '10': '1', '11': '10', '12': '10' });
    // Zoe, at the top, gets an explicit "reports to no one" line on the first sync.
    expect(managerLinkChanges(people.managers, [], '2026-08-15' as IsoDate).links.find((l) => l.userId === '1')).toEqual({ userId: '1', managerId: null, from: '2000-01-01', to: undefined });
    expect(people.teams.map((t) => [t.id, t.managerId, t.members.map((m) => m.userId)])).toEqual([['east', '10', ['11', '12']], ['lead', '1', ['10']]]);
    expect(people.users.map((u) => u.record.id)).toEqual(['1', '10', '11', '12']);
  });

  it('closes a changed reporting line today and leaves unchanged ones alone', () => {
    const stored = [{ userId: '11' as UserId, managerId: '10' as UserId, from: '2000-01-01' as IsoDate, to: undefined }, { userId: '12' as UserId, managerId: '10' as UserId, from: '2000-01-01' as IsoDate, to: undefined }];
    const changes = managerLinkChanges(new Map([['11', '10'], ['12', '20']]), stored, '2026-08-15' as IsoDate);
    expect(changes).toEqual({
      userIds: ['12'],
      links: [
        { userId: '12', managerId: '10', from: '2000-01-01', to: '2026-08-15' },
        { userId: '12', managerId: '20', from: '2026-08-15', to: undefined },
      ],
    });
  });

  it('maps stage metadata strings to outcomes: closed at probability 1.0 is won, closed otherwise lost', () => {
    const p = mapPipeline({ id: 'default', label: 'Sales', stages: [
      { id: 'closedwon', label: 'Won', displayOrder: 5, metadata: { isClosed: 'true', probability: '1.0' } },
      { id: 'appt', label: 'Appointment', displayOrder: 0, metadata: { isClosed: 'false', probability: '0.2' } },
      { id: 'closedlost', label: 'Lost', displayOrder: 6, metadata: { isClosed: 'true', probability: '0.0' } },
    ] });
    expect(p.ok && p.value.stages.map((s) => [s.id, s.order, s.outcome, s.probability.toString()])).toEqual([['appt', 0, 'open', '0.2'], ['closedwon', 1, 'won', '1'], ['closedlost', 2, 'lost', '0']]);
    const bad = mapPipeline({ id: 'x', label: 'X', stages: [{ id: 's', label: 'S', displayOrder: 0, metadata: { isClosed: 'false' } }] });
    expect(bad.ok ? '' : bad.problem).toMatch(/stage "S" \(s\): probability "" is not between 0.0 and 1.0; set the stage's win probability/);
  });

  it('keeps amounts exact, refuses formatted numbers and unowned deals with the fix, and orders the stage history', () => {
    const base = { dealname: 'Big', dealstage: 'closedwon', pipeline: 'default', closedate: '2026-07-10T00:00:00Z', createdate: '1719792000000', hubspot_owner_id: '501', hs_lastmodifieddate: '2026-07-11T00:00:00Z' };
    const ok = mapDeal({ id: '7', properties: { ...base, amount: '0.1', deal_currency_code: 'jpy', hs_date_entered_closedwon: '2026-07-10T00:00:00Z', hs_date_entered_appt: '2026-06-02T00:00:00Z' } }, { homeCurrency: 'USD' });
    expect(ok.ok && [ok.value.record.amount.plus('0.2').toString(), ok.value.record.currency, ok.value.record.createdDate, ok.value.record.stageHistory]).toEqual(['0.3', 'JPY', '2024-07-01', [{ stageId: 'appt', enteredAt: '2026-06-02' }, { stageId: 'closedwon', enteredAt: '2026-07-10' }]]);
    const formatted = mapDeal({ id: '8', properties: { ...base, amount: '1,200.00' } }, { homeCurrency: 'USD' });
    expect(formatted.ok ? '' : formatted.problem).toBe('HubSpot deal 8 ("Big") has amount "1,200.00", which is not a plain number; fix the amount in HubSpot (digits and one decimal point)');
    const unowned = mapDeal({ id: '9', properties: { ...base, amount: '5', hubspot_owner_id: '' } }, { homeCurrency: 'USD' });
    expect(unowned.ok ? '' : unowned.problem).toMatch(/HubSpot deal 9 \("Big"\) has no deal owner; assign an owner/);
  });

  it('turns goal target spans into month, quarter and year periods', () => {
    const at = (s: string) => Date.parse(s);
    expect(periodOf(at('2026-07-01T00:00:00Z'), at('2026-08-01T00:00:00Z'))).toBe('2026-07');
    expect(periodOf(at('2026-07-01T00:00:00Z'), at('2026-09-30T23:59:59.999Z'))).toBe('2026-Q3');
    expect(periodOf(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe('2026');
    expect(periodOf(at('2026-07-15T00:00:00Z'), at('2026-08-15T00:00:00Z'))).toBeUndefined();
  });

  it('maps HubSpot split shares to revenue percents exactly, and refuses splits that do not add up', () => {
    const split = (id: string, owner: string, share: string) => ({ id, properties: { hs_deal_split_percentage: share, hubspot_owner_id: owner } });
    // 0.3334 + 0.3333 + 0.3333 = 1: 33.34 % + 33.33 % + 33.33 %, no float drift.
    const ok = mapDealSplits('7', [split('1', '502', '0.3333'), split('2', '501', '0.3334'), split('3', '503', '0.3333')]);
    expect(ok.ok && ok.value.map((s) => `${s.userId}:${s.type}:${s.percent.toFixed()}`)).toEqual(['501:revenue:33.34', '502:revenue:33.33', '503:revenue:33.33']);
    const short = mapDealSplits('8', [split('1', '501', '0.6'), split('2', '502', '0.3')]);
    expect(short.ok ? '' : short.problem).toBe("HubSpot deal 8 has splits totalling 90 %, not 100 %; fix the deal's splits in HubSpot");
    const percentText = mapDealSplits('9', [split('1', '501', '60%')]);
    expect(percentText.ok ? '' : percentText.problem).toMatch(/HubSpot deal 9 has split 1 with percentage "60%", which is not a share between 0 and 1/);
  });

  it('reads exchange rates as home units per foreign unit on their effective UTC date', () => {
    const r = mapExchangeRate({ id: '5', fromCurrencyCode: 'EUR', toCurrencyCode: 'USD', conversionRate: '1.080001', effectiveAt: '2026-03-01T00:00:00.000Z' });
    expect(r.ok && [r.value.from, r.value.to, r.value.rate.toFixed(), r.value.date, r.value.source]).toEqual(['EUR', 'USD', '1.080001', '2026-03-01', 'hubspot']);
    const zero = mapExchangeRate({ id: '6', fromCurrencyCode: 'GBP', toCurrencyCode: 'USD', conversionRate: '0', effectiveAt: '2026-03-01T00:00:00.000Z' });
    expect(zero.ok ? '' : zero.problem).toMatch(/HubSpot exchange rate 6 \(GBP → USD\) has conversion rate "0"; set a positive rate/);
  });

  it('reads each engagement\'s own status values: a DEFERRED task and a FAILED email are canceled, NOT_STARTED is scheduled', () => {
    const status = (object: EngagementObject, property: string, value: string) => {
      const m = mapActivity(object, { id: '1', properties: { hs_timestamp: '2026-07-03T10:00:00Z', hubspot_owner_id: '501', hs_lastmodifieddate: '2026-07-03T10:00:00Z', [property]: value } }, []);
      return m.ok ? m.value.record.status : m.problem;
    };
    expect([
      status('tasks', 'hs_task_status', 'DEFERRED'),
      status('tasks', 'hs_task_status', 'NOT_STARTED'),
      status('tasks', 'hs_task_status', 'COMPLETED'),
      status('emails', 'hs_email_status', 'FAILED'),
      status('emails', 'hs_email_status', 'SCHEDULED'),
      status('emails', 'hs_email_status', 'BOUNCED'),
      status('calls', 'hs_call_status', 'CANCELED'),
      status('calls', 'hs_call_status', 'NO_ANSWER'),
      status('meetings', 'hs_meeting_outcome', 'NO_SHOW'),
      status('meetings', 'hs_meeting_outcome', 'RESCHEDULED'),
    ]).toEqual(['canceled', 'scheduled', 'completed', 'canceled', 'scheduled', 'completed', 'canceled', 'completed', 'canceled', 'scheduled']);
  });
});
