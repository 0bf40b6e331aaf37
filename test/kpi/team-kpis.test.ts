import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../shared/src/kpi/kpi-report.js';
import { SALES_PIPELINE, build, date, deal, period, team, user } from './fixture.js';

/**
 * Team East in Q3 2026 (92 days), as of 15 Oct (the quarter is over). Alice is a member
 * throughout and manages the team; Carol joins on 1 Aug; Dave leaves on 1 Aug (membership
 * ends are exclusive: his last day on the team is 31 Jul). Olga is not on the team.
 * The team's quota for Q3 is 100,000.
 */
const index = build({
  users: [
    { id: 'alice', name: 'Alice' },
    { id: 'carol', name: 'Carol' },
    { id: 'dave', name: 'Dave' },
    { id: 'olga', name: 'Olga' },
  ],
  teams: [{ id: 'east', name: 'East', managerId: 'alice', members: ['alice', { userId: 'carol', from: '2026-08-01' }, { userId: 'dave', to: '2026-08-01' }] }],
  pipelines: [SALES_PIPELINE],
  quotas: [{ id: 'q-east', teamId: 'east', period: '2026-Q3', target: '100000' }],
  deals: [
    deal({ id: 't1', stageId: 'won', amount: '10000', closeDate: '2026-07-15', createdDate: '2026-07-01', ownerId: 'alice' }),
    // Carol closed t2 before she joined (left out) and t3 after (counted).
    deal({ id: 't2', stageId: 'won', amount: '20000', closeDate: '2026-07-20', createdDate: '2026-07-01', ownerId: 'carol' }),
    deal({ id: 't3', stageId: 'won', amount: '30000', closeDate: '2026-08-10', createdDate: '2026-07-01', ownerId: 'carol' }),
    // Dave closed t4 while on the team (counted) and t5 after leaving (left out).
    deal({ id: 't4', stageId: 'won', amount: '40000', closeDate: '2026-07-25', createdDate: '2026-07-01', ownerId: 'dave' }),
    deal({ id: 't5', stageId: 'won', amount: '50000', closeDate: '2026-08-05', createdDate: '2026-07-01', ownerId: 'dave' }),
    // Split with an outsider: the team has Alice's half.
    deal({ id: 't6', stageId: 'won', amount: '8000', closeDate: '2026-09-01', createdDate: '2026-07-01', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'olga', type: 'revenue', percent: '50' }] }),
    // Split with Carol before she joined: again only Alice's half.
    deal({ id: 't7', stageId: 'won', amount: '6000', closeDate: '2026-07-10', createdDate: '2026-07-01', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'carol', type: 'revenue', percent: '50' }] }),
    // Lost after 1 Aug: Dave's is no longer the team's, Carol's is.
    deal({ id: 't8', stageId: 'lost', amount: '13000', closeDate: '2026-08-20', createdDate: '2026-07-01', ownerId: 'dave' }),
    deal({ id: 't9', stageId: 'lost', amount: '13000', closeDate: '2026-08-20', createdDate: '2026-07-01', ownerId: 'carol' }),
    // Open, expected 15 Sep, split Carol/Dave: only Carol is on the team then → half of 52,000.
    deal({ id: 't10', stageId: 'propose', amount: '52000', closeDate: '2026-09-15', createdDate: '2026-07-01', ownerId: 'carol', splits: [{ userId: 'carol', type: 'revenue', percent: '50' }, { userId: 'dave', type: 'revenue', percent: '50' }] }),
  ],
  activities: [
    { id: 'x1', type: 'call', userId: 'carol', occurredAt: '2026-07-15' },
    { id: 'x2', type: 'call', userId: 'carol', occurredAt: '2026-08-15' },
    { id: 'x3', type: 'call', userId: 'dave', occurredAt: '2026-07-15' },
    { id: 'x4', type: 'call', userId: 'dave', occurredAt: '2026-08-15' },
    { id: 'x5', type: 'email', userId: 'alice', occurredAt: '2026-09-01' },
    { id: 'x6', type: 'call', userId: 'olga', occurredAt: '2026-08-01' },
    // The switch-over day belongs to the new membership: Carol's counts, Dave's does not.
    { id: 'x7', type: 'call', userId: 'dave', occurredAt: '2026-08-01' },
    { id: 'x8', type: 'email', userId: 'carol', occurredAt: '2026-08-01' },
  ],
});

