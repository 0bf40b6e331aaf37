import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runStatements, type LockedPeriod, type RunResult } from '../../shared/src/engine/run.js';
import { statementToJson } from '../../shared/src/engine/statement-json.js';
import type { Dataset } from '../../shared/src/domain/dataset.js';
import type { Plan } from '../../shared/src/plan/plan.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import type { PeriodId } from '../../shared/src/time/period.js';
import { dataset, plan, statementOf, won } from '../support/tenant-builder.js';

/**
 * The engine pays commissions in scaled integers where the values fit and in decimal.js
 * where they do not (arithmetic 'scaled', the default), switching mid-period when a value
 * or running total stops fitting. Every figure, sentence and provenance field must be what
 * paying in decimal.js throughout gives ('decimal', the reference): these tenants mix cents
 * with amounts too big for the integers, FX-converted and split credits, rates with many
 * decimals, caps that bite, tier modes, straddles, prorated quotas, pay in another currency
 * and corrections to a locked quarter.
 */
const REPS = ['ana', 'ben', 'cai', 'dee'];
const fxRates = [
  { from: 'EUR', to: 'USD', rate: '1.0831', date: '2026-01-01', source: 'ECB' },
  { from: 'EUR', to: 'USD', rate: '1.120713', date: '2026-06-01', source: 'ECB' },
  { from: 'USD', to: 'EUR', rate: '0.91', date: '2026-01-01', source: 'ECB' },
];

const amount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 20_000_000 }).map((c) => (c / 100).toFixed(2)) },
  // Past what the integers hold at a few decimals: the payer goes on in decimals.
  { weight: 1, arbitrary: fc.bigInt({ min: 10n ** 11n, max: 10n ** 15n }).map((c) => `${c}.${String(c % 100n).padStart(2, '0')}`) },
  { weight: 1, arbitrary: fc.integer({ min: -500_000, max: -1 }).map((c) => (c / 100).toFixed(2)) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.01', '100000', '0.005') },
);
const day = (from: number, days: number) => fc.integer({ min: 0, max: days }).map((d) => new Date(Date.UTC(2026, from, 1) + d * 86_400_000).toISOString().slice(0, 10));
const splitPercents = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 3 }).map((cuts) => {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const bounds = [0, ...points, 100];
  return bounds.slice(1).map((b, i) => String(b - bounds[i]!));
});
const dealArb = fc.record({
  owner: fc.constantFrom(...REPS),
  amount,
  close: day(3, 182),
  stage: fc.constantFrom('won', 'won', 'won', 'lost'),
  eur: fc.boolean(),
  split: fc.option(fc.oneof(splitPercents, fc.constant(['33.33', '33.33', '33.34'])), { nil: undefined }),
  overlay: fc.option(fc.constantFrom('10', '12.5', '33.333'), { nil: undefined }),
});
const dealsArb = fc.array(dealArb, { minLength: 1, maxLength: 18 }).map((deals) =>
  deals.map((d, i) =>
    won(`d${i}`, d.owner, d.amount, d.close, {
      stageId: d.stage,
      currency: d.eur ? 'EUR' : 'USD',
      splits: [
        ...(d.split && d.split.length > 1 ? d.split.map((percent, j) => ({ userId: REPS[(REPS.indexOf(d.owner) + j) % REPS.length]!, type: 'revenue' as const, percent })) : []),
        ...(d.overlay ? [{ userId: 'sam', type: 'overlay' as const, percent: d.overlay }] : []),
      ],
    }),
  ),
);
const rate = fc.oneof(fc.integer({ min: 0, max: 2000 }).map((r) => (r / 10000).toString()), fc.constantFrom('0.0825', '0.123456789', '0.1'));
const planArb = fc.record({
  mode: fc.constantFrom('retroactive', 'marginal', 'hybrid'),
  basis: fc.constantFrom('attainment', 'amount'),
  straddle: fc.constantFrom('split', 'whole'),
  low: rate,
  mid: rate,
  high: rate,
  cap: fc.option(fc.constantFrom('500', '4000', '12345.678', '50000'), { nil: undefined }),
  rounding: fc.constantFrom('half-even', 'half-up', 'down', 'up'),
  anaStarts: fc.option(day(6, 60), { nil: undefined }),
  anaPaidInEur: fc.boolean(),
});

