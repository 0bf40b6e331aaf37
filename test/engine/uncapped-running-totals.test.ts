import { describe, expect, it } from 'vitest';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * A running total stops being exact once its sums need more than 40 digits; that must
 * never make a line look capped. Here a rep joins on Aug 1 with a quarterly quota of
 * 10 new logos, prorated by days: 10 × 61/92 = 6.630434782608695652173913043478260869565
 * deals (40 digits, the quotient rounded). Tiers are marginal: up to 100 % of quota
 * $100 a deal, above it $150 a deal. Nine deals close Aug 10–18.
 *   d1–d6: 100 each (credit 0 → 6, under the 6.6304… bound)
 *   d7:    credit 6 → 7 crosses the bound: 0.6304… × 100 + 0.3695… × 150
 *          = 63.04… + 55.43… = 118.4782608695652173913043478260869565218 → 118.48
 *   d8:    150;  d9: 150
 * Total 6 × 100 + 118.48 + 2 × 150 = 1,018.48. After d9 the running total needs
 * 41 digits (1018.478…5218), so subtracting the rounded totals gives d9 149.99…98:
 * d9 must still pay exactly 150.
 */
const deals = Array.from({ length: 9 }, (_, i) => won(`d${i + 1}`, 'ana', '1000', `2026-08-${10 + i}`));
const data = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals, quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '10', measure: 'deal-count' }] });
const logos = (extra: Record<string, unknown> = {}, planExtra: Record<string, unknown> = {}) =>
  plan({
    id: 'ae',
    proration: 'days',
    payees: [{ user: 'ana', from: '2026-08-01' }],
    components: [{ id: 'logos', type: 'commission', measure: 'deal-count', tiers: { mode: 'marginal', table: [{ upTo: '100', rate: '100' }, { rate: '150' }] }, ...extra }],
    ...planExtra,
  });
const expected = [
  ...['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((d) => ['commission', d, '100.00']),
  ['commission', 'd7', '118.48'],
  ['commission', 'd8', '150.00'],
  ['commission', 'd9', '150.00'],
];

describe('a running total rounded past 40 digits', () => {
  it('without a cap, every line pays its own amount and none is called capped', () => {
    const s = statementOf(run([logos()], data, '2026-Q3'), 'ana');
    expect(s.attainment[0]!.quota?.toString()).toBe('6.630434782608695652173913043478260869565');
    expect(amounts(s)).toEqual(expected);
    expect(s.lines[8]!.provenance?.calculated.toString()).toBe('150');
    expect(s.lines[8]!.uncapped.toString()).toBe('150');
    expect(s.lines.map((l) => l.provenance?.capped)).toEqual(Array(9).fill(false));
    expect(s.lines.filter((l) => l.explanation.includes('Capped'))).toEqual([]);
    expect(s.total.toFixed(2)).toBe('1018.48');
  });

  it('under a component cap that is never reached, no line is trimmed', () => {
    const s = statementOf(run([logos({ cap: '5000' })], data, '2026-Q3'), 'ana');
    expect(amounts(s)).toEqual(expected);
    expect(s.lines.map((l) => l.provenance?.capped)).toEqual(Array(9).fill(false));
    expect(s.lines[8]!.explanation).not.toContain('Capped');
  });

  it('under a plan cap that is never reached, no line is trimmed', () => {
    const s = statementOf(run([logos({}, { periodCap: '5000' })], data, '2026-Q3'), 'ana');
    expect(amounts(s)).toEqual(expected);
    expect(s.lines[8]!.provenance?.capped).toBe(false);
    expect(s.lines[8]!.explanation).not.toContain('Plan cap');
  });

  it('a cap that is reached still trims the line that crosses it', () => {
    // 1,000 cap: d1–d6 600, d7 118.48 (718.48), d8 150 (868.48), d9 wants 150 but 131.52… is left.
    const s = statementOf(run([logos({ cap: '1000' })], data, '2026-Q3'), 'ana');
    expect(amounts(s).at(-1)).toEqual(['commission', 'd9', '131.52']);
    expect(s.lines[8]!.provenance?.capped).toBe(true);
    expect(s.lines[8]!.explanation).toContain('Capped: logos pays at most USD 1,000.00 a period, so this line pays USD 131.52');
    expect(s.total.toFixed(2)).toBe('1000.00');
  });
});