const Q3 = period('2026-Q3');
const asOf = date('2026-10-15');
const east = computeKpis({ index, period: Q3, asOf, subject: { teamId: team('east') } });

describe('KPIs of a team whose members changed mid-period', () => {
  it('counts each member’s deals only while they were on the team', () => {
    // t1 10,000 + t3 30,000 + t4 40,000 + t6 8,000 × 50 % + t7 6,000 × 50 % = 87,000.
    expect(east.quotaAttainment.won.toString()).toBe('87000');
    expect(east.deals.won.map((d) => d.deal.id).sort()).toEqual(['t1', 't3', 't4', 't6', 't7']);
    expect(east.subjectName).toBe('East');
  });

  it('measures the team against its own quota', () => {
    // 87,000 / 100,000 = 0.87.
    expect(east.quotaAttainment.quota?.quotaId).toBe('q-east');
    expect(east.quotaAttainment.quota?.forPeriod.toString()).toBe('100000');
    expect(east.quotaAttainment.attainment?.toString()).toBe('0.87');
  });

  it('weights counts by the members’ shares', () => {
    // Won deals 1 + 1 + 1 + 0.5 + 0.5 = 4; lost t9 1 → 4 / 5 = 0.8.
    // By amount 87,000 / (87,000 + 13,000) = 0.87.
    expect(east.winRate.won.deals.toString()).toBe('4');
    expect(east.winRate.byCount?.toString()).toBe('0.8');
    expect(east.winRate.byAmount?.toString()).toBe('0.87');
    // 87,000 / 4 = 21,750.
    expect(east.averageDealSize.average?.toString()).toBe('21750');
  });

  it('covers the remaining quota with the members’ share of open deals', () => {
    // Open: t10 52,000 × 50 % (Carol's half) = 26,000. Remaining 100,000 − 87,000 = 13,000 → 26,000 / 13,000 = 2.
    expect(east.pipelineCoverage.openPipeline.toString()).toBe('26000');
    expect(east.pipelineCoverage.remaining?.toString()).toBe('13000');
    expect(east.pipelineCoverage.coverage?.toString()).toBe('2');
    // Forecast 87,000 + 26,000 × 0.5 = 100,000.
    expect(east.weightedForecast.total.toString()).toBe('100000');
  });

  it('counts activities of members while they were members', () => {
    // Calls: Carol 15 Aug, Dave 15 Jul (not Carol 15 Jul, Dave 1 or 15 Aug, Olga); emails: Carol 1 Aug, Alice 1 Sep.
    expect(east.activities.observedDays).toBe(92);
    expect(east.activities.byType.call.count).toBe(2);
    expect(east.activities.byType.email.count).toBe(2);
    expect(east.activities.total.count).toBe(4);
  });
});

describe('a team manager as a person', () => {
  it('is not measured against the team quota, since their own KPIs count only their own deals', () => {
    // Alice's own credit: t1 10,000 + t6 4,000 + t7 3,000 = 17,000; the team quota is not hers.
    const alice = computeKpis({ index, period: Q3, asOf, subject: { userId: user('alice') } });
    expect(alice.quotaAttainment.won.toString()).toBe('17000');
    expect(alice.quotaAttainment.quota).toBeUndefined();
    expect(alice.quotaAttainment.attainment).toBeUndefined();
  });
});

describe('an unknown team', () => {
  it('gives empty KPIs and says why', () => {
    const r = computeKpis({ index, period: Q3, asOf, subject: { teamId: team('west') } });
    expect(r.problems.map((p) => [p.code, p.recordId])).toEqual([['unknown_team', 'west']]);
    expect(r.quotaAttainment.won.toString()).toBe('0');
    expect(r.winRate.byCount).toBeUndefined();
  });
});
