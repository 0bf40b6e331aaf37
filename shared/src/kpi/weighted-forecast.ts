import { ZERO, type Decimal } from '../money/decimal.js';
import type { CreditedDeal } from './period-deals.js';

export interface WeightedForecast {
  /** Won revenue credited in the period (home currency). */
  readonly won: Decimal;
  /** Σ credited open amount × stage probability, for open deals expected to close in the period. */
  readonly openWeighted: Decimal;
  readonly total: Decimal;
}

export function weightedForecast(wonAmount: Decimal, open: readonly CreditedDeal[]): WeightedForecast {
  let openWeighted = ZERO;
  for (const d of open) if (d.credited !== undefined) openWeighted = openWeighted.plus(d.credited.times(d.stage.probability));
  return { won: wonAmount, openWeighted, total: wonAmount.plus(openWeighted) };
}
