import { Decimal, subtract, type DecimalRounding } from './decimal.js';
import { minorUnits, type CurrencyCode } from './currency.js';

/**
 * How a payout line's exact amount becomes a payable one. Declared per plan; applied
 * exactly once per line, never to rates or intermediate values.
 */
export const ROUNDING_MODES = ['half-even', 'half-up', 'down', 'up'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const DECIMAL_JS_MODE: Record<RoundingMode, DecimalRounding> = {
  'half-even': Decimal.ROUND_HALF_EVEN,
  // Commercial rounding: halves away from zero, so -0.005 becomes -0.01 like +0.005 becomes +0.01.
  'half-up': Decimal.ROUND_HALF_UP,
  // Towards zero: never pays (or claws back) more than the exact amount.
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

export interface Rounded {
  readonly amount: Decimal;
  /** exact − amount: what rounding took away (positive) or added (negative). */
  readonly residual: Decimal;
}

export function roundToMinor(exact: Decimal, currency: CurrencyCode, mode: RoundingMode): Rounded {
  const amount = roundAmount(exact, currency, mode);
  return { amount, residual: subtract(exact, amount) };
}

/** The rounded amount alone. An amount that already has no more digits than the currency's minor unit is returned as it is. */
export function roundAmount(exact: Decimal, currency: CurrencyCode, mode: RoundingMode): Decimal {
  const digits = minorUnits(currency);
  return exact.decimalPlaces() <= digits ? exact : exact.toDecimalPlaces(digits, DECIMAL_JS_MODE[mode]);
}

/** Formats with exactly the currency's minor-unit digits: "1234.50", "-12.00", "500" (rounded by `mode` if it has more). */
export function formatAmount(amount: Decimal, currency: CurrencyCode, mode: RoundingMode = 'half-even'): string {
  return amount.toFixed(minorUnits(currency), DECIMAL_JS_MODE[mode]);
}
