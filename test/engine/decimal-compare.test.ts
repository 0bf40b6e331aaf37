import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, Decimal, maxDecimal, minDecimal } from '../../shared/src/money/decimal.js';

/**
 * `compare` (money/decimal.ts) reads decimal.js's fields instead of calling comparedTo,
 * which copies its argument first. It must order every pair exactly as decimal.js does:
 * money amounts, rates, long coefficients, tiny and huge exponents, 40-digit quotients,
 * and zeros of both signs (equal to each other).
 */
const money = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 4 })).map(([neg, int, frac, places]) => new Decimal(`${neg ? '-' : ''}${int}${places ? `.${String(frac % 10 ** places).padStart(places, '0')}` : ''}`));
const scaled = fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: 10n ** 22n }), fc.integer({ min: -30, max: 30 })).map(([neg, coefficient, exponent]) => new Decimal(`${neg ? '-' : ''}${coefficient}e${exponent}`));
const special = fc.constantFrom('0', '-0', '1', '-1', '0.05', '0.050', '1.5', '100', '9999999', '10000000', '10000000.0000001', '0.0000001').map((t) => new Decimal(t));
const quotient = fc.tuple(money, fc.integer({ min: 3, max: 97 })).map(([a, b]) => a.dividedBy(b));
const value = fc.oneof({ weight: 4, arbitrary: money }, { weight: 3, arbitrary: scaled }, { weight: 2, arbitrary: special }, { weight: 1, arbitrary: quotient });

describe('comparing decimals without copying them', () => {
  it('orders every pair as decimal.js does', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(compare(a, b)).toBe(a.comparedTo(b));
        expect(compare(b, a)).toBe(b.comparedTo(a));
        expect(compare(a, a)).toBe(0);
        expect(minDecimal(a, b)).toBe(a.lessThanOrEqualTo(b) ? a : b);
        expect(maxDecimal(a, b)).toBe(a.greaterThanOrEqualTo(b) ? a : b);
      }),
      { numRuns: 5000 },
    );
  });

  it('worked cases: sign first, then exponent, then digit words, and a shorter prefix is smaller', () => {
    const d = (t: string): Decimal => new Decimal(t);
    expect(compare(d('-5'), d('0.001'))).toBe(-1);
    // Negative values: the larger exponent is the smaller number.
    expect(compare(d('-100'), d('-99.5'))).toBe(-1);
    // Same exponent, words differ in the second word: 12,345,678.9 (words 1, 2345678, 9000000) against 12,345,679.
    expect(compare(d('12345678.9'), d('12345679'))).toBe(-1);
    // 1.5 (words 1, 5000000) against 1.50000001 (one more word): the longer one is larger.
    expect(compare(d('1.5'), d('1.50000001'))).toBe(-1);
    expect(compare(d('-1.5'), d('-1.50000001'))).toBe(1);
    expect(compare(d('0'), d('-0'))).toBe(0);
    expect(compare(d('0.050'), d('0.05'))).toBe(0);
  });
});
