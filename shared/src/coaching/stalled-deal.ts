import { ZERO } from '../money/decimal.js';
import type { Deal } from '../domain/deals.js';
import { estimateOpenDeals } from '../engine/estimator.js';
import { daysBetween } from '../time/iso-date.js';
import { contains } from '../time/period.js';
import { revenueShare, type CoachingContext, type RepFacts } from './context.js';
import { dealName, money, scored } from './format.js';
import { promptId } from './prompt-id.js';
import type { StalledDealPrompt } from './types.js';

/**
 * Open deals of the rep (revenue credit) expected to close in the period, or already
 * overdue, with no completed activity linked to them for `stalledDays` or more. Anyone's
 * activity on the deal counts: an SE's demo is progress too. A deal that never had one
 * has been quiet since it was created.
 *
 * Impact is what the deal alone would add to the rep's plan lines if it closed
 * (estimateOpenDeals), likelihood its stage probability. An overdue deal can no longer
 * close on its past date, so it is estimated as closing on asOf.
 */
export function stalledDeals(ctx: CoachingContext, rep: RepFacts): StalledDealPrompt[] {
  const { index, period, asOf } = ctx;
  const prompts: StalledDealPrompt[] = [];
  for (const deal of index.data.deals) {
    if (deal.createdDate > asOf) continue;
    const stage = ctx.stageOf(deal.pipelineId, deal.stageId);
    if (!stage || stage.outcome !== 'open') continue;
    const overdue = deal.closeDate < asOf;
    if (!contains(period, deal.closeDate) && !(overdue && deal.closeDate < period.start)) continue;
    const share = revenueShare(index, deal, rep.repId);
    if (share.isZero()) continue;
    const last = ctx.lastActivity.get(deal.id);
    const quietSince = last?.occurredAt ?? deal.createdDate;
    const days = daysBetween(quietSince, asOf);
    if (days < ctx.stalledDays) continue;

    const estimatedCloseDate = overdue ? asOf : deal.closeDate;
    const data = overdue ? { ...index.data, deals: index.data.deals.map((d): Deal => (d.id === deal.id ? { ...d, closeDate: asOf } : d)) } : index.data;
    const [estimate] = estimateOpenDeals({ plans: ctx.plans, data, ...(overdue ? {} : { index }), payeeId: rep.repId, asOf, dealIds: [deal.id] });
    const currency = estimate?.currency ?? rep.payCurrency;
    const commission = estimate?.commission ?? ZERO;
    const name = dealName(deal);
    const when = overdue ? `expected ${deal.closeDate}, now overdue` : `expected ${deal.closeDate}`;
    const since = last ? `since ${quietSince}` : `since it was created on ${quietSince}`;
    prompts.push({
      id: promptId('stalled-deal', rep.repId, deal.id, period.id),
      rule: 'stalled-deal',
      managerId: ctx.managerId,
      repId: rep.repId,
      dealId: deal.id,
      periodId: period.id,
      title: `${rep.user.name}: re-engage ${name} (${days} days quiet)`,
      message: `${name} (${money(deal.amount, deal.currency)}, ${stage.name}, ${when}) has had no completed activity ${since} (${days} days). Closing it would pay ${rep.user.name} about ${money(commission, currency)}; agree a next step with them.`,
      evidence: {
        dealId: deal.id,
        dealName: name,
        stageId: stage.id,
        stageName: stage.name,
        probability: stage.probability,
        amount: deal.amount,
        dealCurrency: deal.currency,
        creditShare: share,
        expectedCloseDate: deal.closeDate,
        overdue,
        estimatedCloseDate,
        lastActivityDate: last?.occurredAt,
        lastActivityId: last?.id,
        quietSince,
        daysSinceActivity: days,
        stalledDays: ctx.stalledDays,
        commission,
        netPay: estimate?.netPay ?? ZERO,
      },
      currency,
      ...scored(commission, stage.probability, currency),
    });
  }
  return prompts;
}
