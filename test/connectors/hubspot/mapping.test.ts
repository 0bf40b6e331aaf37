import { describe, expect, it } from 'vitest';
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
});
