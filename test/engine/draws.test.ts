import { describe, expect, it } from 'vitest';
import { dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * A monthly plan paying 10 % flat, with earnings of 1,000 (July), 5,000 (August) and
 * 8,000 (September), and a draw of 3,000 a month from July to September.
 */
const data = dataset({
  users: [{ id: 'ana', name: 'Ana' }],
  deals: [won('d1', 'ana', '10000', '2026-07-10'), won('d2', 'ana', '50000', '2026-08-10'), won('d3', 'ana', '80000', '2026-09-10')],
});
const withDraw = (draw: Record<string, unknown>) =>
  plan({ id: 'ae', period: 'month', effective: { from: '2026-07-01' }, payees: [{ user: 'ana', draw: { amount: '3000', to: '2026-10-01', ...draw } }], components: [{ id: 'nb', type: 'commission', rate: '0.10' }] });

function months(draw: Record<string, unknown>) {
  const r = run([withDraw(draw)], data, '2026-09');
  return r.history.map((h) => {
    const s = statementOf(h.statements, 'ana');
    return { period: h.period.id, total: s.total.toFixed(2), owed: s.closing.draw.toFixed(2), draws: s.lines.filter((l) => l.kind.startsWith('draw')).map((l) => `${l.kind} ${l.amount.toFixed(2)}`) };
  });
}

describe('draws across three periods', () => {
  it('recoverable guarantee with a capped recovery: top-up, then recovered no faster than 1,500 a month and never below the guarantee', () => {
    expect(months({ type: 'recoverable-guarantee', recoveryCap: '1500' })).toEqual([
      // July: earned 1,000 < 3,000 → top-up 2,000 (owed 2,000); paid 3,000.
      { period: '2026-07', total: '3000.00', owed: '2000.00', draws: ['draw 2000.00'] },
      // August: earned 5,000; room above the guarantee 2,000, cap 1,500 → recover 1,500; paid 3,500, owed 500.
      { period: '2026-08', total: '3500.00', owed: '500.00', draws: ['draw-recovery -1500.00'] },
      // September: earned 8,000 → recover the last 500; paid 7,500.
      { period: '2026-09', total: '7500.00', owed: '0.00', draws: ['draw-recovery -500.00'] },
    ]);
  });

  it('non-recoverable guarantee: top-up when short, never owed back', () => {
    expect(months({ type: 'non-recoverable-guarantee' })).toEqual([
      { period: '2026-07', total: '3000.00', owed: '0.00', draws: ['draw 2000.00'] },
      { period: '2026-08', total: '5000.00', owed: '0.00', draws: [] },
      { period: '2026-09', total: '8000.00', owed: '0.00', draws: [] },
    ]);
  });

  it('recoverable advance: paid every month and recovered from earnings', () => {
    expect(months({ type: 'recoverable' })).toEqual([
      // July: advance 3,000 (owed 3,000); recover min(3,000, earned 1,000) = 1,000 → paid 1,000 + 3,000 − 1,000 = 3,000, owed 2,000.
      { period: '2026-07', total: '3000.00', owed: '2000.00', draws: ['draw 3000.00', 'draw-recovery -1000.00'] },
      // August: advance 3,000 (owed 5,000); recover min(5,000, 5,000) → paid 3,000, owed 0.
      { period: '2026-08', total: '3000.00', owed: '0.00', draws: ['draw 3000.00', 'draw-recovery -5000.00'] },
      // September: advance 3,000; recover 3,000 of the 8,000 earned → paid 8,000.
      { period: '2026-09', total: '8000.00', owed: '0.00', draws: ['draw 3000.00', 'draw-recovery -3000.00'] },
    ]);
  });

  it('recoverable advance with a recovery cap: the unrecovered balance carries', () => {
    const result = months({ type: 'recoverable', recoveryCap: '1500' });
    // July: +3,000 − 1,000 → 3,000 paid, owed 2,000. August: +3,000 (owed 5,000) − 1,500 → 6,500 paid, owed 3,500.
    // September: +3,000 (owed 6,500) − 1,500 → 9,500 paid, owed 5,000. Paid 19,000 = earned 14,000 + 5,000 still owed.
    expect(result.map((m) => [m.total, m.owed])).toEqual([
      ['3000.00', '2000.00'],
      ['6500.00', '3500.00'],
      ['9500.00', '5000.00'],
    ]);
  });

  it('non-recoverable draw: extra pay on top of earnings', () => {
    expect(months({ type: 'non-recoverable' }).map((m) => m.total)).toEqual(['4000.00', '8000.00', '11000.00']);
  });

  it('a draw that ended keeps being recovered from later earnings', () => {
    const r = run([withDraw({ type: 'recoverable-guarantee', to: '2026-08-01' })], data, '2026-09');
    const [jul, aug, sep] = r.history.map((h) => statementOf(h.statements, 'ana'));
    // July: top-up 2,000. August: the guarantee has ended, so all 5,000 earned is available: recover 2,000 → paid 3,000.
    expect([jul!.total.toFixed(2), aug!.total.toFixed(2), sep!.total.toFixed(2)]).toEqual(['3000.00', '3000.00', '8000.00']);
    expect(aug!.lines.at(-1)!.explanation).toContain('the guarantee has ended');
  });
});
