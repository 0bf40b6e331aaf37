import { HUNDRED, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import { displayMoney } from '../money/money.js';
import type { Measure } from '../domain/quotas.js';
import type { TierSlice } from './statement.js';

/**
 * The words on a payout line. One sentence a rep can check with a calculator: what was
 * credited, where attainment stood, which tier and rate applied. Display rounding here
 * never feeds back into amounts.
 */
export function pct(value: Decimal): string {
  return `${trim(value.toDecimalPlaces(2))} %`;
}

export function ratePhrase(rate: Decimal, measure: Measure, currency: CurrencyCode): string {
  if (measure.kind === 'revenue') return trim(rate.times(HUNDRED).toDecimalPlaces(4)) + ' %';
  return `${displayMoney({ amount: rate, currency })} per ${unitName(measure)}`;
}

export function unitName(measure: Measure): string {
  return measure.kind === 'revenue' ? 'amount' : measure.kind === 'deal-count' ? 'deal' : measure.activityType;
}

export function quantity(value: Decimal, measure: Measure, currency: CurrencyCode): string {
  if (measure.kind === 'revenue') return displayMoney({ amount: value, currency });
  const n = trim(value.toDecimalPlaces(4));
  return `${n} ${unitName(measure)}${value.equals(1) ? '' : 's'}`;
}

/** "USD 10,000.00 at 5 % (tier 1) + …"; a flat rate has no tiers to name. */
export function slicesPhrase(slices: readonly TierSlice[], measure: Measure, currency: CurrencyCode, tiered: boolean): string {
  return slices.map((s) => `${quantity(s.value, measure, currency)} at ${ratePhrase(s.rate, measure, currency)}${tiered ? ` (tier ${s.tier})` : ''}`).join(' + ');
}

function trim(d: Decimal): string {
  return d.toString();
}
