import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import type { Deal } from '../../shared/src/domain/deals.js';
import type { DealId, StageId, UserId } from '../../shared/src/domain/ids.js';
import { Hierarchy } from '../../shared/src/engine/hierarchy.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { importDataset } from '../../worker/src/db/import-dataset.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { upsertDeals } from '../../worker/src/db/records.js';
import { ledgerSnapshot } from '../../worker/src/ledger/payout-ledger.js';
import { payeesAffectedByDeals } from '../../worker/src/recompute/affected-payees.js';
import { recompute } from '../../worker/src/recompute/recompute.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';
import { dataset } from '../support/tenant-builder.js';

const REPS = ['ana', 'ben', 'cai'];
const base = (id: string) =>
  dataset({
    tenant: { id, name: id, currency: 'USD' },
    users: [{ id: 'mia', name: 'Mia' }, ...REPS.map((r) => ({ id: r, name: r }))],
    managers: [
      { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
      { userId: 'ben', managerId: 'mia', from: '2026-01-01', to: '2026-08-15' },
      { userId: 'cai', managerId: 'mia', from: '2026-01-01' },
    ],
    quotas: [...REPS, 'mia'].map((userId) => ({ id: `q-${userId}`, userId, period: '2026-Q3', target: '100000' })),
  });
const plans = [
  { id: 'ae', version: 1, name: 'AE', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: REPS.map((user) => ({ user })), components: [{ id: 'nb', type: 'commission', tiers: { mode: 'retroactive', table: [{ upTo: '50', rate: '0.04' }, { upTo: '100', rate: '0.07' }, { rate: '0.11' }] } }] },
  { id: 'mgr', version: 1, name: 'Mgr', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, tiers: { mode: 'marginal', table: [{ upTo: '100', rate: '0.01' }, { rate: '0.02' }] } }] },
];

/** One version of one deal as the CRM would deliver it. */
const versionArb = fc.record({
  deal: fc.constantFrom('d1', 'd2', 'd3', 'd4'),
  owner: fc.constantFrom(...REPS),
  amount: fc.integer({ min: 100, max: 9_000_000 }).map((c) => (c / 100).toFixed(2)),
  day: fc.integer({ min: 0, max: 91 }),
  stage: fc.constantFrom('won', 'won', 'lost', 'proposal'),
  deleted: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
  split: fc.boolean(),
});

type Version = typeof versionArb extends fc.Arbitrary<infer T> ? T : never;

function toDeal(v: Version, n: number): Deal {
  const closeDate = new Date(Date.UTC(2026, 6, 1) + v.day * 86_400_000).toISOString().slice(0, 10) as IsoDate;
  const other = REPS[(REPS.indexOf(v.owner) + 1) % REPS.length]!;
  return {
    id: v.deal as DealId,
    name: v.deal,
    pipelineId: 'sales' as never,
    stageId: v.stage as StageId,
    amount: new Decimal(v.amount),
    currency: 'USD' as never,
    closeDate,
    createdDate: '2026-06-01' as IsoDate,
    ownerId: v.owner as UserId,
    splits: v.split ? [{ userId: v.owner as UserId, type: 'revenue', percent: new Decimal(70) }, { userId: other as UserId, type: 'revenue', percent: new Decimal(30) }] : [],
    properties: {},
    stageHistory: [],
    sourceVersion: `v${n}`,
  };
}

describe('incremental recompute on real PostgreSQL', () => {
  let t: TestDatabase;
  let run = 0;
  beforeAll(async () => {
    t = await createServerDatabase();
  });
  afterAll(async () => t?.drop());

  it('after any sequence of creates, updates, deletes, duplicates and out-of-order deliveries, the incremental ledger equals a full recompute and no line is written twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(versionArb, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), fc.array(fc.integer(), { minLength: 20, maxLength: 20 }), async (versions, noise, order) => {
        run += 1;
        const incremental = `inc${run}`;
        const full = `full${run}`;
        const asOf = '2026-09-30' as IsoDate;
        // The true history: version n of each deal at minute n.
        const history = versions.map((v, n) => ({ record: toDeal(v, n), modifiedAt: new Date(Date.UTC(2026, 6, 1, 0, n)).toISOString(), deleted: v.deleted }));
        // Deliveries: out of order, with duplicates.
        const deliveries = [...history];
        for (const k of noise) deliveries.splice(k % (deliveries.length + 1), 0, history[k % history.length]!);
        const shuffled = deliveries.map((d, i) => ({ d, key: order[i % order.length]! + i / 100 })).sort((a, b) => a.key - b.key).map((x) => x.d);

        for (const tenantId of [incremental, full]) {
          await importDataset(t.db, base(tenantId), { source: 'file', externalId: tenantId, modifiedAt: '2026-06-01T00:00:00Z', actor: 'test' });
          for (const p of plans) await savePlanVersion(t.db, tenantId, p, 'test');
        }
        const hierarchy = new Hierarchy(base(incremental).managers);
        for (const delivery of shuffled) {
          const changes = await upsertDeals(t.db, incremental, [delivery]);
          const payees = payeesAffectedByDeals(changes, hierarchy);
          if (payees.size > 0) await recompute(t.db, { tenantId: incremental, asOf, payees: [...payees], trigger: 'test' });
        }
        // From scratch: only the final state, computed for everyone at once.
        const finalState = new Map(history.map((h) => [h.record.id, h]));
        await upsertDeals(t.db, full, [...finalState.values()]);
        await recompute(t.db, { tenantId: full, asOf, trigger: 'test' });

        expect(Object.fromEntries(await ledgerSnapshot(t.db, incremental))).toEqual(Object.fromEntries(await ledgerSnapshot(t.db, full)));
        // Entries of each line are numbered 1..n without gaps or repeats (the unique key guarantees no repeats).
        const seqs = await t.db.selectFrom('payout_ledger').select(['payee_id', 'line_key', 'seq']).where('tenant_id', '=', incremental).orderBy('payee_id').orderBy('line_key').orderBy('seq').execute();
        const byLine = new Map<string, number[]>();
        for (const s of seqs) byLine.set(`${s.payee_id}|${s.line_key}`, [...(byLine.get(`${s.payee_id}|${s.line_key}`) ?? []), s.seq]);
        for (const list of byLine.values()) expect(list).toEqual(list.map((_, i) => i + 1));
      }),
      { numRuns: 25 },
    );
  });
});
