import { describe, expect, it } from 'vitest';
import { runStatements } from '../../shared/src/engine/run.js';
import { parseDataset } from '../../shared/src/input/dataset.schema.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import { parsePlan } from '../../shared/src/plan/plan.schema.js';
import { generatePlans, generateTenant, Prng, type TenantOptions } from '../../shared/src/synthetic/index.js';
import type { PeriodId } from '../../shared/src/time/period.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';

const YEAR = 2026;
const SMALL: TenantOptions = { seed: 42, reps: 20, deals: 2_000, year: YEAR, activitiesPerDeal: 1.5 };

describe('Prng', () => {
  it('repeats for a seed and differs across seeds and streams', () => {
    const draw = (seed: number, stream = 0): number[] => {
      const prng = new Prng(seed, stream);
      return Array.from({ length: 8 }, () => prng.uint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)).not.toEqual(draw(1, 1));
    expect(draw(1)).not.toEqual(draw(2 ** 32 + 1));
  });

  it('stays in range', () => {
    const prng = new Prng(9);
    for (let i = 0; i < 10_000; i++) {
      const u = prng.next();
      expect(u >= 0 && u < 1).toBe(true);
      const n = prng.between(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
  });
});

describe('generateTenant', () => {
  const doc = generateTenant(SMALL);

  it('is deterministic: the same seed gives a byte-identical document, another seed another one', () => {
    const again = generateTenant(SMALL);
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
    const other = generateTenant({ ...SMALL, seed: 43 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(doc));
  });

  it('keeps deals unchanged when only the activity setting changes', () => {
    const without = generateTenant({ ...SMALL, activitiesPerDeal: 0 });
    expect(without.activities).toHaveLength(0);
    expect(JSON.stringify(without.deals)).toBe(JSON.stringify(doc.deals));
  });

  it('parses with parseDataset without problems', () => {
    const data = parseDataset(doc);
    expect(data.deals).toHaveLength(SMALL.deals);
    expect(data.activities.length).toBeGreaterThan(0);
    expect(data.users.length).toBeGreaterThan(SMALL.reps);
  });

  it('writes amounts as decimal strings and dates as YYYY-MM-DD', () => {
    for (const deal of doc.deals) {
      expect(deal.amount).toMatch(/^\d+\.\d{2}$/);
      expect(deal.closeDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(deal.closeDate.startsWith(String(YEAR))).toBe(true);
    }
  });

  it('gives revenue splits that total exactly 100', () => {
    const split = doc.deals.filter((d) => d.splits?.some((s) => s.type === 'revenue'));
    expect(split.length).toBeGreaterThan(0);
    for (const deal of split) {
      const total = deal.splits!.filter((s) => s.type === 'revenue').reduce((t, s) => t.plus(new Decimal(String(s.percent))), new Decimal(0));
      expect(total.toString(), deal.id).toBe('100');
      expect(deal.splits!.some((s) => s.type === 'revenue' && s.userId === deal.ownerId)).toBe(true);
    }
    expect(doc.deals.some((d) => d.splits?.some((s) => s.type === 'overlay'))).toBe(true);
  });

  it('has roughly the documented shape', () => {
    const won = doc.deals.filter((d) => d.stageId === 'closed-won' || d.stageId === 'renewed').length / doc.deals.length;
    const lost = doc.deals.filter((d) => d.stageId === 'closed-lost' || d.stageId === 'churned').length / doc.deals.length;
    expect(won).toBeGreaterThan(0.55);
    expect(won).toBeLessThan(0.65);
    expect(lost).toBeGreaterThan(0.2);
    expect(lost).toBeLessThan(0.3);
    const foreign = doc.deals.filter((d) => d.currency !== 'USD').length / doc.deals.length;
    expect(foreign).toBeGreaterThan(0.05);
    expect(foreign).toBeLessThan(0.15);
    expect(doc.fxRates.filter((r) => r.from === 'EUR')).toHaveLength(12);
    expect(doc.teams.length).toBeGreaterThanOrEqual(2);
    expect(doc.users.some((u) => u.startDate !== undefined && u.startDate > `${YEAR}-01-01`)).toBe(true);
    // Every rep and first-line manager has four quarterly revenue quotas.
    for (const id of [...doc.teams.flatMap((t) => t.members.map((m) => (typeof m === 'string' ? m : m.userId))), ...doc.teams.map((t) => t.managerId!)]) {
      expect(doc.quotas.filter((q) => q.userId === id).map((q) => q.period)).toEqual([1, 2, 3, 4].map((q) => `${YEAR}-Q${q}`));
    }
    for (const deal of doc.deals) {
      const days = (Date.parse(deal.closeDate) - Date.parse(deal.createdDate)) / 86_400_000;
      expect(days).toBeLessThanOrEqual(120);
    }
  });

  it('writes stage histories that are in order and end in the deal stage', () => {
    for (const deal of doc.deals) {
      const history = deal.stageHistory!;
      expect(history[0]!.enteredAt).toBe(deal.createdDate);
      expect(history[history.length - 1]!.stageId).toBe(deal.stageId);
      for (let i = 1; i < history.length; i++) expect(history[i]!.enteredAt >= history[i - 1]!.enteredAt).toBe(true);
      expect(history[history.length - 1]!.enteredAt <= deal.closeDate).toBe(true);
    }
  });

  it('supports other currencies', () => {
    const jpy = generateTenant({ seed: 1, reps: 12, deals: 300, year: YEAR, currencies: ['EUR', 'JPY'] });
    const data = parseDataset(jpy);
    expect(data.tenant.currency).toBe('EUR');
    expect(jpy.deals.filter((d) => d.currency === 'JPY').every((d) => /^\d+$/.test(d.amount as string))).toBe(true);
    expect(() => generateTenant({ seed: 1, reps: 1, deals: 1, year: YEAR, currencies: ['XXX'] })).toThrow(RangeError);
  });
});

describe('generatePlans', () => {
  const doc = generateTenant(SMALL);
  const plans = generatePlans(doc, YEAR).map((p, i) => parsePlan(p, `plan ${i}`));

  it('gives an AE plan (hybrid, capped) and a manager rollup plan that parse', () => {
    expect(plans.map((p) => p.id)).toEqual(['ae-commission', 'flm-rollup']);
    const [ae, manager] = plans;
    const bookings = ae!.components[0]!;
    expect(bookings.type === 'commission' && bookings.tiers.mode).toBe('hybrid');
    expect(bookings.cap).toBeDefined();
    expect(ae!.payees.some((p) => p.ramp.length > 0 && p.draw !== undefined)).toBe(true);
    expect(manager!.components[0]!.credit.payout).toEqual(['rollup']);
  });

  it('runs through runStatements for a quarter with no exceptions', () => {
    const data = parseDataset(doc);
    const result = runStatements({ plans, data, period: `${YEAR}-Q1` as PeriodId, asOf: `${YEAR}-12-31` as IsoDate });
    expect(result.exceptions).toEqual([]);
    expect(result.statements.length).toBeGreaterThan(SMALL.reps / 2);
    expect(result.statements.some((s) => s.lines.some((l) => l.kind === 'true-up'))).toBe(true);
    expect(result.statements.every((s) => s.lines.length === 0 || !s.total.isNegative())).toBe(true);
  });

  it('runs the whole year without exceptions', () => {
    const data = parseDataset(doc);
    const result = runStatements({ plans, data, period: `${YEAR}-Q4` as PeriodId, asOf: `${YEAR}-12-31` as IsoDate });
    expect(result.exceptions).toEqual([]);
    expect(result.history).toHaveLength(4);
  });
});
