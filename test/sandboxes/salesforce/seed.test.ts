import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksumSuffix, salesforceId, seedOrgFromDataset, to18 } from '../../../sandboxes/salesforce/index.js';

const acme = JSON.parse(readFileSync(new URL('../../../examples/data/acme.json', import.meta.url), 'utf8'));

describe('Salesforce ids', () => {
  it('builds 18-character ids with the key prefix and the case-safe suffix', () => {
    // Blocks "0065g", "00000", "0000Y": only the 5th character of the last block is upper
    // case → bit 4 → index 16 → "Q"; the others → index 0 → "A".
    expect(salesforceId('006', 34)).toBe('0065g000000000YAAQ');
    expect(checksumSuffix('0065g000000000Y')).toBe('AAQ');
    expect(to18('0065g000000000Y')).toBe('0065g000000000YAAQ');
    expect(salesforceId('005', 1)).toMatch(/^0055g0{9}1AAA$/);
  });
});

describe('seeding from the canonical dataset (acme.json)', () => {
  const { org, idMap, warnings } = seedOrgFromDataset(acme);
  const opp = (dealId: string) => org.table('Opportunity').byId.get(idMap.salesforceId('deal', dealId)!)!;
  const user = (userId: string) => idMap.salesforceId('user', userId)!;

  it('maps every deal to an opportunity with Salesforce-shaped fields', () => {
    expect(org.table('Opportunity').rows).toHaveLength(acme.deals.length);
    const q201 = opp('q2-01');
    expect(q201).toMatchObject({ Amount: '45000', CurrencyIsoCode: 'USD', CloseDate: '2026-04-16', StageName: 'Closed won', IsWon: true, IsClosed: true, Probability: '100', OwnerId: user('ana'), IsDeleted: false });
    expect(q201['SystemModstamp']).toBe(Date.parse('2026-04-16T17:00:00Z'));
    expect(idMap.canonical(q201['Id'] as string)).toEqual({ kind: 'deal', id: 'q2-01' });
    // The shared portal-seed IdMap interface, as the cross-connector test uses it.
    expect(idMap.toCanonical('deal', q201['Id'] as string)).toBe('q2-01');
    expect(idMap.toExternal('team', 'team-west')).toBe(org.table('User').byId.get(user('ana'))!['UserRoleId']);
    expect([...idMap.entries('deal')]).toHaveLength(acme.deals.length);
    for (const r of org.table('Opportunity').rows) expect(r['Id']).toMatch(/^006[0-9A-Za-z]{15}$/);
  });

  it('turns stage probabilities into percentages', () => {
    const proposal = org.table('OpportunityStage').rows.find((s) => s['MasterLabel'] === 'Proposal')!;
    expect(proposal).toMatchObject({ DefaultProbability: '60', IsClosed: false, IsWon: false, ForecastCategoryName: 'Best Case' });
    const lost = org.table('OpportunityStage').rows.find((s) => s['MasterLabel'] === 'Closed lost')!;
    expect(lost).toMatchObject({ DefaultProbability: '0', IsClosed: true, IsWon: false, ForecastCategoryName: 'Omitted' });
  });

  it('gives every opportunity revenue splits totalling 100 % and keeps overlay splits apart', () => {
    const splits = org.table('OpportunitySplit').rows;
    const revenueType = org.table('OpportunitySplitType').rows.find((t) => t['DeveloperName'] === 'Revenue')!['Id'];
    for (const o of org.table('Opportunity').rows) {
      const revenue = splits.filter((s) => s['OpportunityId'] === o['Id'] && s['SplitTypeId'] === revenueType);
      expect(revenue.reduce((sum, s) => sum + Number(s['SplitPercentage']), 0)).toBe(100);
    }
    // q2-02: 70,000 with a 25 % overlay for sam → ana keeps 100 % revenue, sam gets 17,500.00 overlay.
    const q202 = splits.filter((s) => s['OpportunityId'] === opp('q2-02')['Id']);
    expect(q202.map((s) => [s['SplitOwnerId'], s['SplitPercentage'], s['SplitAmount']])).toEqual([
      [user('ana'), '100.00', '70000.00'],
      [user('sam'), '25.00', '17500.00'],
    ]);
  });

  it('builds the manager chain and a role hierarchy that follows it', () => {
    const users = org.table('User').byId;
    const ana = users.get(user('ana'))!;
    expect(ana['ManagerId']).toBe(user('mia'));
    expect(users.get(user('mia'))!['ManagerId']).toBeNull();
    const role = org.table('UserRole').byId.get(ana['UserRoleId'] as string)!;
    expect(role['Name']).toBe('Team - Mia Okafor');
    expect(org.table('UserRole').byId.get(role['ParentRoleId'] as string)!['Name']).toBe('Manager - Mia Okafor');
  });

  it('stores FX rates the Salesforce way round: units per corporate unit, 6 decimals', () => {
    const eurApril = org.table('DatedConversionRate').rows.find((r) => r['IsoCode'] === 'EUR' && r['StartDate'] === '2026-04-01')!;
    // 1 EUR = 1.08 USD → 1 USD = 1 / 1.08 = 0.925925… EUR → 0.925926.
    expect(eurApril).toMatchObject({ ConversionRate: '0.925926', NextStartDate: '2026-05-01' });
    const usd = org.table('CurrencyType').rows.find((r) => r['IsoCode'] === 'USD')!;
    expect(usd).toMatchObject({ IsCorporate: true, ConversionRate: '1.000000' });
  });

  it('maps quotas to ForecastingQuota rows starting on the period start', () => {
    const quota = org.table('ForecastingQuota').byId.get(idMap.salesforceId('quota', 'ana-2026-q2')!)!;
    expect(quota).toMatchObject({ QuotaOwnerId: user('ana'), QuotaAmount: '180000', StartDate: '2026-04-01', IsAmount: true });
  });

  it('keeps every activity, as a Task or an Event', () => {
    const tasks = org.table('Task').rows.length;
    const events = org.table('Event').rows.length;
    expect(tasks + events).toBe(acme.activities.length);
    for (const a of acme.activities as { id: string; type: string }[]) expect(idMap.salesforceId('activity', a.id)!.slice(0, 3)).toBe(a.type === 'meeting' ? '00U' : '00T');
    expect(warnings.filter((w) => w.startsWith('activity'))).toEqual([]);
  });
});
