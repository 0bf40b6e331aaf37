import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statementToJson } from '../../shared/src/engine/statement-json.js';
import { Decimal, ZERO } from '../../shared/src/money/decimal.js';
import { dataset, plan, run, statementOf, won } from '../support/tenant-builder.js';

const REPS = ['ana', 'ben', 'cai', 'dee'];
const users = [{ id: 'mia', name: 'Mia' }, ...REPS.map((id) => ({ id, name: id }))];
const managers = REPS.map((userId) => ({ userId, managerId: 'mia', from: '2026-01-01' }));
const fxRates = [
  { from: 'EUR', to: 'USD', rate: '1.0831', date: '2026-01-01', source: 'ECB' },
  { from: 'EUR', to: 'USD', rate: '1.1207', date: '2026-06-01', source: 'ECB' },
];

const cents = fc.integer({ min: 1, max: 20_000_000 }).map((c) => (c / 100).toFixed(2));
const day = fc.integer({ min: 0, max: 182 }).map((d) => new Date(Date.UTC(2026, 3, 1) + d * 86_400_000).toISOString().slice(0, 10));
/** Revenue split percentages over 1–4 reps that total exactly 100. */
const splitPercents = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 0, maxLength: 3 }).map((cuts) => {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const bounds = [0, ...points, 100];
  return bounds.slice(1).map((b, i) => b - bounds[i]!);
});
const dealArb = fc.record({ owner: fc.constantFrom(...REPS), amount: cents, close: day, stage: fc.constantFrom('won', 'won', 'won', 'lost', 'proposal'), eur: fc.boolean(), split: fc.option(splitPercents, { nil: undefined }) });
const tenantArb = fc.array(dealArb, { minLength: 1, maxLength: 14 }).map((deals) =>
  deals.map((d, i) =>
    won(`d${i}`, d.owner, d.amount, d.close, {
      stageId: d.stage,
      currency: d.eur ? 'EUR' : 'USD',
      splits: d.split && d.split.length > 1 ? d.split.map((percent, j) => ({ userId: REPS[(REPS.indexOf(d.owner) + j) % REPS.length]!, type: 'revenue' as const, percent: String(percent) })) : [],
    }),
  ),
);
const rate = fc.integer({ min: 1, max: 2000 }).map((r) => (r / 10000).toString());
const planArb = fc.record({ mode: fc.constantFrom('retroactive', 'marginal', 'hybrid'), low: rate, mid: rate, high: rate, cap: fc.option(fc.integer({ min: 100, max: 50000 }).map(String), { nil: undefined }) });
const quotas = [...users.map((u) => u.id)].flatMap((userId) => ['2026-Q2', '2026-Q3'].map((period) => ({ id: `q-${userId}-${period}`, userId, period, target: userId === 'mia' ? '800000' : '200000' })));

