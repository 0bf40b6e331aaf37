import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../shared/src/kpi/kpi-report.js';
import { SALES_PIPELINE, build, date, deal, period, user } from './fixture.js';

/**
 * Alice sells in USD (home currency), EUR and GBP; Bob shares two of her deals.
 * As of 2026-09-08, inside Q3 2026 (Q3 = 1 Jul – 30 Sep, 92 days; 70 of them up to and
 * including 8 Sep: 31 in July + 31 in August + 8 in September).
 *
 * EUR→USD is 1.2 from 1 Jul and 1.25 from 15 Sep; the 1.25 rate is published after the
 * as-of date and must never be used. There is no GBP rate at all.
 */
const index = build({
  users: [
    { id: 'alice', name: 'Alice' },
    { id: 'bob', name: 'Bob' },
  ],
  pipelines: [SALES_PIPELINE],
  fxRates: [
    { from: 'EUR', to: 'USD', rate: '1.2', date: '2026-07-01', source: 'ECB' },
    { from: 'EUR', to: 'USD', rate: '1.25', date: '2026-09-15', source: 'ECB' },
  ],
  // Annual quota: Q3 gets 92/365 of it, Q2 91/365.
  quotas: [{ id: 'q-alice', userId: 'alice', period: '2026', target: '365000' }],
  deals: [
    // Q3, won. d1: 30-day cycle (10 Jun → 10 Jul).
    deal({ id: 'd1', stageId: 'won', amount: '20000', closeDate: '2026-07-10', createdDate: '2026-06-10', ownerId: 'alice' }),
    // Split 50/50 with Bob: Alice gets half the deal and half a deal. 50-day cycle (1 Jul → 20 Aug).
    deal({ id: 'd2', stageId: 'won', amount: '40000', closeDate: '2026-08-20', createdDate: '2026-07-01', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'bob', type: 'revenue', percent: '50' }] }),
    // EUR 5,000 × 1.2 (rate of 1 Jul, the latest on or before the 5 Aug close) = USD 6,000. 30-day cycle.
    deal({ id: 'd3', stageId: 'won', amount: '5000', currency: 'EUR', closeDate: '2026-08-05', createdDate: '2026-07-06', ownerId: 'alice' }),
    // GBP without a rate: counts as a won deal, has no amount. 20-day cycle (21 Jul → 10 Aug).
    deal({ id: 'd5', stageId: 'won', amount: '5000', currency: 'GBP', closeDate: '2026-08-10', createdDate: '2026-07-21', ownerId: 'alice' }),
    // Q3, lost, split 50/50: half a deal and USD 18,000 for Alice.
    deal({ id: 'd4', stageId: 'lost', amount: '36000', closeDate: '2026-08-01', createdDate: '2026-07-01', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'bob', type: 'revenue', percent: '50' }] }),
    // Q3, open: Propose (50 %) USD 45,000 and Qualify (10 %) EUR 20,000.
    deal({ id: 'd6', stageId: 'propose', amount: '45000', closeDate: '2026-09-25', createdDate: '2026-08-01', ownerId: 'alice' }),
    deal({ id: 'd7', stageId: 'qualify', amount: '20000', currency: 'EUR', closeDate: '2026-09-28', createdDate: '2026-08-15', ownerId: 'alice' }),
    // Ignored for Alice in Q3: closes after the as-of date; expected to close in Q4; created after the as-of date.
    deal({ id: 'd8', stageId: 'won', amount: '100000', closeDate: '2026-09-20', createdDate: '2026-08-01', ownerId: 'alice' }),
    deal({ id: 'd9', stageId: 'propose', amount: '50000', closeDate: '2026-10-15', createdDate: '2026-08-01', ownerId: 'alice' }),
    deal({ id: 'd11', stageId: 'propose', amount: '30000', closeDate: '2026-09-29', createdDate: '2026-09-10', ownerId: 'alice' }),
    // Bob's; Alice only has an overlay on it, which is not revenue credit.
    deal({ id: 'd10', stageId: 'won', amount: '52000', closeDate: '2026-08-15', createdDate: '2026-08-01', ownerId: 'bob', splits: [{ userId: 'bob', type: 'revenue', percent: '100' }, { userId: 'alice', type: 'overlay', percent: '25' }] }),
    // Q2: one won, one lost, USD 27,300 each.
    deal({ id: 'd12', stageId: 'won', amount: '27300', closeDate: '2026-05-15', createdDate: '2026-04-15', ownerId: 'alice' }),
    deal({ id: 'd13', stageId: 'lost', amount: '27300', closeDate: '2026-05-20', createdDate: '2026-04-20', ownerId: 'alice' }),
  ],
  activities: [
    // Five completed calls in Q3 up to and including the as-of date.
    { id: 'a1', type: 'call', userId: 'alice', occurredAt: '2026-07-02' },
    { id: 'a2', type: 'call', userId: 'alice', occurredAt: '2026-07-15' },
    { id: 'a3', type: 'call', userId: 'alice', occurredAt: '2026-08-03' },
    { id: 'a4', type: 'call', userId: 'alice', occurredAt: '2026-08-20' },
    { id: 'a5', type: 'call', userId: 'alice', occurredAt: '2026-09-08T16:30:00Z' },
    // Not counted: scheduled, after the as-of date, before the period, canceled, someone else's.
    { id: 'a6', type: 'call', status: 'scheduled', userId: 'alice', occurredAt: '2026-09-05' },
    { id: 'a7', type: 'call', userId: 'alice', occurredAt: '2026-09-09' },
    { id: 'a8', type: 'call', userId: 'alice', occurredAt: '2026-06-30' },
    { id: 'a11', type: 'meeting', status: 'canceled', userId: 'alice', occurredAt: '2026-08-01' },
    { id: 'a12', type: 'call', userId: 'bob', occurredAt: '2026-08-01' },
    // Two emails.
    { id: 'a9', type: 'email', userId: 'alice', occurredAt: '2026-07-20' },
    { id: 'a10', type: 'email', userId: 'alice', occurredAt: '2026-08-21' },
  ],
});

