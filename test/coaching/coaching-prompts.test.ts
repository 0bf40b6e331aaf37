import { describe, expect, it } from 'vitest';
import { coachingPrompts, promptId, rankPrompts, type CoachingOptions, type CoachingPrompt, type LowCoveragePrompt, type NextTierPrompt, type StalledDealPrompt, type WeakStageConversionPrompt } from '../../shared/src/coaching/coaching-prompts.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import { indexTenant } from '../../shared/src/engine/tenant-index.js';
import type { PeriodId } from '../../shared/src/time/period.js';
import { dataset } from '../support/tenant-builder.js';
import { Q3, data, date, retro, user } from './fixture.js';

/*
 * The tenant is described in fixture.ts. As of 1 Aug 2026, Q3, for Mia's reports:
 *
 * Ana  won 60,000 (60 %, tier 1 at 5 %). Open in Q3: a2 30,000 Proposal (Aug 20), a3 20,000
 *      Discovery (Sep 10, created Jul 10), a4 20,000 Proposal (Aug 10), a5 55,000 Discovery
 *      (Sep 28). a6 closes in Q4; a7 10,000 Discovery was expected on 20 Jun (overdue).
 * Ben  won 50,000 (50 %). Open in Q3: b2 10,000 Proposal, b3–b5 10,000 Discovery.
 * Cal  won 100,000 (100 %, already in the top tier). Open: c4 20,000 Discovery.
 */
const asOf = date('2026-08-01');
const run = (options?: CoachingOptions, at = asOf, managerId = 'mia'): CoachingPrompt[] =>
  coachingPrompts({ plans: [retro], data, managerId: user(managerId), period: Q3, asOf: at, ...(options ? { options } : {}) });
const prompts = run();

const summary = (list: readonly CoachingPrompt[]) => list.map((p) => [p.rule, p.repId, p.dealId ?? '', p.impact.toFixed(2), p.likelihood.toDecimalPlaces(4).toString(), p.score.toFixed(2)]);
const stalled = (list: readonly CoachingPrompt[]) => list.filter((p): p is StalledDealPrompt => p.rule === 'stalled-deal');
const coverage = (list: readonly CoachingPrompt[]) => list.filter((p): p is LowCoveragePrompt => p.rule === 'low-coverage');
const conversion = (list: readonly CoachingPrompt[]) => list.filter((p): p is WeakStageConversionPrompt => p.rule === 'weak-stage-conversion');
const nextTier = (list: readonly CoachingPrompt[]) => list.filter((p): p is NextTierPrompt => p.rule === 'next-tier-within-reach');

describe('coaching prompts for one manager', () => {
  it('ranks every prompt by expected commission at stake (impact × likelihood)', () => {
    // Each line is worked out in the rule's own test below:
    //   Ana next tier: 5,800 × 0.6 × 0.6 = 2,088
    //   Ben coverage: 110,000 × 5 % = 5,500, × 1/3 = 1,833.33
    //   Ben Discovery conversion: 25,000 × 5 % = 1,250, × 0.6 = 750
    //   Ana a4 stalled: 1,000 × 0.6 = 600; a3: 1,000 × 0.2 = 200; a7: 500 × 0.2 = 100
    expect(summary(prompts)).toEqual([
      ['next-tier-within-reach', 'ana', '', '5800.00', '0.36', '2088.00'],
      ['low-coverage', 'ben', '', '5500.00', '0.3333', '1833.33'],
      ['weak-stage-conversion', 'ben', '', '1250.00', '0.6', '750.00'],
      ['stalled-deal', 'ana', 'a4', '1000.00', '0.6', '600.00'],
      ['stalled-deal', 'ana', 'a3', '1000.00', '0.2', '200.00'],
      ['stalled-deal', 'ana', 'a7', '500.00', '0.2', '100.00'],
    ]);
    // Cal is on track: quota met, top tier, no quiet deal, conversion at or above the median.
    expect(prompts.some((p) => p.repId === 'cal')).toBe(false);
    expect(prompts.every((p) => p.managerId === 'mia' && p.periodId === '2026-Q3' && p.currency === 'USD')).toBe(true);
  });

  it('is pure: the same input gives the same prompts, with or without a prebuilt index', () => {
    expect(run()).toEqual(prompts);
    expect(coachingPrompts({ plans: [retro], data, index: indexTenant(data), managerId: user('mia'), period: Q3, asOf })).toEqual(prompts);
  });
});

