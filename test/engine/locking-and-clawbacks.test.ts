import { describe, expect, it } from 'vitest';
import { parseLockedLedger, statementToJson } from '../../shared/src/engine/statement-json.js';
import type { LockedPeriod } from '../../shared/src/engine/run.js';
import type { PeriodId } from '../../shared/src/time/period.js';
import { amounts, dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

const users = [{ id: 'ana', name: 'Ana' }];
const q2Deal = won('d1', 'ana', '50000', '2026-05-10');
const q3Deal = won('d2', 'ana', '10000', '2026-07-10');
const flat = (extra: Record<string, unknown> = {}, component: Record<string, unknown> = {}) =>
  plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.10', ...component }], ...extra });

/** Locks Q2 as computed on Jun 30, through the JSON form a ledger is stored in. */
function lockQ2(plans: ReturnType<typeof flat>[], data: ReturnType<typeof dataset>): LockedPeriod[] {
  const q2 = run(plans, data, '2026-Q2', { asOf: '2026-06-30' });
  const stored = JSON.parse(JSON.stringify({ period: q2.period, statements: q2.statements.map(statementToJson) }));
  return parseLockedLedger(stored);
}

describe('adjustments after a locked period', () => {
  it('a CRM edit to a locked deal becomes an adjustment line in the next open period', () => {
    const before = dataset({ users, deals: [q2Deal, q3Deal] });
    const locked = lockQ2([flat()], before);
    const edited = dataset({ users, deals: [{ ...q2Deal, amount: '60000', sourceVersion: 'v2' }, q3Deal] });
    const r = run([flat()], edited, '2026-Q3', { locked });
    const ana = statementOf(r, 'ana');
    // Q3: d2 10,000 × 10 % = 1,000, plus the Q2 correction (60,000 − 50,000) × 10 % = 1,000.
    expect(amounts(ana)).toEqual([
      ['commission', 'd2', '1000.00'],
      ['adjustment', 'd1', '1000.00'],
    ]);
    expect(ana.lines[1]!.adjusts).toEqual({ period: '2026-Q2', key: 'ae|nb|commission|d1', cause: 'deal-edited' });
    expect(ana.lines[1]!.explanation).toContain('Correction to locked period 2026-Q2');
    // The locked period is returned exactly as locked: 5,000, never rewritten.
    const q2 = r.history.find((h) => h.period.id === '2026-Q2')!;
    expect(q2.locked).toBe(true);
    expect(statementOf(q2.statements, 'ana').total.toFixed(2)).toBe('5000.00');
  });

  it('a plan fix effective in a locked period is paid as an adjustment with cause plan-changed', () => {
    const data = dataset({ users, deals: [q2Deal, q3Deal] });
    const locked = lockQ2([flat()], data);
    const fixed = flat({ version: 2 }, { rate: '0.12' });
    const r = run([flat(), fixed], data, '2026-Q3', { locked });
    // Q3 at 12 %: 1,200; Q2 at 12 % instead of 10 %: +1,000.
    expect(amounts(statementOf(r, 'ana'))).toEqual([
      ['commission', 'd2', '1200.00'],
      ['adjustment', 'd1', '1000.00'],
    ]);
    expect(statementOf(r, 'ana').lines[1]!.adjusts?.cause).toBe('plan-changed');
  });
});

describe('clawbacks', () => {
  const lost = dataset({ users, deals: [{ ...q2Deal, stageId: 'lost', sourceVersion: 'v2' }, q3Deal] });

  it('original-calculation policy reverses the original line exactly (negative sign, same amount)', () => {
    const locked = lockQ2([flat()], dataset({ users, deals: [q2Deal, q3Deal] }));
    const ana = statementOf(run([flat()], lost, '2026-Q3', { locked }), 'ana');
    // d1 paid 5,000 in Q2 and is now lost: −5,000 in Q3, netting −4,000 with d2's 1,000.
    expect(amounts(ana)).toEqual([
      ['commission', 'd2', '1000.00'],
      ['clawback', 'd1', '-5000.00'],
      ['carry-forward', 'carry-forward', '4000.00'],
    ]);
    const original = statementOf(locked[0]!.statements, 'ana').lines[0]!;
    expect(original.amount.plus(ana.lines[1]!.amount).toString()).toBe('0');
    // Carry-forward netting: nothing is deducted now; 4,000 is carried to be recovered later.
    expect(ana.total.toFixed(2)).toBe('0.00');
    expect(ana.closing.carried.toFixed(2)).toBe('4000.00');
  });

  it('when a cap limited the original, "original" reverses the calculation and "paid" only what was paid', () => {
    const capped = (basis: string) => flat({ clawback: { basis, netting: 'immediate' } }, { cap: '4000' });
    const wonData = dataset({ users, deals: [q2Deal, q3Deal] });
    // Q2: 50,000 × 10 % = 5,000, capped to 4,000.
    const original = statementOf(run([capped('original')], lost, '2026-Q3', { locked: lockQ2([capped('original')], wonData) }), 'ana');
    const paid = statementOf(run([capped('paid')], lost, '2026-Q3', { locked: lockQ2([capped('paid')], wonData) }), 'ana');
    expect(amounts(original).find((a) => a[0] === 'clawback')![2]).toBe('-5000.00');
    expect(amounts(paid).find((a) => a[0] === 'clawback')![2]).toBe('-4000.00');
    // Immediate netting lets the statement go negative: 1,000 − 4,000 = −3,000.
    expect(paid.total.toFixed(2)).toBe('-3000.00');
  });

  it('a carried balance is recovered from the next positive period', () => {
    const locked = lockQ2([flat()], dataset({ users, deals: [q2Deal, q3Deal] }));
    const withQ4 = dataset({ users, deals: [{ ...q2Deal, stageId: 'lost', sourceVersion: 'v2' }, q3Deal, won('d3', 'ana', '70000', '2026-10-10')] });
    const q4 = statementOf(run([flat()], withQ4, '2026-Q4', { locked }), 'ana');
    // Q4 earns 7,000; the 4,000 carried from Q3 is recovered: paid 3,000.
    expect(amounts(q4)).toEqual([
      ['commission', 'd3', '7000.00'],
      ['balance-recovery', 'balance-recovery', '-4000.00'],
    ]);
    expect(q4.total.toFixed(2)).toBe('3000.00');
    expect(q4.closing.carried.toFixed(2)).toBe('0.00');
  });

  it('a deal deleted at source is clawed back like a lost one', () => {
    const locked = lockQ2([flat()], dataset({ users, deals: [q2Deal, q3Deal] }));
    const deleted = dataset({ users, deals: [q3Deal] });
    const ana = statementOf(run([flat({ clawback: { basis: 'paid', netting: 'immediate' } })], deleted, '2026-Q3', { locked }), 'ana');
    expect(amounts(ana)).toEqual([
      ['commission', 'd2', '1000.00'],
      ['clawback', 'd1', '-5000.00'],
    ]);
    expect(ana.lines[1]!.adjusts?.cause).toBe('clawback');
  });

  it('a won deal whose close date moved out of the locked period is an edit, not a clawback', () => {
    const locked = lockQ2([flat()], dataset({ users, deals: [q2Deal, q3Deal] }));
    const moved = dataset({ users, deals: [{ ...q2Deal, closeDate: '2026-07-20', sourceVersion: 'v2' }, q3Deal] });
    const ana = statementOf(run([flat()], moved, '2026-Q3', { locked }), 'ana');
    // Q2 gives back the 5,000 (deal-edited, not a clawback); Q3 now pays d1 itself: 5,000 + d2 1,000.
    expect(amounts(ana)).toEqual([
      ['commission', 'd2', '1000.00'],
      ['commission', 'd1', '5000.00'],
      ['adjustment', 'd1', '-5000.00'],
    ]);
    expect(ana.lines[2]!.adjusts?.cause).toBe('deal-edited');
  });

  it('a target period that is itself locked is returned untouched, with corrections pending', () => {
    const locked = lockQ2([flat()], dataset({ users, deals: [q2Deal] }));
    const r = run([flat()], lost, '2026-Q2', { locked });
    expect(statementOf(r, 'ana').total.toFixed(2)).toBe('5000.00');
    expect(r.pendingAdjustments.map(({ payeeId, line }) => [payeeId, line.kind, line.amount.toFixed(2)])).toEqual([['ana', 'clawback', '-5000.00']]);
    expect(locked[0]!.period).toBe('2026-Q2' as PeriodId);
  });
});