const Q3 = period('2026-Q3');
const Q2 = period('2026-Q2');
const asOf = date('2026-09-08');
const alice = computeKpis({ index, period: Q3, asOf, subject: { userId: user('alice') } });

describe('KPIs of one rep (Alice, Q3 2026, as of 8 Sep)', () => {
  it('credits split deals by share and converts other currencies at the close date', () => {
    // Won, as credited to Alice: d1 20,000 + d2 40,000 × 50 % = 20,000 + d3 6,000 = 46,000 (d5 has no GBP rate).
    expect(alice.quotaAttainment.won.toString()).toBe('46000');
    const d3 = alice.deals.won.find((d) => d.deal.id === 'd3');
    expect(d3?.home?.amount.toString()).toBe('6000');
    expect(d3?.home?.fx?.rate.toString()).toBe('1.2');
    expect(d3?.home?.fx?.date).toBe('2026-07-01');
    expect(alice.deals.won.find((d) => d.deal.id === 'd2')?.credited?.toString()).toBe('20000');
    // d8 closed after the as-of date; d10 is Bob's (Alice's overlay does not count).
    expect(alice.deals.won.map((d) => d.deal.id).sort()).toEqual(['d1', 'd2', 'd3', 'd5']);
  });

  it('prorates the annual quota by days and reports attainment as a fraction', () => {
    // 365,000 × 92 / 365 = 92,000 for Q3; 46,000 / 92,000 = 0.5.
    const q = alice.quotaAttainment.quota;
    expect(q?.quotaId).toBe('q-alice');
    expect(q?.quotaDays).toBe(365);
    expect(q?.periodDays).toBe(92);
    expect(q?.forPeriod.toString()).toBe('92000');
    expect(alice.quotaAttainment.attainment?.toString()).toBe('0.5');
  });

  it('covers the remaining quota with open pipeline closing in the period', () => {
    // Open in Q3: d6 45,000 + d7 EUR 20,000 × 1.2 = 24,000 → 69,000 (the 15 Sep rate of 1.25 is after the
    // as-of date, so not 25,000; d9 closes in Q4; d11 did not exist yet). Remaining 92,000 − 46,000 = 46,000.
    // Coverage 69,000 / 46,000 = 1.5.
    const c = alice.pipelineCoverage;
    expect(c.openPipeline.toString()).toBe('69000');
    expect(c.openDeals.toString()).toBe('2');
    expect(c.remaining?.toString()).toBe('46000');
    expect(c.coverage?.toString()).toBe('1.5');
    expect(alice.deals.open.find((d) => d.deal.id === 'd7')?.home?.fx?.date).toBe('2026-07-01');
  });

  it('computes win rate by share-weighted count and by amount', () => {
    // Won deals: d1 1 + d2 0.5 + d3 1 + d5 1 = 3.5; lost: d4 0.5 → 3.5 / 4 = 0.875.
    // Amounts (d5 cannot be valued): won 46,000, lost 36,000 × 50 % = 18,000 → 46,000 / 64,000 = 0.71875.
    const w = alice.winRate;
    expect(w.won.deals.toString()).toBe('3.5');
    expect(w.won.valuedDeals.toString()).toBe('2.5');
    expect(w.lost.deals.toString()).toBe('0.5');
    expect(w.lost.amount.toString()).toBe('18000');
    expect(w.byCount?.toString()).toBe('0.875');
    expect(w.byAmount?.toString()).toBe('0.71875');
  });

  it('averages deal size over the valued won deals', () => {
    // 46,000 over d1 1 + d2 0.5 + d3 1 = 2.5 deals → 18,400.
    expect(alice.averageDealSize.wonDeals.toString()).toBe('2.5');
    expect(alice.averageDealSize.average?.toString()).toBe('18400');
  });

  it('weights sales-cycle days by share', () => {
    // (30 × 1 + 50 × 0.5 + 30 × 1 + 20 × 1) / 3.5 = 105 / 3.5 = 30 (unweighted it would be 32.5).
    // Weighted median: sorted 20 (1), 30 (1), 30 (1), 50 (0.5); half of 3.5 is 1.75, first reached at 30.
    expect(alice.salesCycle.deals.toString()).toBe('3.5');
    expect(alice.salesCycle.averageDays?.toString()).toBe('30');
    expect(alice.salesCycle.medianDays?.toString()).toBe('30');
  });

  it('adds open deals at their stage probability to the weighted forecast', () => {
    // 46,000 + 45,000 × 0.5 + 24,000 × 0.1 = 46,000 + 22,500 + 2,400 = 70,900.
    expect(alice.weightedForecast.openWeighted.toString()).toBe('24900');
    expect(alice.weightedForecast.total.toString()).toBe('70900');
  });

  it('counts completed activities up to the as-of date and rates them per observed week', () => {
    // 70 days observed. Calls 5 × 7 / 70 = 0.5; emails 2 × 7 / 70 = 0.2; total 7 × 7 / 70 = 0.7.
    const a = alice.activities;
    expect(a.observedDays).toBe(70);
    expect(a.byType.call.count).toBe(5);
    expect(a.byType.call.perWeek?.toString()).toBe('0.5');
    expect(a.byType.email.count).toBe(2);
    expect(a.byType.email.perWeek?.toString()).toBe('0.2');
    expect(a.byType.meeting.count).toBe(0);
    expect(a.byType.meeting.perWeek?.toString()).toBe('0');
    expect(a.total.count).toBe(7);
    expect(a.total.perWeek?.toString()).toBe('0.7');
  });

  it('reports the missing FX rate instead of guessing', () => {
    expect(alice.problems.map((p) => [p.code, p.recordId])).toEqual([['missing_fx_rate', 'd5']]);
    expect(alice.deals.won.find((d) => d.deal.id === 'd5')?.home).toBeUndefined();
    expect(alice.currency).toBe('USD');
  });
});