describe('stalled-deal', () => {
  it('flags open deals closing in the period (or overdue) with no completed activity for 14 days', () => {
    // a4: last completed activity 18 Jul (the call on 5 Aug is after asOf and not yet real):
    //   18 Jul → 1 Aug = 14 days ≥ 14 → stalled. Alone it takes Ana from 60 % to 80 %: 20,000 × 5 % = 1,000.
    // a3: only a scheduled and a canceled activity, so quiet since it was created on 10 Jul:
    //   22 days → stalled; 60 % → 80 %: 20,000 × 5 % = 1,000.
    // a7: expected 20 Jun, still open: overdue, last call 1 Jun → 61 days. It can no longer close
    //   in June, so it is estimated as closing on 1 Aug in Q3: 10,000 × 5 % = 500.
    // Not stalled: a2 (call 19 Jul, 13 days), a5 (call 28 Jul, 4 days); a6 closes in Q4 and is not overdue.
    const [a4, a3, a7] = stalled(prompts);
    expect([a4!.dealId, a3!.dealId, a7!.dealId]).toEqual(['a4', 'a3', 'a7']);
    expect(a4!.evidence).toMatchObject({ lastActivityDate: '2026-07-18', lastActivityId: 'x4', quietSince: '2026-07-18', daysSinceActivity: 14, stalledDays: 14, overdue: false, stageName: 'Proposal' });
    expect([a4!.evidence.commission.toFixed(2), a4!.evidence.probability.toString()]).toEqual(['1000.00', '0.6']);
    expect(a3!.evidence).toMatchObject({ lastActivityDate: undefined, quietSince: '2026-07-10', daysSinceActivity: 22, overdue: false });
    expect(a7!.evidence).toMatchObject({ lastActivityDate: '2026-06-01', daysSinceActivity: 61, overdue: true, expectedCloseDate: '2026-06-20', estimatedCloseDate: '2026-08-01' });
    expect(a7!.evidence.commission.toFixed(2)).toBe('500.00');
    expect(a4!.title).toBe('Ana: re-engage A4 (14 days quiet)');
    expect(a4!.message).toBe('A4 (USD 20,000.00, Proposal, expected 2026-08-10) has had no completed activity since 2026-07-18 (14 days). Closing it would pay Ana about USD 1,000.00; agree a next step with them.');
    expect(a3!.message).toContain('since it was created on 2026-07-10 (22 days)');
  });

  it('respects stalledDays', () => {
    // 15 days: a4 (14) is no longer stalled; a3 (22) and a7 (61) are. 23 days: only a7.
    expect(stalled(run({ stalledDays: 15 })).map((p) => p.dealId)).toEqual(['a3', 'a7']);
    expect(stalled(run({ stalledDays: 23 })).map((p) => p.dealId)).toEqual(['a7']);
  });
});

describe('low-coverage', () => {
  it('fires when open pipeline is below 3× the quota still to win', () => {
    // Ben: quota 100,000 − won 50,000 = 50,000 to win; open in Q3 b2–b5 = 40,000 → 0.8× < 3×.
    // 3 × 50,000 = 150,000 wanted, 110,000 missing; at 5 % (tier 1, 50 % attained) = 5,500.
    // Likelihood 1/3: a 3× target assumes one pipeline dollar in three closes → 1,833.33.
    const [ben, ...rest] = coverage(prompts);
    expect(rest).toEqual([]);
    expect(ben!.repId).toBe('ben');
    const e = ben!.evidence;
    expect([e.openPipeline, e.remaining, e.coverage, e.targetPipeline, e.missingPipeline, e.marginalRate.perHomeUnit].map((d) => d.toString())).toEqual(['40000', '50000', '0.8', '150000', '110000', '0.05']);
    expect(e.marginalRate.components.map((c) => [c.planId, c.componentId, c.tier, c.rate.toString()])).toEqual([['ae', 'nb', 1, '0.05']]);
    expect(ben!.message).toBe("Ben's open pipeline for 2026-Q3 is USD 40,000.00, 0.8× the USD 50,000.00 of quota still to win; 3× coverage needs USD 110,000.00 more. At Ben's current 5 % rate that pipeline would pay about USD 5,500.00 if it all closed.");
  });

  it('does not fire at or above the target, or once the quota is met', () => {
    // Ana: 40,000 to win, open a2 + a3 + a4 + a5 = 125,000 = 3.125× ≥ 3× (a6 closes in Q4 and a7
    // in Q2, so neither counts). Cal: 100,000 won, nothing left to cover.
    expect(coverage(prompts).map((p) => p.repId)).toEqual(['ben']);
    // At 0.75× Ben's 0.8× is enough too.
    expect(coverage(run({ coverageTarget: new Decimal('0.75') }))).toEqual([]);
  });

  it('uses the coverage target given', () => {
    // 4×: Ana needs 160,000, has 125,000 → 35,000 × 5 % = 1,750, likelihood 1/4 → 437.50.
    // Ben needs 200,000, has 40,000 → 160,000 × 5 % = 8,000 → 2,000.
    expect(summary(coverage(run({ coverageTarget: new Decimal(4) })))).toEqual([
      ['low-coverage', 'ben', '', '8000.00', '0.25', '2000.00'],
      ['low-coverage', 'ana', '', '1750.00', '0.25', '437.50'],
    ]);
  });
});

