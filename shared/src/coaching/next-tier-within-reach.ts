import { ONE, ZERO, type Decimal } from '../money/decimal.js';
import { estimateOpenDeals, nextTierGap, type DealEstimate } from '../engine/estimator.js';
import { pct, quantity } from '../engine/explain.js';
import { plansInForce } from '../engine/period-lines.js';
import type { CreditedDeal } from '../kpi/period-deals.js';
import type { CoachingContext, RepFacts } from './context.js';
import { dealName, listing, money, scored } from './format.js';
import { promptId } from './prompt-id.js';
import type { NextTierDeal, NextTierPrompt } from './types.js';

/**
 * The next tier on the rep's current statement (nextTierGap) that their open deals closing
 * in the period could reach. Deals are ranked by what they are likely to bring, credited
 * home amount × stage probability, and the shortest prefix of that ranking whose closing
 * lifts attainment to the tier (checked with estimateOpenDeals, so FX, splits, filters and
 * count measures are the engine's) is listed, in the estimator's declared order with
 * each deal's estimated commission.
 *
 * Impact: the estimates added up, which is the statement with those deals won minus the
 * statement without them. Likelihood: the product of their stage probabilities, the chance
 * all of them close if deals close independently; it understates the chance of reaching
 * the tier when other open deals could stand in for one that slips.
 */
export function nextTierWithinReach(ctx: CoachingContext, rep: RepFacts): NextTierPrompt[] {
  const statement = rep.statement;
  if (!statement) return [];
  const gap = nextTierGap(ctx.plans, statement.attainment);
  if (!gap) return [];
  const plan = plansInForce(ctx.plans, ctx.period).find((p) => p.id === gap.planId);
  const component = plan?.components.find((c) => c.id === gap.componentId);
  if (!plan || !component) return [];

  const ranked = rep.kpis.deals.open
    .map((d) => ({ d, weight: (d.credited ?? ZERO).times(d.stage.probability) }))
    .sort((a, b) => b.weight.comparedTo(a.weight) || (a.d.deal.id < b.d.deal.id ? -1 : a.d.deal.id > b.d.deal.id ? 1 : 0));
  if (ranked.length === 0) return [];

  // Closing more deals never lowers attainment, so the shortest reaching prefix is found by bisection.
  const cache = new Map<number, DealEstimate[]>();
  const estimates = (k: number): DealEstimate[] => {
    let list = cache.get(k);
    if (!list) {
      list = estimateOpenDeals({ plans: ctx.plans, data: ctx.index.data, index: ctx.index, payeeId: rep.repId, asOf: ctx.asOf, dealIds: ranked.slice(0, k).map((r) => r.d.deal.id) });
      cache.set(k, list);
    }
    return list;
  };
  const attainmentAfter = (k: number): Decimal | undefined => estimates(k).at(-1)?.attainmentAfter.find((s) => s.planId === gap.planId && s.componentId === gap.componentId)?.attainment;
  const reaches = (k: number): boolean => attainmentAfter(k)?.greaterThanOrEqualTo(gap.atAttainment) ?? false;
  if (!reaches(ranked.length)) return [];
  let lo = 1;
  let hi = ranked.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reaches(mid)) hi = mid;
    else lo = mid + 1;
  }
  const chosen = estimates(lo);
  const byId = new Map<string, { d: CreditedDeal; weight: Decimal }>(ranked.slice(0, lo).map((r) => [r.d.deal.id, r]));
  const listed: NextTierDeal[] = chosen.map((e) => {
    const { d, weight } = byId.get(e.dealId)!;
    return { dealId: d.deal.id, dealName: dealName(d.deal), stageName: d.stage.name, probability: d.stage.probability, amount: d.deal.amount, dealCurrency: d.deal.currency, closeDate: d.deal.closeDate, weight, commission: e.commission };
  });
  const impact = chosen.reduce((t, e) => t.plus(e.commission), ZERO);
  const likelihood = listed.reduce((p, d) => p.times(d.probability), ONE);
  const currency = chosen[0]?.currency ?? rep.payCurrency;
  const current = statement.attainment.find((s) => s.planId === gap.planId && s.componentId === gap.componentId)?.attainment;
  const name = rep.user.name;
  const needed = quantity(gap.creditNeeded, component.quotaMeasure, plan.currency);
  const now = current === undefined ? '' : `, now ${pct(current)}`;
  return [
    {
      id: promptId('next-tier-within-reach', rep.repId, `tier:${gap.planId}/${gap.componentId}/${gap.tier}`, ctx.period.id),
      rule: 'next-tier-within-reach',
      managerId: ctx.managerId,
      repId: rep.repId,
      dealId: undefined,
      periodId: ctx.period.id,
      title: `${name}: ${listed.length} deal${listed.length === 1 ? '' : 's'} from tier ${gap.tier}`,
      message: `${name} needs ${needed} more credit to reach tier ${gap.tier} at ${pct(gap.atAttainment)} attainment${now}. Closing ${listing(listed.map((d) => d.dealName))} would get there and pay about ${money(impact, currency)} more.`,
      evidence: {
        planId: plan.id,
        componentId: component.id,
        measure: statement.attainment.find((s) => s.planId === gap.planId && s.componentId === gap.componentId)?.measure ?? '',
        tier: gap.tier,
        atAttainment: gap.atAttainment,
        currentAttainment: current,
        creditNeeded: gap.creditNeeded,
        creditCurrency: plan.currency,
        deals: listed,
        attainmentAfter: attainmentAfter(lo)!,
        openDealsConsidered: ranked.length,
      },
      currency,
      ...scored(impact, likelihood, currency),
    },
  ];
}