function tenant(deals: ReturnType<typeof won>[], p: { anaStarts: string | undefined; anaPaidInEur: boolean }): Dataset {
  const users = [{ id: 'mia', name: 'Mia' }, { id: 'sam', name: 'Sam' }, ...REPS.map((id) => ({ id, name: id, ...(id === 'ana' && p.anaPaidInEur ? { payCurrency: 'EUR' } : {}) }))];
  const quotas = ['mia', 'sam', ...REPS].flatMap((userId) => ['2026-Q2', '2026-Q3'].map((period) => ({ id: `q-${userId}-${period}`, userId, period, target: userId === 'mia' ? '800000' : userId === 'dee' ? '123456.78' : '200000' })));
  return dataset({ users, managers: REPS.map((userId) => ({ userId, managerId: 'mia', from: '2026-01-01' })), deals, quotas, fxRates });
}

function plansFor(p: { mode: string; basis: string; straddle: string; low: string; mid: string; high: string; cap: string | undefined; rounding: string; anaStarts: string | undefined }): Plan[] {
  const bounds = p.basis === 'attainment' ? ['50', '100'] : ['40000', '90000'];
  const tiers = { mode: p.mode, basis: p.basis, straddle: p.straddle, ...(p.mode === 'hybrid' ? { marginalFrom: bounds[1] } : {}), table: [{ upTo: bounds[0], rate: p.low }, { upTo: bounds[1], rate: p.mid }, { rate: p.high }] };
  return [
    plan({
      id: 'ae',
      rounding: p.rounding,
      payees: REPS.map((user) => (user === 'ana' && p.anaStarts ? { user, from: p.anaStarts } : { user })),
      components: [{ id: 'nb', type: 'commission', tiers, ...(p.cap ? { cap: p.cap } : {}) }],
    }),
    plan({ id: 'mgr', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, tiers: { ...tiers, mode: 'retroactive', marginalFrom: undefined } }] }),
    plan({ id: 'se', payees: [{ user: 'sam' }], components: [{ id: 'overlay', type: 'commission', credit: { quota: ['overlay'], payout: ['overlay'] }, tiers: { mode: 'marginal', basis: 'amount', table: [{ upTo: '50000', rate: p.low }, { rate: p.high }] } }] }),
  ];
}

function both(plans: Plan[], data: Dataset, period: string, locked?: LockedPeriod[]): [RunResult, RunResult] {
  const input = { plans, data, period: period as PeriodId, asOf: '2026-12-31' as IsoDate, ...(locked ? { locked } : {}) };
  return [runStatements({ ...input, arithmetic: 'decimal' }), runStatements({ ...input, arithmetic: 'scaled' })];
}

/** Everything a run states, as plain JSON: every period's statements with their lines' words and provenance. */
function stated(result: RunResult): unknown {
  return {
    history: result.history.map((h) => ({ period: h.period.id, statements: h.statements.map((s) => ({ ...statementToJson(s), negative: s.lines.map((l) => l.amount.isNegative()) })) })),
    pending: result.pendingAdjustments.map((p) => [p.payeeId, p.line.key, p.line.amount.toString()]),
    exceptions: result.exceptions,
  };
}

