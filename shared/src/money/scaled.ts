import { Decimal } from './decimal.js';
import type { RoundingMode } from './rounding.js';

/**
 * Exact decimals as integers in a JS number: `n` at scale `s` stands for n × 10^-s.
 *
 * The engine pays most records with values of a few digits (an amount in cents times a
 * rate of two decimals). decimal.js allocates an object and a digit array for every such
 * operation, which was most of a full recompute's time; integer arithmetic on numbers is
 * exact as long as every result stays a safe integer (below 2^53). So each function here
 * either gives the exact result or NaN (it does not fit, or is not a whole number of
 * units), and its caller then does that step with decimal.js instead. Whenever a result
 * is a number it is the value decimal.js gives, sign of zero included
 * (test/engine/scaled.test.ts checks each against decimal.js).
 */

/** 10^k for k = 0..22: every one is exact in a double. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
const LOG_BASE = 7;

/** `x` in units of 10^-scale, or NaN when it has more decimals than `scale` or does not fit. */
export function toScaled(x: Decimal, scale: number): number {
  // decimal.js keeps digits in base-1e7 words aligned on the decimal point: word i is worth
  // 10^(7 × (floor(e / 7) − i)).
  const d = x.d;
  if (!d) return NaN;
  const top = Math.floor(x.e / LOG_BASE);
  let n = 0;
  for (let i = 0; i < d.length; i++) {
    const w = d[i]!;
    if (w === 0) continue;
    const p = LOG_BASE * (top - i) + scale;
    if (p >= 0) {
      if (p > 22) return NaN;
      n += w * POW10[p]!;
    } else {
      // Digits below the scale: only whole trailing zeros of the word may go.
      if (p <= -LOG_BASE) return NaN;
      const unit = POW10[-p]!;
      if (w % unit !== 0) return NaN;
      n += w / unit;
    }
  }
  // Every term is non-negative, so a sum that lost precision ends above 2^53 and is refused here.
  if (!Number.isSafeInteger(n)) return NaN;
  return x.s < 0 ? -n : n;
}

/**
 * The Decimal `n` stands for at `scale` (an exact copy, -0 kept). Built as decimal.js's
 * own parser would build it from the digits — base-1e7 words aligned on the decimal point,
 * no trailing zero digits — without going through a string: a full recompute turns a
 * million line amounts into Decimals.
 */
export function fromScaled(n: number, scale: number): Decimal {
  const x = new Decimal(0) as Decimal & { d: number[]; e: number; s: number };
  const negative = n < 0 || Object.is(n, -0);
  x.s = negative ? -1 : 1;
  let m = Math.abs(n);
  if (m === 0) return x;
  // Trailing zero digits are not kept (the parser strips them).
  while (m % 10 === 0) {
    m /= 10;
    scale--;
  }
  let digits = 1;
  while (digits < POW10.length && m >= POW10[digits]!) digits++;
  const e = digits - 1 - scale;
  // The first word holds the digits down to the nearest exponent that is a multiple of 7.
  const firstLength = (((e % LOG_BASE) + LOG_BASE) % LOG_BASE) + 1;
  if (digits <= firstLength) {
    x.d = [m * POW10[firstLength - digits]!];
  } else {
    const words = Math.ceil((digits - firstLength) / LOG_BASE);
    const pad = firstLength + LOG_BASE * words - digits;
    const d = new Array<number>(words + 1);
    // The last word: the last 7 − pad digits, followed by pad zeros. Remainders of whole numbers
    // by powers of ten are exact, and so are the divisions of what is left by them.
    const lastUnit = POW10[LOG_BASE - pad]!;
    const last = m % lastUnit;
    d[words] = last * POW10[pad]!;
    m = (m - last) / lastUnit;
    for (let w = words - 1; w >= 1; w--) {
      const word = m % WORD;
      d[w] = word;
      m = (m - word) / WORD;
    }
    d[0] = m;
    x.d = d;
  }
  x.e = e;
  return x;
}

const WORD = 10 ** LOG_BASE;

/** `a.plus(b)`: decimal.js signs a zero sum as IEEE addition does (−0 + +0 is +0, −0 + −0 is −0). */
export function plusScaled(a: number, b: number): number {
  const sum = a + b;
  return Number.isSafeInteger(sum) ? sum : NaN;
}

/** `a.minus(b)`, zero signs as in IEEE subtraction (as decimal.js gives them). */
export function minusScaled(a: number, b: number): number {
  const difference = a - b;
  return Number.isSafeInteger(difference) ? difference : NaN;
}

/** `n` at scale `from` in units of the finer scale `to` (the same value); NaN when `to` is coarser or the result does not fit. */
export function rescaled(n: number, from: number, to: number): number {
  const factor = POW10[to - from];
  return factor === undefined ? NaN : timesScaled(n, factor);
}

/** a × b, at the sum of their scales. */
export function timesScaled(a: number, b: number): number {
  const product = a * b;
  // A zero product (−0 included) is a safe integer: its sign is the one decimal.js gives.
  return Number.isSafeInteger(product) ? product : NaN;
}

/**
 * x × a / b, all three at one scale, when the quotient is a whole number of units (the
 * caller falls back to decimal.js otherwise): x × a / x is a exactly, as it is in decimal.js.
 */
export function scaleByScaled(x: number, a: number, b: number): number {
  if (x !== 0 && b !== 0 && a === b) return x;
  if (x !== 0 && x === b) return a;
  const product = x * a;
  if (!Number.isSafeInteger(product) || b === 0) return NaN;
  if (product % b !== 0) return NaN;
  const quotient = product / b;
  // decimal.js gives the sign of x × a ÷ b even to a zero.
  return quotient === 0 ? (product < 0 || Object.is(product, -0)) !== (b < 0) ? -0 : 0 : quotient;
}

/**
 * `n` (at `scale`) rounded to `digits` decimals by `mode`, still at `scale`: what
 * `toDecimalPlaces(digits, mode)` gives, with the sign of a result that rounds to zero kept.
 */
export function roundScaled(n: number, scale: number, digits: number, mode: RoundingMode): number {
  if (scale <= digits) return n;
  const unit = POW10[scale - digits];
  if (unit === undefined) return NaN;
  const remainder = n % unit;
  if (remainder === 0) return n;
  const quotient = (n - remainder) / unit;
  const away = remainder < 0 ? -1 : 1;
  const twice = 2 * Math.abs(remainder);
  let rounded = quotient;
  if (mode === 'up') rounded += away;
  else if (mode === 'half-up') {
    if (twice >= unit) rounded += away;
  } else if (mode === 'half-even') {
    if (twice > unit || (twice === unit && quotient % 2 !== 0)) rounded += away;
  }
  const result = rounded * unit;
  if (!Number.isSafeInteger(result)) return NaN;
  return result === 0 && n < 0 ? -0 : result;
}
