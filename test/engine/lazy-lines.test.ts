import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveQuota, type QuotaLookup } from '../../shared/src/engine/quota-target.js';
import { lineToJson, statementToJson } from '../../shared/src/engine/statement-json.js';
import type { PayoutLine } from '../../shared/src/engine/statement.js';
import { FxTable } from '../../shared/src/engine/fx-table.js';
import { Decimal, ONE, ZERO } from '../../shared/src/money/decimal.js';
import type { Quota } from '../../shared/src/domain/quotas.js';
import type { UserId } from '../../shared/src/domain/ids.js';
import { addDays, type IsoDate } from '../../shared/src/time/iso-date.js';
import { monthsOf, overlapDays, periodDays, resolvePeriod, type PeriodId } from '../../shared/src/time/period.js';
import { dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

/**
 * Plan lines render their explanation and build their provenance when first read. Read
 * any way — a property, a spread, JSON — they must look exactly like a plain, eagerly
 * built line.
 */
const data = dataset({
  users: [
    { id: 'ana', name: 'Ana' },
    { id: 'mia', name: 'Mia' },
  ],
  managers: [{ userId: 'ana', managerId: 'mia', from: '2026-01-01' }],
  deals: [won('d1', 'ana', '40000', '2026-07-10'), won('d2', 'ana', '30000.55', '2026-08-10'), won('d3', 'ana', '50000', '2026-09-10')],
  quotas: [
    { id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' },
    { id: 'q-mia', userId: 'mia', period: '2026-Q3', target: '90000' },
  ],
});
const ae = plan({
  id: 'ae',
  payees: [{ user: 'ana' }],
  components: [{ id: 'nb', type: 'commission', cap: '4000', tiers: { mode: 'hybrid', marginalFrom: '100', table: [{ upTo: '50', rate: '0.02' }, { upTo: '100', rate: '0.05' }, { rate: '0.08' }] } }],
});
const flm = plan({ id: 'flm', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, tiers: { mode: 'retroactive', table: [{ upTo: '80', rate: '0.01' }, { rate: '0.02' }] } }] });
const FIELDS = ['key', 'kind', 'date', 'amount', 'exact', 'uncapped', 'explanation', 'provenance', 'adjusts'];

describe('plan lines built on read', () => {
  it('copy (toJSON, JSON.stringify) as plain lines with their text and provenance', () => {
    const result = run([ae, flm], data, '2026-Q3');
    for (const payee of ['ana', 'mia']) {
      const statement = statementOf(result, payee);
      expect(statement.lines.length).toBeGreaterThan(0);
      for (const line of statement.lines) {
        const copy = (line as { toJSON?: () => PayoutLine }).toJSON?.() ?? line;
        expect(Object.keys(copy)).toEqual(FIELDS);
        expect(copy.explanation).toBe(line.explanation);
        expect(copy.provenance).toBe(line.provenance);
        expect(copy.explanation).toMatch(/\S/);
        expect(JSON.parse(JSON.stringify(line)).explanation).toBe(line.explanation);
        expect(lineToJson(copy, statement)).toEqual(lineToJson(line, statement));
      }
      // Reading twice gives the same objects, and serialising is unaffected by what was read first.
      expect(statementToJson(statement)).toEqual(statementToJson(statement));
      expect(JSON.parse(JSON.stringify(statement)).lines.map((l: { explanation: string }) => l.explanation)).toEqual(statement.lines.map((l) => l.explanation));
    }
  });

  it('statements add up their total and residual on read, and copy like plain ones', () => {
    const statement = statementOf(run([ae, flm], data, '2026-Q3'), 'ana');
    expect(Object.keys(statement)).toEqual(['tenantId', 'payeeId', 'payeeName', 'period', 'asOf', 'currency', 'lines', 'total', 'residual', 'attainment', 'opening', 'closing']);
    const copy = { ...statement };
    expect(copy.total.toString()).toBe(statement.lines.reduce((t, l) => t.plus(l.amount), new Decimal(0)).toString());
    expect(copy.residual.toString()).toBe(statement.lines.reduce((t, l) => t.plus(l.exact.minus(l.amount)), new Decimal(0)).toString());
    expect(JSON.parse(JSON.stringify(statement)).total).toBe(statement.total.toString());
  });

  it('read before or after each other, explanation and provenance agree', () => {
    const first = statementOf(run([ae, flm], data, '2026-Q3'), 'ana').lines.map((l) => [l.explanation, JSON.stringify(lineToJson(l, { currency: 'USD' as never }))]);
    const second = statementOf(run([ae, flm], data, '2026-Q3'), 'ana').lines.map((l) => {
      const json = JSON.stringify(lineToJson(l, { currency: 'USD' as never }));
      return [l.explanation, json];
    });
    expect(second).toEqual(first);
    expect(first.some(([text]) => text!.includes('attainment'))).toBe(true);
  });
});

describe('effective quota by days without ramp', () => {
  // The general form: the covered share summed as an exact fraction month by month, divided once.
  function byFraction(target: Decimal, days: number[], quotaDays: number): Decimal {
    let numerator = ZERO;
    let denominator = ONE;
    for (const covered of days) {
      numerator = numerator.times(quotaDays).plus(ONE.times(covered).times(denominator));
      denominator = denominator.times(quotaDays);
    }
    return target.times(numerator).dividedBy(denominator);
  }

  it('is the exact fraction of the target', () => {
    const period = resolvePeriod('2026-Q3')!;
    const target = fc.oneof(fc.integer({ min: 0, max: 99_999_999 }).map(String), fc.tuple(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 9999 })).map(([a, b]) => `${a}.${b}`));
    fc.assert(
      fc.property(target, fc.integer({ min: 0, max: 91 }), fc.integer({ min: 1, max: 92 }), fc.constantFrom('2026-Q3', '2026', '2026-07'), (text, startOffset, length, quotaPeriod) => {
        const from = addDays(period.start, startOffset);
        const to = addDays(from, length);
        const quota: Quota = { id: 'q' as never, owner: { userId: 'u' as UserId }, measure: { kind: 'revenue' }, period: quotaPeriod as PeriodId, target: new Decimal(text), currency: undefined, phasing: undefined, version: 1, effectiveFrom: '0001-01-01' as IsoDate };
        const lookup: QuotaLookup = { quotasByOwner: new Map(), teamsManagedBy: new Map(), fx: new FxTable([]), asOf: '2026-12-31' as IsoDate };
        const p = plan({ id: 'p', proration: 'days', payees: [{ user: 'u' }], components: [{ id: 'c', type: 'commission', rate: '0.1' }] });
        const assignment = { userId: 'u' as UserId, from, to, ramp: [], draw: undefined };
        const got = effectiveQuota(lookup, quota, p, assignment, undefined, period, { fiscalYearStartMonth: 1, customPeriods: [] });
        const qp = resolvePeriod(quotaPeriod)!;
        const days = monthsOf(period)
          .map((m) => overlapDays({ start: m.start, end: m.end }, from, to))
          .filter((d) => d > 0);
        expect(got!.effectiveTarget.toString()).toBe(byFraction(new Decimal(text), days, periodDays(qp)).toString());
      }),
      { numRuns: 300 },
    );
  });
});
