import { describe, expect, it } from 'vitest';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

// Q3 2026 has 92 days: July 31, August 31, September 30.
const retro = { mode: 'retroactive', table: [{ upTo: '100', rate: '0.05' }, { rate: '0.10' }] };

describe('proration for a mid-period start', () => {
  const data = dataset({
    users: [{ id: 'ana', name: 'Ana' }],
    deals: [won('d1', 'ana', '60000', '2026-09-01')],
    quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '90000', phasing: { '2026-07': '0.2', '2026-08': '0.3', '2026-09': '0.5' } }],
  });

  it('by days: the quota shrinks to the days on the plan', () => {
    const p = plan({ id: 'ae', proration: 'days', payees: [{ user: 'ana', from: '2026-08-01' }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // On the plan Aug 1 – Sep 30: 61 of 92 days → quota 90,000 × 61/92 = 59,673.91…
    // 60,000 credited is 100.55 % → the 10 % tier: 6,000 (unprorated it would be 66.7 % → 3,000).
    expect(s.attainment[0]!.quota?.toFixed(2)).toBe('59673.91');
    expect(s.attainment[0]!.attainment?.toFixed(4)).toBe('100.5464');
    expect(amounts(s)).toEqual([['commission', 'd1', '6000.00']]);
  });

  it('by the quota\'s seasonal phasing: the months on the plan keep their weights', () => {
    const p = plan({ id: 'ae', proration: 'phasing', payees: [{ user: 'ana', from: '2026-08-01' }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    const s = statementOf(run([p], data, '2026-Q3'), 'ana');
    // August (0.3) and September (0.5) of 90,000 = 72,000; 60,000 is 83.33 % → 5 % → 3,000.
    expect(s.attainment[0]!.quota?.toString()).toBe('72000');
    expect(amounts(s)).toEqual([['commission', 'd1', '3000.00']]);
  });

  it('an annual quota is split by days into the quarter', () => {
    const annual = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [], quotas: [{ id: 'q', userId: 'ana', period: '2026', target: '365000' }] });
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    // 365,000 × 92/365 = 92,000
    expect(statementOf(run([p], annual, '2026-Q3'), 'ana').attainment[0]!.quota?.toString()).toBe('92000');
  });
});

describe('ramped quota', () => {
  it('applies the tenure-month factors to each month\'s quota', () => {
    const data = dataset({
      users: [{ id: 'new', name: 'Nia', startDate: '2026-07-01' }],
      deals: [won('d1', 'new', '15000', '2026-07-20'), won('d2', 'new', '15000', '2026-08-20')],
      quotas: ['07', '08', '09'].map((m) => ({ id: `q${m}`, userId: 'new', period: `2026-${m}`, target: '30000' })),
    });
    const p = plan({ id: 'ae', period: 'month', payees: [{ user: 'new', ramp: ['0.5', '0.75'] }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    // Tenure month 1 (July) × 0.5 = 15,000; month 2 × 0.75 = 22,500; month 3 onwards × 1 = 30,000.
    const quota = (m: string) => statementOf(run([p], data, `2026-${m}`), 'new').attainment[0]!.quota?.toString();
    expect([quota('07'), quota('08'), quota('09')]).toEqual(['15000', '22500', '30000']);
    // July: 15,000 credited = 100 % of the ramped quota → 10 %: 1,500. August: 15,000 of 22,500 = 66.7 % → 5 %: 750.
    expect(amounts(statementOf(run([p], data, '2026-07'), 'new'))).toEqual([['commission', 'd1', '1500.00']]);
    expect(amounts(statementOf(run([p], data, '2026-08'), 'new'))).toEqual([['commission', 'd2', '750.00']]);
  });

  it('reports a missing quota instead of paying on a guess', () => {
    const data = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [won('d1', 'ana', '15000', '2026-07-20')] });
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    const r = run([p], data, '2026-Q3');
    const q3 = r.exceptions.filter((e) => e.period === '2026-Q3');
    expect(q3).toEqual([expect.objectContaining({ code: 'missing_quota', recordId: 'ana/ae/nb' })]);
    expect(q3[0]!.fix).toContain('add a revenue quota for ana covering 2026-Q3');
    expect(statementOf(r, 'ana').lines).toEqual([]);
  });

  it('uses the quota version known on the as-of date', () => {
    const data = dataset({
      users: [{ id: 'ana', name: 'Ana' }],
      deals: [won('d1', 'ana', '60000', '2026-07-20')],
      quotas: [
        { id: 'q', userId: 'ana', period: '2026-Q3', target: '100000', version: 1, effectiveFrom: '2026-06-01' },
        { id: 'q', userId: 'ana', period: '2026-Q3', target: '50000', version: 2, effectiveFrom: '2026-08-15' },
      ],
    });
    const p = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: retro }] });
    // As of Aug 1 only version 1 exists: 60 % → 5 % = 3,000. As of Sep 30 version 2 halves the quota: 120 % → 10 % = 6,000.
    expect(amounts(statementOf(run([p], data, '2026-Q3', { asOf: '2026-08-01' }), 'ana'))).toEqual([['commission', 'd1', '3000.00']]);
    expect(amounts(statementOf(run([p], data, '2026-Q3', { asOf: '2026-09-30' }), 'ana'))).toEqual([['commission', 'd1', '6000.00']]);
  });
});
