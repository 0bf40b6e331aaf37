import { describe, expect, it } from 'vitest';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * Ana and Ben split d1 (100,000) 60/40 on revenue; Sam, a solutions engineer, has a 25 %
 * overlay on it. Ben moved from Max's team to Mia's on Aug 1; his d2 (50,000) closed on
 * Jul 15, while he still reported to Max.
 */
const data = dataset({
  users: [
    { id: 'ana', name: 'Ana' },
    { id: 'ben', name: 'Ben' },
    { id: 'sam', name: 'Sam' },
    { id: 'mia', name: 'Mia' },
    { id: 'max', name: 'Max' },
  ],
  managers: [
    { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
    { userId: 'ben', managerId: 'max', from: '2026-01-01', to: '2026-08-01' },
    { userId: 'ben', managerId: 'mia', from: '2026-08-01' },
  ],
  deals: [
    won('d1', 'ana', '100000', '2026-08-10', {
      splits: [
        { userId: 'ana', type: 'revenue', percent: '60' },
        { userId: 'ben', type: 'revenue', percent: '40' },
        { userId: 'sam', type: 'overlay', percent: '25' },
      ],
    }),
    won('d2', 'ben', '50000', '2026-07-15'),
  ],
  quotas: [
    { id: 'q-sam', userId: 'sam', period: '2026-Q3', target: '50000' },
    { id: 'q-mia', userId: 'mia', period: '2026-Q3', target: '400000' },
  ],
});

const ae = plan({ id: 'ae', payees: [{ user: 'ana' }, { user: 'ben' }], components: [{ id: 'nb', type: 'commission', rate: '0.10' }] });
const se = plan({ id: 'se', payees: [{ user: 'sam' }], components: [{ id: 'overlay', type: 'commission', credit: { quota: ['overlay'], payout: ['overlay'] }, rate: '0.02' }] });
const mgr = plan({ id: 'mgr', payees: [{ user: 'mia' }, { user: 'max' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, rate: '0.01' }] });

describe('crediting', () => {
  const result = run([ae, se, mgr], data, '2026-Q3');

  it('revenue splits share the deal and sum to the unsplit payout', () => {
    // 10 % of 60,000 = 6,000 for Ana; 10 % of 40,000 = 4,000 for Ben (plus his own d2: 5,000).
    expect(amounts(statementOf(result, 'ana'))).toEqual([['commission', 'd1', '6000.00']]);
    expect(amounts(statementOf(result, 'ben'))).toEqual([
      ['commission', 'd2', '5000.00'],
      ['commission', 'd1', '4000.00'],
    ]);
    expect(statementOf(result, 'ana').lines[0]!.explanation).toContain('60 % revenue credit');
  });

  it('an overlay is credited on top, with its own quota credit', () => {
    const sam = statementOf(result, 'sam');
    // 25 % overlay of 100,000 = 25,000 at 2 % = 500; 25,000 of a 50,000 quota = 50 %.
    expect(amounts(sam)).toEqual([['commission', 'd1', '500.00']]);
    expect(sam.attainment[0]!.attainment?.toString()).toBe('50');
  });

  it('managers are credited along the hierarchy as it stood when each deal closed', () => {
    // Mia: d1 closed Aug 10 when both Ana and Ben reported to her: 60 % + 40 % = 100,000 at 1 % = 1,000.
    expect(amounts(statementOf(result, 'mia'))).toEqual([['commission', 'd1', '1000.00']]);
    expect(statementOf(result, 'mia').attainment[0]!.attainment?.toString()).toBe('25');
    // Both reports' credits are described together, so the sentence matches the 100,000 credited.
    expect(statementOf(result, 'mia').lines[0]!.explanation).toContain('USD 100,000.00 credited (100 % rollup credit via ana, ben)');
    // Max: d2 closed Jul 15, when Ben still reported to him: 50,000 at 1 % = 500; nothing of d1.
    expect(amounts(statementOf(result, 'max'))).toEqual([['commission', 'd2', '500.00']]);
  });

  it('refuses to pay on revenue splits that do not total 100 %, and says so', () => {
    const bad = { ...data, deals: data.deals.map((d) => (d.id === 'd1' ? { ...d, splits: d.splits.map((s) => (s.userId === 'ben' ? { ...s, percent: s.percent.minus(10) } : s)) } : d)) };
    const r = run([ae], bad, '2026-Q3');
    expect(r.exceptions).toEqual([expect.objectContaining({ code: 'revenue_splits_not_100', recordId: 'd1' })]);
    expect(r.exceptions[0]!.message).toContain('totalling 90 %');
    expect(amounts(statementOf(r, 'ana'))).toEqual([]);
  });
});