describe('weak-stage-conversion', () => {
  /*
   * Deals reaching a stage in Q3 (a deal that jumps to a later stage reached the skipped ones;
   * deals created before Q3 that have not moved since are not in Q3's cohorts):
   *   Ana  Discovery: a1 (won 10 Jul), a3 (created 10 Jul) → 2 reached, 1 advanced = 50 %.
   *        Proposal: a1 → 1 of 1 = 100 %.
   *   Ben  Discovery: b1 (won 20 Jul), b2–b5 → 5 reached, b1 and b2 advanced = 40 %.
   *        Proposal: b1, b2 (20 Jul) → 1 of 2 = 50 %.
   *   Cal  Discovery: c1, c2, c3, c4 → 3 of 4 = 75 %. Proposal: c1, c2, c3 → 3 of 3 = 100 %.
   * Team medians: Discovery median(50, 40, 75) = 50 %; Proposal median(100, 50, 100) = 100 %.
   * (Zed's 0 % of 3 would pull Discovery's median to 45 % if he were counted; he is not Mia's.)
   */
  it('fires below the team median for a stage at least 3 deals reached', () => {
    // Ben, Discovery: 40 % < 50 %, 5 deals ≥ 3. (50 % − 40 %) × 5 = 0.5 deals more would have
    // advanced; at Ben's average won deal (b1, 50,000) that is 25,000, at 5 % = 1,250.
    // Likelihood: Proposal's probability 0.6 → 750.
    const [ben, ...rest] = conversion(prompts);
    expect(rest).toEqual([]);
    const e = ben!.evidence;
    expect([ben!.repId, e.stageId, e.nextStageId, e.teamMembersCompared, e.dealSizeSource]).toEqual(['ben', 'discovery', 'proposal', 3, 'rep']);
    expect([e.reached, e.advanced, e.conversion, e.teamMedian, e.missingAdvances, e.averageDealSize!, e.missingValue, e.nextStageProbability].map((d) => d.toString())).toEqual(['5', '2', '0.4', '0.5', '0.5', '50000', '25000', '0.6']);
    expect(ben!.message).toBe('Ben moved 40 % of the 5 deals that reached Discovery on to Proposal this period, against a team median of 50 %. At the median, another 0.5 deals would have advanced, worth about USD 1,250.00 in commission at Ben\'s current rate.');
  });

  it('does not judge a stage fewer than 3 deals reached', () => {
    // Ben's Proposal conversion (50 %) is below the median (100 %), but only 2 deals reached it.
    expect(conversion(prompts).some((p) => p.evidence.stageId === 'proposal')).toBe(false);
    // Lowering the bar to 2 judges it: (100 % − 50 %) × 2 = 1 deal × 50,000 × 5 % = 2,500; the next
    // stage is Closed won (p = 1), so the score is 2,500. Ana (2 reached Discovery, 50 %) is at the median, not below.
    expect(summary(conversion(run({ minStageDeals: new Decimal(2) })))).toEqual([
      ['weak-stage-conversion', 'ben', '', '2500.00', '1', '2500.00'],
      ['weak-stage-conversion', 'ben', '', '1250.00', '0.6', '750.00'],
    ]);
  });
});

describe('next-tier-within-reach', () => {
  it('lists the likeliest open deals that reach the next tier, with their estimated commission', () => {
    // Ana is at 60 %: 40,000 more reaches tier 2 (100 %). Ranked by amount × probability:
    // a2 18,000, a4 12,000, a5 11,000, a3 4,000. a2 alone gets to 90 %; a2 + a4 to 110 %.
    // In the estimator's order (close date): a4 (10 Aug) 60 % → 80 %: 20,000 × 5 % = 1,000;
    // a2 (20 Aug) 80 % → 110 %: 30,000 × 8 % = 2,400 plus the retro uplift on the 80,000
    // before it, 80,000 × (8 % − 5 %) = 2,400 → 4,800. Impact 5,800 (check: 110,000 × 8 % − 60,000 × 5 %).
    // Likelihood 0.6 × 0.6 = 0.36 → 2,088.
    const [ana, ...rest] = nextTier(prompts);
    expect(rest).toEqual([]);
    const e = ana!.evidence;
    expect([ana!.repId, e.planId, e.componentId, e.tier, e.openDealsConsidered]).toEqual(['ana', 'ae', 'nb', 2, 4]);
    expect([e.atAttainment, e.currentAttainment!, e.creditNeeded, e.attainmentAfter].map((d) => d.toString())).toEqual(['100', '60', '40000', '110']);
    expect(e.deals.map((d) => [d.dealId, d.weight.toString(), d.commission.toFixed(2)])).toEqual([
      ['a4', '12000', '1000.00'],
      ['a2', '18000', '4800.00'],
    ]);
    expect(ana!.title).toBe('Ana: 2 deals from tier 2');
    expect(ana!.message).toBe('Ana needs USD 40,000.00 more credit to reach tier 2 at 100 % attainment, now 60 %. Closing A4 and A2 would get there and pay about USD 5,800.00 more.');
  });

  it('does not fire when the open deals cannot reach the tier, or there is no tier above', () => {
    // Ben needs 50,000 and has 40,000 open (90 % at best). Cal is at 100 %, the top tier.
    expect(nextTier(prompts).map((p) => p.repId)).toEqual(['ana']);
  });
});

