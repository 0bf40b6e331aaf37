import { describe, expect, it } from 'vitest';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

const rep = [{ id: 'ana', name: 'Ana' }];

describe('caps', () => {
  it('a component cap trims the line that crosses it and pays nothing after', () => {
    const data = dataset({ users: rep, deals: [won('d1', 'ana', '30000', '2026-07-10'), won('d2', 'ana', '40000', '2026-08-10'), won('d3', 'ana', '10000', '2026-09-10')] });
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.10', cap: '5000' }] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // 10 %: d1 3,000; d2 4,000 but only 2,000 is left under the 5,000 cap; d3 1,000 → 0.
    expect(amounts(s).map((a) => a[2])).toEqual(['3000.00', '2000.00', '0.00']);
    expect(s.lines[1]!.uncapped.toString()).toBe('4000');
    expect(s.lines[1]!.provenance?.capped).toBe(true);
    expect(s.lines[1]!.explanation).toContain('Capped: nb pays at most USD 5,000.00 a period, so this line pays USD 2,000.00');
  });

  it('a plan cap applies across components after their own caps', () => {
    const data = dataset({ users: rep, deals: [won('d1', 'ana', '30000', '2026-07-10', { properties: { type: 'new' } }), won('d2', 'ana', '30000', '2026-08-10', { properties: { type: 'renewal' } })] });
    const p = plan({
      id: 'ae',
      periodCap: '4000',
      payees: [{ user: 'ana' }],
      components: [
        { id: 'new', type: 'commission', rate: '0.10', filter: { properties: { type: 'new' } } },
        { id: 'renewal', type: 'commission', rate: '0.05', filter: { properties: { type: 'renewal' } } },
      ],
    });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // new: 30,000 × 10 % = 3,000 (Jul); renewal: 30,000 × 5 % = 1,500 (Aug) but only 1,000 is left under the 4,000 plan cap.
    expect(amounts(s)).toEqual([
      ['commission', 'd1', '3000.00'],
      ['commission', 'd2', '1000.00'],
    ]);
  });
});

describe('gates', () => {
  const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.10', gate: { minAttainment: '50' } }] });
  const quotas = [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100000' }];

  it('withholds pay until attainment reaches the gate, then releases it all', () => {
    const data = dataset({ users: rep, quotas, deals: [won('d1', 'ana', '30000', '2026-07-10'), won('d2', 'ana', '10000', '2026-08-01'), won('d3', 'ana', '20000', '2026-09-10')] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // d1 (30 %) and d2 (40 %) are below the 50 % gate: 3,000 and 1,000 withheld.
    // d3 takes attainment to 60 %: d3's own 2,000, and the release of the 4,000 withheld.
    expect(amounts(s)).toEqual([
      ['commission', 'd1', '0.00'],
      ['commission', 'd2', '0.00'],
      ['commission', 'd3', '2000.00'],
      ['gate-release', 'd3', '4000.00'],
    ]);
    expect(s.lines[0]!.explanation).toContain('Withheld: nothing pays until attainment reaches 50 %');
    expect(s.total.toFixed(2)).toBe('6000.00');
  });

  it('pays nothing when the gate is never reached', () => {
    const data = dataset({ users: rep, quotas, deals: [won('d1', 'ana', '30000', '2026-07-10')] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    expect(s.total.toFixed(2)).toBe('0.00');
    expect(s.lines[0]!.provenance?.withheld).toBe(true);
    expect(s.lines[0]!.provenance?.calculated.toString()).toBe('3000');
  });
});

describe('SPIFFs and bonuses', () => {
  const deals = [
    won('d1', 'ana', '20000', '2026-07-10', { properties: { dealtype: 'newbusiness' } }),
    won('d2', 'ana', '20000', '2026-08-10', { properties: { dealtype: 'renewal' } }),
    won('d3', 'ana', '20000', '2026-08-20', { properties: { dealtype: 'newbusiness' } }),
    won('d4', 'ana', '20000', '2026-09-10', { properties: { dealtype: 'newbusiness' }, splits: [{ userId: 'ana', type: 'revenue', percent: '50' }, { userId: 'ben', type: 'revenue', percent: '50' }] }),
  ];
  const users = [...rep, { id: 'ben', name: 'Ben' }];

  it('once per period pays only the first qualifying deal', () => {
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'new-logo', type: 'spiff', amount: '500', frequency: 'once-per-period', filter: { properties: { dealtype: 'newbusiness' } } }] });
    const s = statementOf(run([p], dataset({ users, deals }), '2026-Q3'), 'ana');
    // d1, d3 and d4 qualify; only d1 (the earliest) pays.
    expect(amounts(s)).toEqual([['spiff', 'd1', '500.00']]);
    expect(s.lines[0]!.explanation).toContain('(once per period)');
  });

  it('every deal pays, scaled by the payee\'s credit share', () => {
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'new-logo', type: 'spiff', amount: '500', filter: { properties: { dealtype: 'newbusiness' } } }] });
    const s = statementOf(run([p], dataset({ users, deals }), '2026-Q3'), 'ana');
    // d1 500, d3 500, d4 is split 50/50 → 250.
    expect(amounts(s)).toEqual([
      ['spiff', 'd1', '500.00'],
      ['spiff', 'd3', '500.00'],
      ['spiff', 'd4', '250.00'],
    ]);
  });

  it('attainment bonuses pay once when each threshold is crossed', () => {
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'club', type: 'attainment-bonus', thresholds: [{ attainment: '100', amount: '2000' }, { attainment: '50', amount: '500' }] }] });
    const data = dataset({ users, deals, quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '60000' }] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // Credited: d1 20k (33 %), d2 40k (66.7 %: crosses 50 %), d3 60k (100 %: reaches 100 %), d4 +10k (116.7 %).
    expect(amounts(s)).toEqual([
      ['bonus', '50', '500.00'],
      ['bonus', '100', '2000.00'],
    ]);
    expect(s.lines.map((l) => l.date)).toEqual(['2026-08-10', '2026-08-20']);
  });
});
