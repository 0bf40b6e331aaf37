import { describe, expect, it } from 'vitest';
import { dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * A credit can carry more digits than the engine's 40-digit working precision: a EUR deal
 * converted with a rate stored the other way round (Salesforce keeps 0.971326 EUR per USD,
 * so USD = EUR / 0.971326, a non-terminating decimal). The running total then differs from
 * before + credit by 1e-35, and that artefact used to be read as a "marginal" remainder
 * and scaled into a huge negative tier slice: the 80,090 deal paid 266.97 instead of 800.90.
 */
describe('credits with more digits than the working precision', () => {
  // Mia manages Ana; she is paid 1 % / 1.5 % / 2.5 % retroactively on her team's bookings
  // against a 343,300 quarterly quota.
  const team = (fx: { from: string; to: string; rate: string }) =>
    dataset({
      users: [{ id: 'mia', name: 'Mia' }, { id: 'ana', name: 'Ana' }],
      managers: [{ userId: 'ana', managerId: 'mia', from: '2020-01-01' }],
      deals: [
        won('d0', 'ana', '21630', '2026-04-08'),
        won('d1', 'ana', '11660.00', '2026-05-05', { currency: 'EUR' }),
        won('d2', 'ana', '19340.62', '2026-05-06'),
        won('d3', 'ana', '80090', '2026-05-16'),
      ],
      quotas: [{ id: 'q', userId: 'mia', period: '2026-Q2', target: '343300', currency: 'USD' }],
      fxRates: [{ ...fx, date: '2026-05-01', source: 'crm' }],
    });
  const flm = plan({
    id: 'flm',
    rounding: 'half-even',
    payees: [{ user: 'mia' }],
    components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'], rollupLevels: 1 }, tiers: { mode: 'retroactive', basis: 'attainment', table: [{ upTo: '80', rate: '0.01' }, { upTo: '100', rate: '0.015' }, { rate: '0.025' }] } }],
  });

  it('pays every deal its own tier amount, whichever way the FX rate is stored', () => {
    // Bookings: 21,630 + 11,660 EUR (about 12,004 USD) + 19,340.62 + 80,090 ≈ 133,065 USD,
    // 38.8 % of 343,300: everything stays in the first tier, 1 % of each deal's USD credit.
    // 11,660 / 0.971326 = 12,004.2 → 120.04; the others: 216.30, 193.41, 800.90; total 1,330.65.
    const inverse = statementOf(run([flm], team({ from: 'USD', to: 'EUR', rate: '0.971326' }), '2026-Q2'), 'mia');
    expect(inverse.lines.map((l) => l.amount.toFixed(2))).toEqual(['216.30', '120.04', '193.41', '800.90']);
    expect(inverse.total.toFixed(2)).toBe('1330.65');
    for (const line of inverse.lines) expect(line.amount.isNegative()).toBe(false);
    // The same rate stored as EUR→USD 1.02952 (a terminating product) gives the same lines but
    // for the EUR deal's credit: 11,660 × 1.02952 = 12,004.2032 → 120.04 as well.
    const direct = statementOf(run([flm], team({ from: 'EUR', to: 'USD', rate: '1.02952' }), '2026-Q2'), 'mia');
    expect(direct.total.toFixed(2)).toBe('1330.65');
  });
});