describe('prompt ids', () => {
  it('are a hash of rule, rep, subject and period, unchanged as days pass', () => {
    const ids = prompts.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^cp_[0-9a-f]{16}$/.test(id))).toBe(true);
    const a4 = stalled(prompts).find((p) => p.dealId === 'a4')!;
    expect(a4.id).toBe(promptId('stalled-deal', user('ana'), 'a4', '2026-Q3' as PeriodId));
    // Two days later a4 has been quiet 16 days: same prompt, same id, so storage updates it.
    const later = stalled(run(undefined, date('2026-08-03'))).find((p) => p.dealId === 'a4')!;
    expect([later.id, later.evidence.daysSinceActivity]).toEqual([a4.id, 16]);
    expect(promptId('stalled-deal', user('ana'), 'a4', '2026-Q4' as PeriodId)).not.toBe(a4.id);
    expect(promptId('stalled-deal', user('ben'), 'a4', '2026-Q3' as PeriodId)).not.toBe(a4.id);
    expect(promptId('low-coverage', user('ana'), 'a4', '2026-Q3' as PeriodId)).not.toBe(a4.id);
  });
});

describe('hierarchy', () => {
  it('never includes a rep outside the manager’s hierarchy on asOf', () => {
    // Dan moved to Oz on 1 Jul and Zed always reported to Oz: their quiet deals (d1, z1–z3) and
    // Zed's thin pipeline would all fire, but not for Mia.
    expect([...new Set(prompts.map((p) => p.repId))].sort()).toEqual(['ana', 'ben']);
    expect(prompts.some((p) => ['d1', 'z1', 'z2', 'z3'].includes(p.dealId ?? ''))).toBe(false);
    // Oz sees them instead, and none of Mia's reps.
    expect([...new Set(run(undefined, asOf, 'oz').map((p) => p.repId))].sort()).toEqual(['dan', 'zed']);
  });

  it('judges the hierarchy on asOf', () => {
    // On 15 Jun Dan still reported to Mia: d1 (30,000 Proposal, created 15 Jan, no activity) had been
    // quiet 151 days; closing it in Q3 would pay 30,000 × 5 % = 1,500; × 0.6 = 900.
    const june = run(undefined, date('2026-06-15'));
    expect(summary(stalled(june).filter((p) => p.repId === 'dan'))).toEqual([['stalled-deal', 'dan', 'd1', '1500.00', '0.6', '900.00']]);
    expect(june.some((p) => p.repId === 'zed')).toBe(false);
  });
});

describe('ranking', () => {
  const fake = (id: string, score: string, currency: string): CoachingPrompt => ({ ...prompts[0]!, id, score: new Decimal(score), currency: currency as CurrencyCode }) as CoachingPrompt;

  it('breaks ties on score by id', () => {
    const index = indexTenant(data);
    expect(rankPrompts([fake('cp_b', '500', 'USD'), fake('cp_c', '900', 'USD'), fake('cp_a', '500', 'USD')], index, asOf).map((p) => p.id)).toEqual(['cp_c', 'cp_a', 'cp_b']);
  });

  it('compares scores in different pay currencies in the home currency', () => {
    // EUR 1,000 at 1.2 = USD 1,200 outranks USD 1,100, though 1,000 < 1,100 as raw numbers.
    const eur = dataset({ users: [{ id: 'u', name: 'U' }], fxRates: [{ from: 'EUR', to: 'USD', rate: '1.2', date: '2026-07-01', source: 'ECB' }] });
    expect(rankPrompts([fake('cp_usd', '1100', 'USD'), fake('cp_eur', '1000', 'EUR')], indexTenant(eur), asOf).map((p) => p.id)).toEqual(['cp_eur', 'cp_usd']);
  });
});
