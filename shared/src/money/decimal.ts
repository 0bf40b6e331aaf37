import DecimalDefault from 'decimal.js';
import type { Decimal as DecimalClass } from 'decimal.js';

// decimal.js ships CommonJS typings with an ESM default export; this is the class itself.
const DecimalJs = DecimalDefault as unknown as typeof DecimalClass;

/**
 * The one decimal type for money and rates. A private clone so nothing else in the
 * process can change its precision or rounding behind our back. 40 significant digits
 * holds any realistic amount times any rate exactly; rounding to a currency's minor
 * unit happens only in `rounding.ts`, once per payout line.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = DecimalClass;
export type DecimalRounding = DecimalClass.Rounding;

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);
export const HUNDRED: Decimal = new Decimal(100);

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Parses a plain decimal string ("1234.50", "-0.075"). Rejects floats in exponent form and blanks. */
export function parseDecimal(text: string): Decimal | undefined {
  const trimmed = text.trim();
  return DECIMAL_TEXT.test(trimmed) ? new Decimal(trimmed) : undefined;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lessThanOrEqualTo(b) ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.greaterThanOrEqualTo(b) ? a : b;
}
