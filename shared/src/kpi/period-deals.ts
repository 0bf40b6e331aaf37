import { ZERO, type Decimal } from '../money/decimal.js';
import type { Deal, Stage } from '../domain/deals.js';
import { contains } from '../time/period.js';
import { dealAmountInHome, type HomeAmount } from './home-amount.js';
import type { KpiContext } from './kpi-context.js';
import { subjectDeals } from './subject.js';

/** One deal as the subject sees it in a period. */
export interface CreditedDeal {
  readonly deal: Deal;
  readonly stage: Stage;
  /** The subject's revenue share, 0..1 (a team sums its members' shares). */
  readonly share: Decimal;
  /** The whole deal in the home currency; undefined when no FX rate was known. */
  readonly home: HomeAmount | undefined;
  /** home × share: what the subject is credited with. */
  readonly credited: Decimal | undefined;
}

export interface PeriodDeals {
  readonly won: readonly CreditedDeal[];
  readonly lost: readonly CreditedDeal[];
  /** Open deals whose expected close date is in the period. */
  readonly open: readonly CreditedDeal[];
}

/** Share-weighted totals of a set of deals: a 50 % split counts as half a deal and half its amount. */
export interface DealTally {
  readonly deals: Decimal;
  /** Credited amount in the home currency, of the deals that could be valued. */
  readonly amount: Decimal;
  /** The part of `deals` that `amount` covers (deals without an FX rate are left out of it). */
  readonly valuedDeals: Decimal;
}

/**
 * The subject's won, lost and open deals of the period, read once so every KPI agrees on
 * them. The deal's stage is today's (the data is a snapshot); `asOf` only hides what had not
 * happened yet: deals created after it, and closings dated after it (such a deal is left out
 * rather than guessed back into an earlier stage). Credit is judged on the close date, the
 * date a team member's sale belongs to the team.
 */
export function periodDeals(ctx: KpiContext): PeriodDeals {
  const won: CreditedDeal[] = [];
  const lost: CreditedDeal[] = [];
  const open: CreditedDeal[] = [];
  for (const deal of subjectDeals(ctx.index, ctx.scope)) {
    if (deal.createdDate > ctx.asOf || !contains(ctx.period, deal.closeDate)) continue;
    const stage = ctx.index.stages.get(deal.pipelineId)?.get(deal.stageId);
    if (!stage) {
      ctx.problems.add({ code: 'unknown_stage', recordId: deal.id, message: `Deal ${deal.id} is in stage "${deal.stageId}", which pipeline "${deal.pipelineId}" does not have; it is left out of the KPIs`, fix: 'sync the pipeline definitions again, or correct the deal\'s stage' });
      continue;
    }
    if (stage.outcome !== 'open' && deal.closeDate > ctx.asOf) continue;
    const share = ctx.shareOf(deal, deal.closeDate);
    if (share.isZero()) continue;
    // Valued only once the deal is known to be the subject's, so others' FX gaps are not reported here.
    const home = dealAmountInHome(ctx.index, deal, ctx.currency, ctx.asOf, ctx.problems);
    const credited: CreditedDeal = { deal, stage, share, home, credited: home?.amount.times(share) };
    (stage.outcome === 'won' ? won : stage.outcome === 'lost' ? lost : open).push(credited);
  }
  return { won, lost, open };
}

export function tally(deals: readonly CreditedDeal[]): DealTally {
  let count = ZERO;
  let amount = ZERO;
  let valuedDeals = ZERO;
  for (const d of deals) {
    count = count.plus(d.share);
    if (d.credited === undefined) continue;
    amount = amount.plus(d.credited);
    valuedDeals = valuedDeals.plus(d.share);
  }
  return { deals: count, amount, valuedDeals };
}
