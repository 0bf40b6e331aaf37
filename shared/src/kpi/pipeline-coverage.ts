import { ZERO, maxDecimal, type Decimal } from '../money/decimal.js';
import { tally, type CreditedDeal } from './period-deals.js';

export interface PipelineCoverage {
  /** Credited amount of open deals expected to close in the period (home currency). */
  readonly openPipeline: Decimal;
  /** Share-weighted count of those deals. */
  readonly openDeals: Decimal;
  readonly quota: Decimal | undefined;
  readonly wonSoFar: Decimal;
  /** max(quota − won so far, 0). */
  readonly remaining: Decimal | undefined;
  /** openPipeline ÷ remaining ("3" = 3× coverage); undefined without a quota or once it is met. */
  readonly coverage: Decimal | undefined;
}

/**
 * An open deal whose expected close date has passed but is still inside the period stays
 * in: the CRM still lists it as open, and a rep can still close it this period.
 */
export function pipelineCoverage(open: readonly CreditedDeal[], wonSoFar: Decimal, quota: Decimal | undefined): PipelineCoverage {
  const pipeline = tally(open);
  const remaining = quota === undefined ? undefined : maxDecimal(quota.minus(wonSoFar), ZERO);
  return {
    openPipeline: pipeline.amount,
    openDeals: pipeline.deals,
    quota,
    wonSoFar,
    remaining,
    coverage: remaining === undefined || remaining.isZero() ? undefined : pipeline.amount.dividedBy(remaining),
  };
}
