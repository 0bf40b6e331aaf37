import { Decimal, ZERO } from '../money/decimal.js';
import { daysBetween } from '../time/iso-date.js';
import { weightedMedian } from './median.js';
import type { CreditedDeal } from './period-deals.js';

export interface SalesCycle {
  /** Share-weighted count of the won deals measured. */
  readonly deals: Decimal;
  /** Share-weighted mean of days from creation to close. */
  readonly averageDays: Decimal | undefined;
  /** Share-weighted median of the same days. */
  readonly medianDays: Decimal | undefined;
}

/**
 * Weighted by credit share like every other deal count, so a deal split with a colleague
 * pulls a rep's cycle half as much as one they ran alone. Deals without an FX rate still
 * count: the cycle does not depend on the amount.
 */
export function salesCycle(won: readonly CreditedDeal[]): SalesCycle {
  const entries = won.map((d) => ({ value: new Decimal(daysBetween(d.deal.createdDate, d.deal.closeDate)), weight: d.share }));
  let deals = ZERO;
  let weightedDays = ZERO;
  for (const e of entries) {
    deals = deals.plus(e.weight);
    weightedDays = weightedDays.plus(e.value.times(e.weight));
  }
  return { deals, averageDays: deals.isZero() ? undefined : weightedDays.dividedBy(deals), medianDays: weightedMedian(entries) };
}
