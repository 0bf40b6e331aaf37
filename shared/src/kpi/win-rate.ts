import type { Decimal } from '../money/decimal.js';
import { tally, type CreditedDeal, type DealTally } from './period-deals.js';

export interface WinRate {
  readonly won: DealTally;
  readonly lost: DealTally;
  /** won ÷ (won + lost) by share-weighted deal count; undefined when nothing closed. */
  readonly byCount: Decimal | undefined;
  /** The same by credited amount, over the deals that could be valued. */
  readonly byAmount: Decimal | undefined;
}

export function winRate(won: readonly CreditedDeal[], lost: readonly CreditedDeal[]): WinRate {
  const w = tally(won);
  const l = tally(lost);
  const closedCount = w.deals.plus(l.deals);
  const closedAmount = w.amount.plus(l.amount);
  return {
    won: w,
    lost: l,
    byCount: closedCount.isZero() ? undefined : w.deals.dividedBy(closedCount),
    byAmount: closedAmount.isZero() ? undefined : w.amount.dividedBy(closedAmount),
  };
}