function plansFor(p: { mode: string; low: string; mid: string; high: string; cap: string | undefined }) {
  const tiers = { mode: p.mode, ...(p.mode === 'hybrid' ? { marginalFrom: '100' } : {}), table: [{ upTo: '50', rate: p.low }, { upTo: '100', rate: p.mid }, { rate: p.high }] };
  return [
    plan({ id: 'ae', payees: REPS.map((user) => ({ user })), components: [{ id: 'nb', type: 'commission', tiers, ...(p.cap ? { cap: p.cap } : {}) }] }),
    plan({ id: 'mgr', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, tiers: { ...tiers, mode: 'retroactive', marginalFrom: undefined } }] }),
  ];
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('engine invariants', () => {
  it('the order records arrive in never changes a statement', () => {
    fc.assert(
      fc.property(tenantArb, planArb, fc.integer({ min: 1, max: 1_000_000 }), (deals, p, seed) => {
        const plans = plansFor(p);
        const a = run(plans, dataset({ users, managers, deals, quotas, fxRates }), '2026-Q3');
        const b = run(shuffled(plans, seed), dataset({ users: shuffled(users, seed + 1), managers: shuffled(managers, seed + 2), deals: shuffled(deals, seed + 3), quotas: shuffled(quotas, seed + 4), fxRates: shuffled(fxRates, seed + 5) }), '2026-Q3');
        expect(b.statements.map(statementToJson)).toEqual(a.statements.map(statementToJson));
      }),
      { numRuns: 60 },
    );
  });

  it('every statement total is the sum of its lines', () => {
    fc.assert(
      fc.property(tenantArb, planArb, (deals, p) => {
        const r = run(plansFor(p), dataset({ users, managers, deals, quotas, fxRates }), '2026-Q3');
        for (const h of r.history) {
          for (const s of h.statements) expect(s.total.toString()).toBe(s.lines.reduce((t, l) => t.plus(l.amount), ZERO).toString());
        }
      }),
      { numRuns: 60 },
    );
  });

  it('under the original-calculation policy a clawback and its original net to zero', () => {
    fc.assert(
      fc.property(tenantArb, planArb, (deals, p) => {
        const plans = plansFor({ ...p, cap: undefined });
        const data = dataset({ users, managers, deals, quotas, fxRates });
        const q2 = run(plans, data, '2026-Q2', { asOf: '2026-06-30' });
        const locked = [{ period: q2.period.id, statements: q2.statements }];
        const lostData = dataset({ users, managers, deals: deals.map((d) => ({ ...d, stageId: 'lost', sourceVersion: 'v2' })), quotas, fxRates });
        const q3 = run(plans, lostData, '2026-Q3', { locked });
        for (const original of q2.statements) {
          const later = q3.statements.find((s) => s.payeeId === original.payeeId);
          for (const line of original.lines.filter((l) => l.kind === 'commission' && !l.amount.isZero())) {
            const clawback = later?.lines.find((l) => l.kind === 'clawback' && l.adjusts?.key === line.key);
            expect(clawback, `clawback of ${line.key}`).toBeDefined();
            expect(line.amount.plus(clawback!.amount).toString()).toBe('0');
            expect(clawback!.amount.isNegative()).toBe(true);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('revenue-split payouts sum to the unsplit payout exactly before rounding, and within the declared rounding after', () => {
    fc.assert(
      fc.property(cents, splitPercents.filter((s) => s.length > 1), rate, (amount, percents, r) => {
        const flat = plan({ id: 'ae', payees: REPS.map((user) => ({ user })), components: [{ id: 'nb', type: 'commission', rate: r }] });
        const splits = percents.map((percent, i) => ({ userId: REPS[i]!, type: 'revenue' as const, percent: String(percent) }));
        const split = run([flat], dataset({ users, deals: [won('d1', 'ana', amount, '2026-07-10', { splits })] }), '2026-Q3');
        const whole = statementOf(run([flat], dataset({ users, deals: [won('d1', 'ana', amount, '2026-07-10')] }), '2026-Q3'), 'ana').lines[0]!;
        const lines = split.statements.flatMap((s) => s.lines);
        expect(lines.reduce((t, l) => t.plus(l.exact), ZERO).toString()).toBe(whole.exact.toString());
        // Half-even rounding moves each line by at most half a cent: n split lines plus the unsplit one.
        const gap = lines.reduce((t, l) => t.plus(l.amount), ZERO).minus(whole.amount).abs();
        expect(gap.lessThanOrEqualTo(new Decimal('0.005').times(lines.length + 1))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('provenance, read in any order, states the slices and attainments that were paid', () => {
    // Commission lines are paid without building their slices; reading provenance replays the
    // component's events. Whatever line is read first (a late one, a true-up, a gate release),
    // every commission line's slices add up to what it calculated, attainment runs on from
    // line to line, and it ends at the quota credit over the quota (200,000 per rep here).
    const readOrder = fc.constantFrom('forward', 'backward', 'shuffled');
    fc.assert(
      fc.property(tenantArb, planArb, fc.option(fc.constantFrom('20', '60'), { nil: undefined }), readOrder, fc.integer({ min: 1, max: 1_000_000 }), (deals, p, gate, order, seed) => {
        const plans = plansFor(p).map((pl) => (gate && pl.id === 'ae' ? { ...pl, components: pl.components.map((c) => ({ ...c, gate: new Decimal(gate) })) } : pl));
        const data = dataset({ users, managers, deals, quotas, fxRates });
        const reference = run(plans, data, '2026-Q3').statements.map(statementToJson);
        const result = run(plans, data, '2026-Q3');
        const lines = result.statements.flatMap((s) => s.lines);
        const picked = order === 'forward' ? lines : order === 'backward' ? [...lines].reverse() : shuffled(lines, seed);
        for (const line of picked) void line.provenance;
        expect(result.statements.map(statementToJson)).toEqual(reference);
        for (const statement of result.statements.filter((s) => REPS.includes(s.payeeId))) {
          let attainment = ZERO;
          let credited = ZERO;
          for (const line of statement.lines.filter((l) => l.kind === 'commission')) {
            const prov = line.provenance!;
            expect(prov.slices.reduce((t, sl) => t.plus(sl.amount), ZERO).toString(), line.key).toBe(prov.calculated.toString());
            expect(prov.slices.reduce((t, sl) => t.plus(sl.value), ZERO).toString(), line.key).toBe(prov.creditedValue!.toString());
            expect(prov.attainmentBefore!.toString(), line.key).toBe(attainment.toString());
            credited = credited.plus(prov.creditedValue!);
            attainment = prov.attainmentAfter!;
            expect(attainment.toString(), line.key).toBe(credited.times(100).dividedBy(200000).toString());
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
