import { HUNDRED, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import { displayMoney } from '../money/money.js';
import { roundToMinor } from '../money/rounding.js';
import type { Deal } from '../domain/deals.js';
import { pct } from '../engine/explain.js';

// Display only: nothing formatted here feeds back into an amount.

export const money = (amount: Decimal, currency: CurrencyCode): string => displayMoney({ amount, currency });

/** A 0..1 fraction as "40 %". */
export const percent = (fraction: Decimal): string => pct(fraction.times(HUNDRED));

/** A coverage multiple as "0.8×". */
export const multiple = (ratio: Decimal): string => `${ratio.toDecimalPlaces(2).toString()}×`;

/** Share-weighted deal counts may be fractional: "4.5 deals", "1 deal". */
export const deals = (count: Decimal): string => `${count.toDecimalPlaces(2).toString()} deal${count.equals(1) ? '' : 's'}`;

export const dealName = (deal: Pick<Deal, 'id' | 'name'>): string => deal.name || deal.id;

export function listing(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Impact and score are money: rounded once, to the pay currency's minor unit. */
export function scored(impact: Decimal, likelihood: Decimal, currency: CurrencyCode): { impact: Decimal; likelihood: Decimal; score: Decimal } {
  const rounded = roundToMinor(impact, currency, 'half-even').amount;
  return { impact: rounded, likelihood, score: roundToMinor(rounded.times(likelihood), currency, 'half-even').amount };
}
