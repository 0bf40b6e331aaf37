import { describe, expect, it } from 'vitest';
import { diffStatements } from '../../shared/src/engine/diff.js';
import { estimateOpenDeals } from '../../shared/src/engine/estimator.js';
import type { UserId } from '../../shared/src/domain/ids.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { dataset, open, plan, run, statementOf, won } from '../support/tenant-builder.js';

const retro = plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'retroactive', table: [{ upTo: '100', rate: '0.05' }, { rate: '0.08' }] } }] });
const data = dataset({
  users: [{ id: 'ana', name: 'Ana' }],
  deals: [won('d1', 'ana', '90000', '2026-07-10'), open('d2', 'ana', '30000', '2026-08-20'), open('d3', 'ana', '20000', '2026-09-05')],
  quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100000' }],
});

describe('estimator', () => {
  it('says what an open deal pays if it closes on its expected date, including the retro uplift', () => {
    const [d2] = estimateOpenDeals({ plans: [retro], data, payeeId: 'ana' as UserId, asOf: '2026-08-01' as IsoDate, dealIds: ['d2' as never] });
    // d2 takes attainment from 90 % to 120 %: 30,000 × 8 % = 2,400, plus the 90,000 already won re-rated 5 % → 8 % = 2,700.
    expect(d2!.commission.toFixed(2)).toBe('5100.00');
    expect(d2!.netPay.toFixed(2)).toBe('5100.00');
    expect(d2!.attainmentBefore[0]!.attainment?.toString()).toBe('90');
    expect(d2!.attainmentAfter[0]!.attainment?.toString()).toBe('120');
    expect(d2!.landsInTier).toBe(2);
    expect(d2!.lines.map((l) => [l.kind, l.amount.toFixed(2)])).toEqual([
      ['commission', '2400.00'],
      ['true-up', '2700.00'],
    ]);
  });

  it('estimates several open deals in the declared order, each assuming the earlier ones closed', () => {
    const estimates = estimateOpenDeals({ plans: [retro], data, payeeId: 'ana' as UserId, asOf: '2026-08-01' as IsoDate });
    // d2 (Aug 20) first: 5,100 as above. d3 (Sep 5) then starts at 120 %: 20,000 × 8 % = 1,600.
    expect(estimates.map((e) => [e.dealId, e.commission.toFixed(2)])).toEqual([
      ['d2', '5100.00'],
      ['d3', '1600.00'],
    ]);
  });

  it('shows the credit still needed to reach the next tier', () => {
    const [d3] = estimateOpenDeals({ plans: [retro], data: { ...data, deals: data.deals.filter((d) => d.id !== 'd2') }, payeeId: 'ana' as UserId, asOf: '2026-08-01' as IsoDate });
    // 90,000 + 20,000 = 110 %: already in the top tier, so there is no next tier.
    expect(d3!.nextTier).toBeUndefined();
    const small = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [won('d1', 'ana', '50000', '2026-07-10'), open('d2', 'ana', '20000', '2026-08-20')], quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100000' }] });
    const [e] = estimateOpenDeals({ plans: [retro], data: small, payeeId: 'ana' as UserId, asOf: '2026-08-01' as IsoDate });
    // After d2: 70,000 of 100,000 → 30,000 more to reach the 100 % tier.
    expect(e!.nextTier?.creditNeeded.toString()).toBe('30000');
    expect(e!.nextTier?.atAttainment.toString()).toBe('100');
  });
});

describe('statement diff', () => {
  it('classifies why each number moved between two runs', () => {
    const before = run([retro], data, '2026-Q3');
    const after = run(
      [retro],
      { ...data, deals: data.deals.map((d) => (d.id === 'd1' ? { ...d, amount: d.amount.plus(10000), sourceVersion: 'v2' } : d.id === 'd2' ? { ...d, stageId: 'won' as never } : d)) },
      '2026-Q3',
    );
    const [diff] = diffStatements(before.statements, after.statements);
    // Before: d1 90,000 × 5 % = 4,500.
    // After: d1 edited to 100,000 → reaches 100 % → 8 % = 8,000; d2 won: 30,000 × 8 % = 2,400. Total 10,400.
    expect(statementOf(after, 'ana').total.toFixed(2)).toBe('10400.00');
    expect(diff!.delta.toFixed(2)).toBe('5900.00');
    expect(diff!.changes.map((c) => [c.key.split('|').slice(2).join('|'), c.cause, c.delta.toFixed(2)])).toEqual([
      ['commission|d1', 'deal-edited', '3500.00'],
      ['commission|d2', 'deal-added', '2400.00'],
    ]);
    expect(diff!.byCause.get('deal-edited')?.toFixed(2)).toBe('3500.00');
  });

  it('calls a change caused only by other deals an attainment shift', () => {
    const base = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [won('d1', 'ana', '60000', '2026-07-10'), won('d2', 'ana', '50000', '2026-08-10')], quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100000' }] });
    const earlier = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals: [won('d0', 'ana', '45000', '2026-07-01'), won('d1', 'ana', '60000', '2026-07-10'), won('d2', 'ana', '50000', '2026-08-10')], quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100000' }] });
    const [diff] = diffStatements(run([retro], base, '2026-Q3').statements, run([retro], earlier, '2026-Q3').statements);
    // d0 (45,000) now comes first, so d1 lifts attainment from 45 % to 105 %: d1 is paid at 8 % (4,800, was 3,000): attainment-shift.
    const d1 = diff!.changes.find((c) => c.key.endsWith('commission|d1'))!;
    expect([d1.cause, d1.before?.toFixed(2), d1.after?.toFixed(2)]).toEqual(['attainment-shift', '3000.00', '4800.00']);
    expect(diff!.changes.find((c) => c.key.endsWith('commission|d0'))!.cause).toBe('deal-added');
  });
});
