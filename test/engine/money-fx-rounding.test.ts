import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import { roundToMinor } from '../../shared/src/money/rounding.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

describe('multi-currency', () => {
  const data = dataset({
    users: [{ id: 'emma', name: 'Emma', payCurrency: 'GBP' }],
    deals: [won('d1', 'emma', '10000', '2026-07-15', { currency: 'EUR' })],
    fxRates: [
      { from: 'EUR', to: 'USD', rate: '1.10', date: '2026-07-01', source: 'ECB' },
      { from: 'EUR', to: 'USD', rate: '1.20', date: '2026-08-01', source: 'ECB' },
      { from: 'USD', to: 'GBP', rate: '0.75', date: '2026-09-30', source: 'ECB' },
    ],
  });
  const p = plan({ id: 'eu', payees: [{ user: 'emma' }], components: [{ id: 'nb', type: 'commission', rate: '0.10' }] });

  it('credits in the plan currency at the close date and pays in the payee\'s currency at period end, with both rates on the line', () => {
    const s = statementOf(run([p], data, '2026-Q3'), 'emma');
    // EUR 10,000 closed Jul 15: the latest EUR→USD rate on or before it is 1.10 (Jul 1) → USD 11,000 credited.
    // 10 % → USD 1,100; paid in GBP at 0.75 (Sep 30) → GBP 825.00.
    expect(s.currency).toBe('GBP');
    expect(amounts(s)).toEqual([['commission', 'd1', '825.00']]);
    const line = s.lines[0]!;
    expect(line.provenance?.creditFx).toMatchObject({ from: 'EUR', to: 'USD', date: '2026-07-01', source: 'ECB' });
    expect(line.provenance?.creditFx?.rate.toString()).toBe('1.1');
    expect(line.provenance?.payFx?.rate.toString()).toBe('0.75');
    expect(line.explanation).toContain('Paid in GBP at 0.75 (ECB, 2026-09-30): GBP 825.00');
  });

  it('names the missing rate instead of converting with a guess', () => {
    const noRate = { ...data, fxRates: data.fxRates.filter((r) => r.from === 'EUR') };
    const r = run([p], noRate, '2026-Q3');
    expect(r.statements).toEqual([]);
    expect(r.exceptions.filter((e) => e.period === '2026-Q3')).toEqual([expect.objectContaining({ code: 'missing_fx_rate', recordId: 'emma' })]);
    expect(r.exceptions.find((e) => e.period === '2026-Q3')!.fix).toBe('add an FX rate from USD to GBP dated on or before 2026-09-30');
  });
});

describe('rounding', () => {
  const usd = 'USD' as CurrencyCode;
  it.each([
    ['half-even', '5.005', '5.00', '0.005'],
    ['half-even', '5.015', '5.02', '-0.005'],
    ['half-up', '5.005', '5.01', '-0.005'],
    ['half-up', '-5.005', '-5.01', '0.005'],
    ['down', '5.009', '5.00', '0.009'],
    ['down', '-5.009', '-5.00', '-0.009'],
    ['up', '5.001', '5.01', '-0.009'],
  ] as const)('%s rounds %s to %s (residual %s)', (mode, exact, amount, residual) => {
    const r = roundToMinor(new Decimal(exact), usd, mode);
    expect([r.amount.toFixed(2), r.residual.toString()]).toEqual([amount, residual]);
  });

  it('rounds each line once and keeps the residual visible on the statement', () => {
    // Three deals of 100.10 at 5 % = 5.005 each. Half-even pays 5.00 per line (residual 0.005 each).
    const data = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: ['07-10', '08-10', '09-10'].map((d, i) => won(`d${i + 1}`, 'ana', '100.10', `2026-${d}`)) });
    const even = statementOf(run([plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.05' }] })], data, '2026-Q3'), 'ana');
    expect(amounts(even).map((a) => a[2])).toEqual(['5.00', '5.00', '5.00']);
    expect(even.total.toFixed(2)).toBe('15.00');
    expect(even.residual.toString()).toBe('0.015');
    const up = statementOf(run([plan({ id: 'ae', rounding: 'half-up', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.05' }] })], data, '2026-Q3'), 'ana');
    expect(up.total.toFixed(2)).toBe('15.03');
    // The sentence shows the amount as the line rounds it, not as a default rounding would.
    expect(up.lines[0]!.explanation).toContain('= USD 5.01 under nb');
    expect(up.residual.toString()).toBe('-0.015');
  });

  it('rounds to the pay currency\'s own minor unit (JPY has none)', () => {
    const data = dataset({
      users: [{ id: 'ken', name: 'Ken', payCurrency: 'JPY' }],
      deals: [won('d1', 'ken', '1234.56', '2026-07-10')],
      fxRates: [{ from: 'USD', to: 'JPY', rate: '150.5', date: '2026-09-01', source: 'BOJ' }],
    });
    const s = statementOf(run([plan({ id: 'jp', payees: [{ user: 'ken' }], components: [{ id: 'nb', type: 'commission', rate: '0.1' }] })], data, '2026-Q3'), 'ken');
    // 1,234.56 × 10 % = 123.456 USD × 150.5 = 18,580.128 JPY → 18,580 (residual 0.128)
    expect(s.lines[0]!.amount.toString()).toBe('18580');
    expect(s.residual.toString()).toBe('0.128');
  });
});