describe('paying in scaled integers', () => {
  it('states every figure, sentence and provenance exactly as paying in decimal.js does', () => {
    fc.assert(
      fc.property(dealsArb, planArb, (deals, p) => {
        const [reference, scaled] = both(plansFor(p), tenant(deals, p), '2026-Q3');
        expect(stated(scaled)).toEqual(stated(reference));
      }),
      { numRuns: 150 },
    );
  });

  it('corrects a locked quarter exactly as decimal.js does', () => {
    fc.assert(
      fc.property(dealsArb, dealsArb, planArb, (before, after, p) => {
        const plans = plansFor(p);
        const [lockedRun] = both(plans, tenant(before, p), '2026-Q2');
        const locked: LockedPeriod[] = [{ period: '2026-Q2' as PeriodId, statements: lockedRun.statements }];
        // Since the lock: d0 is gone (a clawback), every third deal's amount was edited, and new deals closed.
        const edited = before.slice(1).map((d, i) => (i % 3 === 0 && after[i] ? { ...d, amount: after[i]!.amount } : d));
        const [reference, scaled] = both(plans, tenant([...edited, ...after.map((d) => ({ ...d, id: `e${d.id}` }))], p), '2026-Q3', locked);
        expect(stated(scaled)).toEqual(stated(reference));
      }),
      { numRuns: 60 },
    );
  });

  it('worked case: a refund after the cap bit frees only what the cap had kept', () => {
    // 10 % on amounts, capped at 500 a quarter: 4,000 pays 400; 3,000 would pay 300 but only
    // 100 fits under the cap; a 3,000 refund (−300) brings the wanted total to 400, which is
    // under the cap again, so it takes back 500 − 400 = 100, not 300; then 1,000 pays 100.
    const deals = [won('d1', 'ana', '4000', '2026-07-01'), won('d2', 'ana', '3000', '2026-07-02'), won('d3', 'ana', '-3000', '2026-07-03'), won('d4', 'ana', '1000', '2026-07-04')];
    const data = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals, quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '200000' }] });
    const plans = [plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', cap: '500', tiers: { mode: 'marginal', basis: 'amount', table: [{ rate: '0.1' }] } }] })];
    const [reference, scaled] = both(plans, data, '2026-Q3');
    expect(stated(scaled)).toEqual(stated(reference));
    expect(statementOf(scaled, 'ana').lines.map((l) => l.amount.toString())).toEqual(['400', '100', '-100', '100']);
  });

  it('worked case: a rep whose fifth deal is too big for the integers goes on in decimals, with every cent as before', () => {
    // Ana's quota is 200,000; retroactive 5 % to 100 %, then 8 %. Four deals of 10,000.05 pay
    // 500.0025 each (in integers); the fifth, 9,000,000,000,000.10, does not fit at two
    // decimals times a rate of two, so it and the rest are paid in decimals:
    // 9,000,000,000,000.10 × 8 % = 720,000,000,000.008, and the true-up re-rates the earlier
    // 40,000.20 from 5 % to 8 %: 1,200.006.
    const deals = [1, 2, 3, 4].map((i) => won(`d${i}`, 'ana', '10000.05', `2026-07-0${i}`));
    deals.push(won('d5', 'ana', '9000000000000.10', '2026-07-10'), won('d6', 'ana', '1.01', '2026-07-11'));
    const data = dataset({ users: [{ id: 'ana', name: 'Ana' }], deals, quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '200000' }] });
    const plans = [plan({ id: 'ae', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'retroactive', table: [{ upTo: '100', rate: '0.05' }, { rate: '0.08' }] } }] })];
    const [reference, scaled] = both(plans, data, '2026-Q3');
    expect(stated(scaled)).toEqual(stated(reference));
    const lines = statementOf(scaled, 'ana').lines.map((l) => [l.kind, l.exact.toString(), l.amount.toString()]);
    expect(lines).toEqual([
      ['commission', '500.0025', '500'],
      ['commission', '500.0025', '500'],
      ['commission', '500.0025', '500'],
      ['commission', '500.0025', '500'],
      ['commission', '720000000000.008', '720000000000.01'],
      ['true-up', '1200.006', '1200.01'],
      ['commission', '0.0808', '0.08'],
    ]);
  });
});
