import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import { ROUNDING_MODES, roundAmount } from '../../shared/src/money/rounding.js';
import { fromScaled, minusScaled, plusScaled, rescaled, roundScaled, scaleByScaled, timesScaled, toScaled } from '../../shared/src/money/scaled.js';

/**
 * The engine pays in integers of 10^-scale units where values fit (money/scaled.ts) and in
 * decimal.js where they do not. Every number a scaled function gives must be exactly what
 * decimal.js gives for the same values — the same digits and the same sign of zero — and
 * anything it cannot do exactly must be NaN, never an approximation.
 */
const money = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([neg, int, frac, places]) => new Decimal(`${neg ? '-' : ''}${int}${places ? `.${String(frac % 10 ** places).padStart(places, '0')}` : ''}`));
const wide = fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.integer({ min: -20, max: 12 })).map(([neg, coefficient, exponent]) => new Decimal(`${neg ? '-' : ''}${coefficient}e${exponent}`));
const special = fc.constantFrom('0', '-0', '1', '-1', '0.05', '1.5', '100', '9999999', '10000000', '10000000.0000001', '0.0000001', '-0.005', '0.015', '-0.025').map((t) => new Decimal(t));
const value = fc.oneof({ weight: 5, arbitrary: money }, { weight: 2, arbitrary: wide }, { weight: 2, arbitrary: special });
const scale = fc.integer({ min: 0, max: 12 });

/** The Decimal a scaled result stands for, or undefined for NaN; and the same for decimal.js's own result. */
function same(scaledResult: number, s: number, expected: Decimal): void {
  if (Number.isNaN(scaledResult)) return;
  const back = fromScaled(scaledResult, s);
  expect(back.toString()).toBe(expected.toString());
  expect(back.isNegative()).toBe(expected.isNegative());
}

describe('exact decimals as scaled integers', () => {
  it('convert both ways exactly, and refuse values with more decimals than the scale or too many digits', () => {
    fc.assert(
      fc.property(value, scale, (x, s) => {
        const n = toScaled(x, s);
        const fits = x.decimalPlaces() <= s && x.abs().times(new Decimal(10).pow(s)).lessThanOrEqualTo(Number.MAX_SAFE_INTEGER);
        expect(Number.isNaN(n)).toBe(!fits);
        if (fits) {
          expect(fromScaled(n, s).toString()).toBe(x.toString());
          expect(Object.is(n, -0) || n < 0).toBe(x.isNegative());
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('builds from an integer and a scale the very Decimal decimal.js parses from its digits', () => {
    // The reference: the digits as text, which decimal.js parses into its base-1e7 words.
    const parsed = (n: number, s: number): Decimal => {
      const digits = String(Math.abs(n)).padStart(s + 1, '0');
      const text = s === 0 ? digits : `${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
      return new Decimal(n < 0 || Object.is(n, -0) ? `-${text}` : text);
    };
    const integer = fc.oneof(
      fc.integer({ min: -9_999_999, max: 9_999_999 }),
      fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }).map(Number),
      fc.constantFrom(0, -0, 1, -1, 10_000_000, 99_999_990_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1_000_000_000_000_000),
    );
    fc.assert(
      fc.property(integer, fc.integer({ min: 0, max: 30 }), (n, s) => {
        const built = fromScaled(n, s);
        const expected = parsed(n, s);
        // The same words, exponent and sign (not only the same text): arithmetic reads these.
        expect([built.s, built.e, built.d]).toEqual([expected.s, expected.e, expected.d]);
        expect(built.toString()).toBe(expected.toString());
      }),
      { numRuns: 5000 },
    );
  });

  it('moves a value to a finer scale exactly as reading it at that scale does, and refuses a coarser one', () => {
    fc.assert(
      fc.property(value, scale, scale, (x, from, to) => {
        const n = toScaled(x, from);
        if (Number.isNaN(n)) return;
        const moved = rescaled(n, from, to);
        if (to < from) expect(moved).toBeNaN();
        else expect(Object.is(moved, toScaled(x, to))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('add, subtract and multiply as decimal.js does, or say they cannot', () => {
    fc.assert(
      fc.property(value, value, scale, scale, (a, b, sa, sb) => {
        const na = toScaled(a, sa);
        const nb = toScaled(b, sa);
        if (!Number.isNaN(na) && !Number.isNaN(nb)) {
          same(plusScaled(na, nb), sa, a.plus(b));
          same(minusScaled(na, nb), sa, a.minus(b));
        }
        const mb = toScaled(b, sb);
        if (!Number.isNaN(na) && !Number.isNaN(mb)) same(timesScaled(na, mb), sa + sb, a.times(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('scale x by a / b only when the quotient is whole units', () => {
    fc.assert(
      fc.property(value, value, value, scale, (x, a, b, s) => {
        const [nx, na, nb] = [toScaled(x, s), toScaled(a, s), toScaled(b, s)];
        if ([nx, na, nb].some(Number.isNaN) || b.isZero()) return;
        same(scaleByScaled(nx, na, nb), s, x.times(a).dividedBy(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('round to a currency\'s decimals by every mode as the payout rounding does', () => {
    fc.assert(
      fc.property(value, scale, fc.constantFrom(0, 2, 3), fc.constantFrom(...ROUNDING_MODES), (x, s, digits, mode) => {
        const n = toScaled(x, s);
        if (Number.isNaN(n)) return;
        const currency = digits === 0 ? 'JPY' : digits === 2 ? 'USD' : 'KWD';
        same(roundScaled(n, s, digits, mode), s, roundAmount(x, currency as never, mode));
      }),
      { numRuns: 5000 },
    );
  });

  it('worked cases', () => {
    // 12,345.678 at scale 4 is 123,456,780 units (decimal.js words 12345 and 6780000).
    expect(toScaled(new Decimal('12345.678'), 4)).toBe(123_456_780);
    // Five decimals do not fit in four.
    expect(toScaled(new Decimal('0.00001'), 4)).toBeNaN();
    // 1e16 units is past 2^53.
    expect(toScaled(new Decimal('100000000'), 8)).toBeNaN();
    // 1,234.565 at scale 3, half-even to cents: the 5 rounds to the even 6 → 1,234.56 (123,456,0).
    expect(roundScaled(1_234_565, 3, 2, 'half-even')).toBe(1_234_560);
    // …and half-up away from zero, also for a negative amount.
    expect(roundScaled(-1_234_565, 3, 2, 'half-up')).toBe(-1_234_570);
    // −0.004 rounds to a zero that keeps its sign, as decimal.js's does.
    expect(Object.is(roundScaled(-4, 3, 2, 'half-even'), -0)).toBe(true);
    // 60 × 25 / 50 = 30; 10 × 1 / 3 is not a whole number of units.
    expect(scaleByScaled(60, 25, 50)).toBe(30);
    expect(scaleByScaled(10, 1, 3)).toBeNaN();
  });
});
