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
const PRECISION = 40;
export const Decimal = DecimalJs.clone({ precision: PRECISION, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = DecimalClass;
export type DecimalRounding = DecimalClass.Rounding;

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);
export const HUNDRED: Decimal = new Decimal(100);

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * Parses a plain decimal string ("1234.50", "-0.075"). Rejects floats in exponent form and blanks.
 * The result is stored compactly: a data file keeps a million of them for as long as it is used.
 */
export function parseDecimal(text: string): Decimal | undefined {
  const trimmed = text.trim();
  return DECIMAL_TEXT.test(trimmed) ? compact(new Decimal(trimmed)) : undefined;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) <= 0 ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) >= 0 ? a : b;
}

/*
 * Shortcuts for operations that are no-ops, so the hot paths of a large recompute skip
 * them. Each returns exactly what decimal.js would (the same value and the same sign of
 * zero): decimal.js rounds every result to PRECISION significant digits, so an operand is
 * passed through unchanged only when it already fits; parsed inputs may have more digits.
 */

/** Whether decimal.js would return `x` unrounded as the result of an operation. Looks at the digit words first (7 digits each). */
export function fitsPrecision(x: Decimal): boolean {
  return x.d.length <= 5 || x.precision() <= PRECISION;
}

/** `a.plus(b)`, without the operation when exactly one side is zero (decimal.js returns the other side then; two zeros are left to it, for the sign). */
export function add(a: Decimal, b: Decimal): Decimal {
  if (b.isZero()) return !a.isZero() && fitsPrecision(a) ? a : a.plus(b);
  if (a.isZero() && fitsPrecision(b)) return b;
  return a.plus(b);
}

/** `a.minus(b)`, without the operation when `b` is zero (and `a` not) or `a` and `b` are the same value object (x − x is +0). */
export function subtract(a: Decimal, b: Decimal): Decimal {
  if (a === b) return ZERO;
  if (b.isZero() && !a.isZero() && fitsPrecision(a)) return a;
  return a.minus(b);
}

/** `a.times(b)`, without the operation when `b` is the ONE constant (whole credit, the common case). */
export function multiply(a: Decimal, b: Decimal): Decimal {
  return b === ONE && fitsPrecision(a) ? a : a.times(b);
}

/**
 * `x.times(a).dividedBy(b)`, without either operation when a equals b (non-zero): the
 * product has at most sd(x) + sd(a) ≤ 40 digits, so it is exact, and dividing it by b
 * gives x back exactly.
 */
export function scaleBy(x: Decimal, a: Decimal, b: Decimal): Decimal {
  if (!x.isZero() && !b.isZero() && (a === b || a.equals(b)) && x.precision() + b.precision() <= PRECISION) return x;
  return x.times(a).dividedBy(b);
}

/**
 * An exact copy of `x` in the least memory. decimal.js grows a result's digit array one
 * push at a time, which leaves room for 16 words where one or two are used; a value kept
 * for the whole run (a line's amount, an attainment in provenance) is worth copying once,
 * which sizes the array to fit (and keeps every digit: copying never rounds).
 */
export function compact(x: Decimal): Decimal {
  return new Decimal(x);
}

/**
 * `x.comparedTo(y)` without the copy of `y` decimal.js makes first (a Decimal and its
 * digit array per comparison, in the engine's hottest loops): the same steps on the same
 * fields — sign, exponent, then the base-1e7 digit words — for finite values; others are
 * left to decimal.js. test/engine/decimal-compare.test.ts checks it against decimal.js.
 */
export function compare(x: Decimal, y: Decimal): number {
  const xd = x.d;
  const yd = y.d;
  if (!xd || !yd) return x.comparedTo(y);
  const xs = x.s;
  const ys = y.s;
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -ys : 0;
  if (xs !== ys) return xs;
  if (x.e !== y.e) return x.e > y.e !== xs < 0 ? 1 : -1;
  const xl = xd.length;
  const yl = yd.length;
  for (let i = 0, j = xl < yl ? xl : yl; i < j; ++i) if (xd[i] !== yd[i]) return xd[i]! > yd[i]! !== xs < 0 ? 1 : -1;
  return xl === yl ? 0 : xl > yl !== xs < 0 ? 1 : -1;
}
