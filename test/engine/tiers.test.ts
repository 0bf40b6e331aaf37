import { describe, expect, it } from 'vitest';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * One rep, a 100,000 quarterly quota and three deals that cross two tier bounds:
 *   d1 40,000 on Jul 10 (attainment 0 → 40 %)
 *   d2 30,000 on Aug 10 (40 → 70 %: crosses 50 %)
 *   d3 50,000 on Sep 10 (70 → 120 %: crosses 100 %)
 * Tiers: 0–50 % at 2 % (a decelerator), 50–100 % at 5 %, above 100 % at 8 %.
 */
const data = dataset({
  users: [{ id: 'ana', name: 'Ana' }],
  deals: [won('d1', 'ana', '40000', '2026-07-10'), won('d2', 'ana', '30000', '2026-08-10'), won('d3', 'ana', '50000', '2026-09-10')],
  quotas: [{ id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' }],
});
const table = [{ upTo: '50', rate: '0.02' }, { upTo: '100', rate: '0.05' }, { rate: '0.08' }];
const ae = (tiers: Record<string, unknown>) => plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: { table, ...tiers } }] });

describe('tier modes crossing bounds within one deal', () => {
  it('marginal: each slice of a deal is paid at the rate of the tier it falls in', () => {
    const s = statementOf(run([ae({ mode: 'marginal' })], data, '2026-Q3'), 'ana');
    // d1: 40,000 × 2 % = 800
    // d2: 10,000 × 2 % (40→50 %) + 20,000 × 5 % (50→70 %) = 200 + 1,000 = 1,200
    // d3: 30,000 × 5 % (70→100 %) + 20,000 × 8 % (100→120 %) = 1,500 + 1,600 = 3,100
    expect(amounts(s)).toEqual([
      ['commission', 'd1', '800.00'],
      ['commission', 'd2', '1200.00'],
      ['commission', 'd3', '3100.00'],
    ]);
    expect(s.total.toFixed(2)).toBe('5100.00');
    const d2 = s.lines[1]!;
    expect(d2.provenance?.slices.map((x) => [x.tier, x.from.toString(), x.to.toString(), x.value.toString(), x.amount.toString()])).toEqual([
      [1, '40', '50', '10000', '200'],
      [2, '50', '70', '20000', '1000'],
    ]);
    expect(d2.explanation).toContain('attainment 40 % → 70 %');
    expect(d2.explanation).toContain('USD 10,000.00 at 2 % (tier 1) + USD 20,000.00 at 5 % (tier 2)');
  });

  it('marginal with straddle "whole": a crossing deal is paid entirely at the rate where it lands', () => {
    const s = statementOf(run([ae({ mode: 'marginal', straddle: 'whole' })], data, '2026-Q3'), 'ana');
    // d1 lands at 40 % → 2 % × 40,000 = 800; d2 lands at 70 % → 5 % × 30,000 = 1,500; d3 lands at 120 % → 8 % × 50,000 = 4,000
    expect(amounts(s).map((a) => a[2])).toEqual(['800.00', '1500.00', '4000.00']);
  });

  it('retroactive: reaching a tier re-rates all earlier credit, as explicit true-up lines', () => {
    const s = statementOf(run([ae({ mode: 'retroactive' })], data, '2026-Q3'), 'ana');
    // d1 at 40 %: 40,000 × 2 % = 800
    // d2 reaches 70 % → 5 %: 30,000 × 5 % = 1,500, and true-up (5 % − 2 %) × 40,000 = 1,200
    // d3 reaches 120 % → 8 %: 50,000 × 8 % = 4,000, and true-up (8 % − 5 %) × 70,000 = 2,100
    expect(amounts(s)).toEqual([
      ['commission', 'd1', '800.00'],
      ['commission', 'd2', '1500.00'],
      ['true-up', 'd2', '1200.00'],
      ['commission', 'd3', '4000.00'],
      ['true-up', 'd3', '2100.00'],
    ]);
    // The whole 120,000 ends up at the 8 % reached: 9,600.
    expect(s.total.toFixed(2)).toBe('9600.00');
    expect(s.lines[4]!.explanation).toContain('USD 70,000.00 credited earlier this period is re-rated from 5 % to 8 %');
  });

  it('lines of one day are ordered by kind, then by record id as text, whatever order the deals arrived in', () => {
    // Three deals close on Aug 10, arriving as d9, d10, d1; they are paid in id order d1, d10, d9
    // (as text: "d10" < "d9"), against the same 100,000 quota and retroactive table:
    //   d1 45,000 → 45 %: 45,000 × 2 % = 900
    //   d10 30,000 → 75 %: 30,000 × 5 % = 1,500, true-up (5 % − 2 %) × 45,000 = 1,350
    //   d9 40,000 → 115 %: 40,000 × 8 % = 3,200, true-up (8 % − 5 %) × 75,000 = 2,250
    // A statement lists a day's commissions before its true-ups, each in id order.
    const sameDay = (order: string[]) => {
      const deals = { d1: won('d1', 'ana', '45000', '2026-08-10'), d9: won('d9', 'ana', '40000', '2026-08-10'), d10: won('d10', 'ana', '30000', '2026-08-10') };
      return dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: order.map((id) => deals[id as keyof typeof deals]), quotas: [{ id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' }] });
    };
    const expected = [
      ['commission', 'd1', '900.00'],
      ['commission', 'd10', '1500.00'],
      ['commission', 'd9', '3200.00'],
      ['true-up', 'd10', '1350.00'],
      ['true-up', 'd9', '2250.00'],
    ];
    for (const order of [['d9', 'd10', 'd1'], ['d1', 'd9', 'd10']]) {
      const s = statementOf(run([ae({ mode: 'retroactive' })], sameDay(order), '2026-Q3'), 'ana');
      expect(amounts(s)).toEqual(expected);
      // All 115,000 at the 8 % reached.
      expect(s.total.toFixed(2)).toBe('9200.00');
    }
  });

  it('hybrid: retroactive up to 100 %, marginal above it', () => {
    const s = statementOf(run([ae({ mode: 'hybrid', marginalFrom: '100' })], data, '2026-Q3'), 'ana');
    // d1: 40,000 × 2 % = 800
    // d2 reaches 70 %: 30,000 × 5 % = 1,500 + true-up 3 % × 40,000 = 1,200
    // d3: the 30,000 up to 100 % at the retro rate 5 % = 1,500, the 20,000 above 100 % at 8 % = 1,600 → 3,100; no true-up (the retro rate stays 5 %)
    expect(amounts(s)).toEqual([
      ['commission', 'd1', '800.00'],
      ['commission', 'd2', '1500.00'],
      ['true-up', 'd2', '1200.00'],
      ['commission', 'd3', '3100.00'],
    ]);
    // 100,000 × 5 % + 20,000 × 8 % = 6,600
    expect(s.total.toFixed(2)).toBe('6600.00');
  });

  it('accelerator and decelerator written as multipliers of a base rate', () => {
    const twoDeals = dataset({
      users: [{ id: 'ana', name: 'Ana' }],
      deals: [won('d1', 'ana', '80000', '2026-07-10'), won('d2', 'ana', '140000', '2026-08-10')],
      quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '200000' }],
    });
    const p = plan({
      id: 'ae',
      payees: [{ user: 'ana' }],
      components: [{ id: 'nb', type: 'commission', tiers: { mode: 'marginal', baseRate: '0.10', table: [{ upTo: '50', multiplier: '0.5' }, { upTo: '100', multiplier: '1' }, { multiplier: '1.5' }] } }],
    });
    const s = statementOf(run([p], twoDeals, '2026-Q3'), 'ana');
    // Rates: 0.5 × 10 % = 5 % below 50 %, 10 % to 100 %, 1.5 × 10 % = 15 % above.
    // d1 (0 → 40 %): 80,000 × 5 % = 4,000
    // d2 (40 → 110 %): 20,000 × 5 % + 100,000 × 10 % + 20,000 × 15 % = 1,000 + 10,000 + 3,000 = 14,000
    expect(amounts(s).map((a) => a[2])).toEqual(['4000.00', '14000.00']);
  });

  it('tiers on amounts rather than attainment need no quota', () => {
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'marginal', basis: 'amount', table: [{ upTo: '50000', rate: '0.05' }, { rate: '0.10' }] } }] });
    const noQuota = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [won('d1', 'ana', '40000', '2026-07-10'), won('d2', 'ana', '30000', '2026-08-10')] });
    const s = statementOf(run([p], noQuota, '2026-Q3'), 'ana');
    // d1: 40,000 × 5 % = 2,000; d2: 10,000 × 5 % + 20,000 × 10 % = 500 + 2,000 = 2,500
    expect(amounts(s).map((a) => a[2])).toEqual(['2000.00', '2500.00']);
  });
});
