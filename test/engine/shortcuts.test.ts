import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, compact, Decimal, multiply, ONE, scaleBy, subtract, ZERO } from '../../shared/src/money/decimal.js';
import { roundAmount, roundToMinor } from '../../shared/src/money/rounding.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import { attainmentPercent, TierSchedule } from '../../shared/src/engine/tiers.js';

/**
 * The engine skips Decimal operations whose result it can tell in advance. Each shortcut
 * must give exactly what decimal.js gives: the same value, and the same digits when
 * printed. These properties pin that down on values shaped like the engine's (money,
 * shares, 40-digit quotients, zeros, and the occasional over-long parsed input).
 */
const digits = (min: number, max: number) => fc.integer({ min, max }).chain((n) => fc.stringMatching(new RegExp(`^[1-9][0-9]{${Math.max(0, n - 1)}}$`)));
const decimalText = fc.tuple(fc.boolean(), digits(1, 16), fc.option(digits(1, 8), { nil: undefined })).map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);
const longText = fc.tuple(digits(20, 30), digits(15, 25)).map(([int, frac]) => `${int}.${frac}`);
const decimal = fc.oneof(
  { weight: 6, arbitrary: decimalText.map((t) => new Decimal(t)) },
  { weight: 1, arbitrary: fc.constantFrom(ZERO, ONE, new Decimal('-0'), new Decimal(0)) },
  { weight: 1, arbitrary: fc.tuple(decimalText, digits(1, 7)).map(([a, b]) => new Decimal(a).dividedBy(new Decimal(b))) },
  { weight: 1, arbitrary: longText.map((t) => new Decimal(t)) },
);
const same = (a: Decimal, b: Decimal): void => {
  expect(a.toString()).toBe(b.toString());
  expect(a.isNegative()).toBe(b.isNegative());
};

describe('Decimal shortcuts give what decimal.js gives', () => {
  it('add, subtract and multiply by ONE', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        same(add(a, b), a.plus(b));
        same(subtract(a, b), a.minus(b));
        same(subtract(a, a), a.minus(a));
        same(multiply(a, ONE), a.times(ONE));
        same(multiply(a, b), a.times(b));
      }),
      { numRuns: 400 },
    );
  });

  it('scaleBy is x × a ÷ b', () => {
    fc.assert(
      fc.property(decimal, decimal, decimal, (x, a, b) => {
        fc.pre(!b.isZero());
        same(scaleBy(x, a, b), x.times(a).dividedBy(b));
        same(scaleBy(x, b, b), x.times(b).dividedBy(b));
      }),
      { numRuns: 400 },
    );
  });


  it('compact copies keep every digit', () => {
    fc.assert(fc.property(decimal, (x) => same(compact(x), x)));
  });

  it('rounding an amount that already fits returns it unchanged', () => {
    fc.assert(
      fc.property(decimal, fc.constantFrom('USD', 'JPY', 'KWD'), fc.constantFrom('half-even', 'half-up', 'down', 'up') as fc.Arbitrary<'half-even' | 'half-up' | 'down' | 'up'>, (x, currency, mode) => {
        const digitsOf = { USD: 2, JPY: 0, KWD: 3 }[currency]!;
        const modes = { 'half-even': Decimal.ROUND_HALF_EVEN, 'half-up': Decimal.ROUND_HALF_UP, down: Decimal.ROUND_DOWN, up: Decimal.ROUND_UP } as const;
        const expected = x.toDecimalPlaces(digitsOf, modes[mode]);
        same(roundAmount(x, currency as CurrencyCode, mode), expected);
        same(roundToMinor(x, currency as CurrencyCode, mode).residual, x.minus(expected));
      }),
    );
  });

  // Cumulative credit always fits the 40 digits (it is a sum decimal.js rounded), which this equality needs.
  it("an attainment table's basis is the attainment %: x ÷ (quota / 100) = x × 100 ÷ quota", () => {
    const quota = fc.oneof(digits(1, 9).map((t) => new Decimal(t)), fc.tuple(digits(4, 8), fc.integer({ min: 1, max: 92 }), fc.integer({ min: 28, max: 366 })).map(([t, d, n]) => new Decimal(t).times(d).dividedBy(n)));
    fc.assert(
      fc.property(decimal, quota, (raw, q) => {
        const x = raw.plus(ZERO);
        const schedule = new TierSchedule({ mode: 'retroactive', basis: 'attainment', marginalFrom: undefined, straddle: 'split', rows: [{ upTo: undefined, rate: ONE, multiplier: undefined }] }, q.dividedBy(100));
        same(schedule.toBasis(x), attainmentPercent(x, q)!);
      }),
      { numRuns: 400 },
    );
  });
});