describe('KPIs without a quota (Bob)', () => {
  const bob = computeKpis({ index, period: Q3, asOf, subject: { userId: user('bob') } });

  it('leaves attainment and coverage undefined, not zero', () => {
    expect(bob.quotaAttainment.quota).toBeUndefined();
    expect(bob.quotaAttainment.attainment).toBeUndefined();
    expect(bob.pipelineCoverage.remaining).toBeUndefined();
    expect(bob.pipelineCoverage.coverage).toBeUndefined();
  });

  it('still measures what he won', () => {
    // d2 40,000 × 50 % + d10 52,000 = 72,000; lost d4 36,000 × 50 % = 18,000.
    // By count (0.5 + 1) / (1.5 + 0.5) = 0.75; by amount 72,000 / 90,000 = 0.8.
    expect(bob.quotaAttainment.won.toString()).toBe('72000');
    expect(bob.winRate.byCount?.toString()).toBe('0.75');
    expect(bob.winRate.byAmount?.toString()).toBe('0.8');
    expect(bob.problems).toEqual([]);
  });
});

describe('period-over-period trend (Q3 against Q2)', () => {
  const report = computeKpis({ index, period: Q3, asOf, subject: { userId: user('alice') }, previousPeriod: Q2 });

  it('computes the previous period the same way', () => {
    // Q2 quota 365,000 × 91 / 365 = 91,000; won d12 27,300 → 27,300 / 91,000 = 0.3.
    const prev = report.trend?.previous;
    expect(prev?.period.id).toBe('2026-Q2');
    expect(prev?.quotaAttainment.quota?.forPeriod.toString()).toBe('91000');
    expect(prev?.quotaAttainment.attainment?.toString()).toBe('0.3');
    // One won, one lost, 27,300 each → 0.5 by count and by amount.
    expect(prev?.winRate.byCount?.toString()).toBe('0.5');
    expect(prev?.winRate.byAmount?.toString()).toBe('0.5');
  });

  it('reports current minus previous', () => {
    // Attainment 0.5 − 0.3 = 0.2; won 46,000 − 27,300 = 18,700;
    // win rate by count 0.875 − 0.5 = 0.375, by amount 0.71875 − 0.5 = 0.21875.
    expect(report.trend?.attainment?.toString()).toBe('0.2');
    expect(report.trend?.wonAmount.toString()).toBe('18700');
    expect(report.trend?.winRateByCount?.toString()).toBe('0.375');
    expect(report.trend?.winRateByAmount?.toString()).toBe('0.21875');
  });

  it('has no trend unless a previous period is asked for', () => {
    expect(alice.trend).toBeUndefined();
  });

  it('leaves the attainment delta undefined when one side has no quota', () => {
    const bob = computeKpis({ index, period: Q3, asOf, subject: { userId: user('bob') }, previousPeriod: Q2 });
    expect(bob.trend?.attainment).toBeUndefined();
    // Bob won nothing in Q2: 72,000 − 0.
    expect(bob.trend?.wonAmount.toString()).toBe('72000');
  });
});
