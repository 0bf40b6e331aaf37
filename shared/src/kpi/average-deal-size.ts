import type { Decimal } from '../money/decimal.js';
import { tally, type CreditedDeal } from './period-deals.js';

export interface AverageDealSize {
  readonly wonAmount: Decimal;
  /** Share-weighted count of the won deals that could be valued. */
  readonly wonDeals: Decimal;
  /** wonAmount ÷ wonDeals: the share-weighted mean of whole deal amounts. */
  readonly average: Decimal | undefined;
}

/**
 * Dividing credited amount by share-weighted count gives the mean size of the deals
 * themselves: half of a 40k deal adds 20k and half a deal, i.e. a 40k deal at half weight.
 */
export function averageDealSize(won: readonly CreditedDeal[]): AverageDealSize {
  const t = tally(won);
  return { wonAmount: t.amount, wonDeals: t.valuedDeals, average: t.valuedDeals.isZero() ? undefined : t.amount.dividedBy(t.valuedDeals) };
}
