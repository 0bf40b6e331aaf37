import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import type { Deal } from '../../shared/src/domain/deals.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { loadDataset } from '../../worker/src/db/dataset-loader.js';
import { importDataset } from '../../worker/src/db/import-dataset.js';
import { migrateToLatest } from '../../worker/src/db/migrate.js';
import { setPeriodStatus } from '../../worker/src/db/periods.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { loadDeals, upsertDeals } from '../../worker/src/db/records.js';
import { commitPage, readCursor } from '../../worker/src/db/sync-cursors.js';
import { WorkflowConflict } from '../../worker/src/db/workflow-conflict.js';
import { ledgerSnapshot, ledgerStatement } from '../../worker/src/ledger/payout-ledger.js';
import { recompute } from '../../worker/src/recompute/recompute.js';
import { DATABASE_TARGETS, type TestDatabase } from '../support/databases.js';
import { dataset, won } from '../support/tenant-builder.js';

const tenant = dataset({
  tenant: { id: 'acme', name: 'Acme', currency: 'USD' },
  users: [{ id: 'ana', name: 'Ana' }, { id: 'mia', name: 'Mia' }],
  managers: [{ userId: 'ana', managerId: 'mia', from: '2026-01-01' }],
  deals: [won('d1', 'ana', '40000', '2026-07-10'), won('d2', 'ana', '30000', '2026-08-10')],
  quotas: [{ id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' }],
});
const aePlan = { id: 'ae', version: 1, name: 'AE', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'ana' }], components: [{ id: 'nb', type: 'commission', rate: '0.10' }] };
const mgrPlan = { id: 'mgr', version: 1, name: 'Manager', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'mia' }], components: [{ id: 'team', type: 'commission', credit: { quota: ['rollup'], payout: ['rollup'] }, rate: '0.01' }] };
const d1 = tenant.deals[0]!;

describe.each(DATABASE_TARGETS)('storage on %s', (_name, create) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await create();
    await importDataset(t.db, tenant, { source: 'file', externalId: 'acme', modifiedAt: '2026-07-01T00:00:00Z', actor: 'test' });
    await savePlanVersion(t.db, 'acme', aePlan, 'admin@acme');
    await savePlanVersion(t.db, 'acme', mgrPlan, 'admin@acme');
  });
  afterAll(async () => t?.drop());

  it('migrates idempotently', async () => {
    await migrateToLatest(t.db);
    await migrateToLatest(t.db);
  });

  it('round-trips the canonical dataset exactly', async () => {
    const loaded = await loadDataset(t.db, 'acme');
    expect(loaded.deals.map((d) => [d.id, d.amount.toString(), d.closeDate, d.ownerId])).toEqual([
      ['d1', '40000', '2026-07-10', 'ana'],
      ['d2', '30000', '2026-08-10', 'ana'],
    ]);
    expect(loaded.quotas[0]!.target.toString()).toBe('100000');
    expect(loaded.managers).toEqual(tenant.managers);
  });

  it('never lets an older version overwrite a newer one, and skips no-op writes', async () => {
    const edit = (amount: string, version: string): Deal => ({ ...d1, amount: new Decimal(amount), sourceVersion: version });
    const newer = await upsertDeals(t.db, 'acme', [{ record: edit('45000', 'v2'), modifiedAt: '2026-07-20T10:00:00Z' }]);
    expect(newer.map((c) => [c.id, c.before?.amount.toString(), c.after?.amount.toString()])).toEqual([['d1', '40000', '45000']]);
    // An older page arriving late (overlapping sync windows, a retried webhook) changes nothing.
    expect(await upsertDeals(t.db, 'acme', [{ record: edit('41000', 'v1b'), modifiedAt: '2026-07-15T10:00:00Z' }])).toEqual([]);
    // The same version again is a no-op.
    expect(await upsertDeals(t.db, 'acme', [{ record: edit('45000', 'v2'), modifiedAt: '2026-07-20T10:00:00Z' }])).toEqual([]);
    expect((await loadDeals(t.db, 'acme', ['d1'])).get('d1')!.amount.toString()).toBe('45000');
    // Two versions of one deal in the same page: the later one wins, whatever the order.
    const page = await upsertDeals(t.db, 'acme', [
      { record: edit('47000', 'v4'), modifiedAt: '2026-07-22T10:00:00Z' },
      { record: edit('46000', 'v3'), modifiedAt: '2026-07-21T10:00:00Z' },
    ]);
    expect(page.map((c) => c.after?.amount.toString())).toEqual(['47000']);
  });

  it('commits a page of records and its cursor together, or neither', async () => {
    const failing = commitPage(t.db, 'acme', 'hubspot', 'deals', { phase: 'incremental', cursor: { after: '2026-07-30' } }, async (tx) => {
      await upsertDeals(tx, 'acme', [{ record: { ...d1, amount: new Decimal('1') }, modifiedAt: '2026-08-01T00:00:00Z' }]);
      throw new Error('connection lost mid-page');
    });
    await expect(failing).rejects.toThrow('connection lost mid-page');
    expect(await readCursor(t.db, 'acme', 'hubspot', 'deals')).toBeUndefined();
    expect((await loadDeals(t.db, 'acme', ['d1'])).get('d1')!.amount.toString()).not.toBe('1');
    await commitPage(t.db, 'acme', 'hubspot', 'deals', { phase: 'incremental', cursor: { after: '2026-07-30' } }, async () => undefined);
    expect(await readCursor(t.db, 'acme', 'hubspot', 'deals')).toEqual({ phase: 'incremental', cursor: { after: '2026-07-30' } });
  });

  it('writes statements to the append-only ledger idempotently', async () => {
    const asOf = '2026-09-30' as IsoDate;
    const first = await recompute(t.db, { tenantId: 'acme', asOf, trigger: 'test' });
    expect(first.entriesWritten).toBeGreaterThan(0);
    const again = await recompute(t.db, { tenantId: 'acme', asOf, trigger: 'test' });
    expect(again.entriesWritten).toBe(0);
    // d1 is 47,000 after the edits above: 10 % = 4,700; d2 30,000 → 3,000. Mia: 1 % of 77,000 = 770.
    expect(Object.fromEntries(await ledgerSnapshot(t.db, 'acme'))).toEqual({
      'ana|2026-Q3|ae|nb|commission|d1': '4700',
      'ana|2026-Q3|ae|nb|commission|d2': '3000',
      'mia|2026-Q3|mgr|team|commission|d1': '470',
      'mia|2026-Q3|mgr|team|commission|d2': '300',
    });
  });

  it('reverses a line that is no longer paid instead of deleting it', async () => {
    await upsertDeals(t.db, 'acme', [{ record: { ...tenant.deals[1]!, stageId: 'lost' as never, sourceVersion: 'v2' }, modifiedAt: '2026-08-20T00:00:00Z' }]);
    await recompute(t.db, { tenantId: 'acme', asOf: '2026-09-30' as IsoDate, payees: ['ana', 'mia'], trigger: 'test' });
    const lines = await ledgerStatement(t.db, 'acme', 'ana', '2026-Q3');
    expect(lines.map((l) => [l.lineKey, l.seq, l.amount.toString()])).toEqual([
      ['ae|nb|commission|d1', 1, '4700'],
      ['ae|nb|commission|d2', 2, '0'],
    ]);
    const entries = await t.db.selectFrom('payout_ledger').select(['amount', 'seq']).where('tenant_id', '=', 'acme').where('line_key', '=', 'ae|nb|commission|d2').where('payee_id', '=', 'ana').orderBy('seq').execute();
    expect(entries.map((e) => new Decimal(e.amount).toString())).toEqual(['3000', '-3000']);
  });

  it('accepts the same plan version saved again whatever its key order, and refuses one with other content', async () => {
    // A tenant of its own, so this plan pays nobody in the other tests.
    await importDataset(t.db, dataset({ tenant: { id: 'globex', name: 'Globex', currency: 'USD' }, users: [{ id: 'oli', name: 'Oli' }, { id: 'pia', name: 'Pia' }] }), { source: 'file', externalId: 'globex', modifiedAt: '2026-07-01T00:00:00Z', actor: 'test' });
    const tiered = (rate: string) => ({ id: 'tiered', version: 1, name: 'Tiered', effective: { from: '2026-07-01' }, period: 'quarter', currency: 'USD', payees: [{ user: 'oli' }], components: [{ id: 'nb', type: 'commission', tiers: { mode: 'marginal', table: [{ upTo: '100000', rate: '0.04' }, { rate }] } }] });
    const counter = async () => (await t.db.selectFrom('tenants').select('admin_state_version').where('id', '=', 'globex').executeTakeFirstOrThrow()).admin_state_version;
    const versions = async () => (await t.db.selectFrom('plans').select('version').where('tenant_id', '=', 'globex').where('plan_id', '=', 'tiered').execute()).length;
    const saved = tiered('0.05');
    const before = await counter();
    await savePlanVersion(t.db, 'globex', saved, 'admin@globex');
    const after = await counter();
    expect(after).toBe(before + 1);
    // The very same object again (an admin saving twice, an import re-run): jsonb stores its keys in another order.
    await savePlanVersion(t.db, 'globex', saved, 'admin@globex');
    // The same document written with its keys in reverse order, at every depth.
    const reversed = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reversed) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) : value;
    await savePlanVersion(t.db, 'globex', reversed(saved), 'admin@globex');
    expect(await versions()).toBe(1);
    expect(await counter()).toBe(after);
    // One nested value differs: that is another plan, and the version is taken.
    const refused = await savePlanVersion(t.db, 'globex', tiered('0.06'), 'admin@globex').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowConflict);
    expect((refused as Error).message).toBe('Plan tiered version 1 already exists with other content: save your change as version 2');
    // Array order is content: version 2 with its payees listed the other way round is refused too.
    const v2 = (...users: string[]) => ({ ...tiered('0.05'), version: 2, payees: users.map((user) => ({ user })) });
    await savePlanVersion(t.db, 'globex', v2('oli', 'pia'), 'admin@globex');
    await expect(savePlanVersion(t.db, 'globex', v2('pia', 'oli'), 'admin@globex')).rejects.toThrow(WorkflowConflict);
    expect(await versions()).toBe(2);
    expect(await counter()).toBe(after + 1);
    // Three saves of version 3 at the same moment (a double click on Publish): one stores it, the others find it stored.
    const v3 = { ...tiered('0.05'), version: 3 };
    await Promise.all([1, 2, 3].map(() => savePlanVersion(t.db, 'globex', v3, 'admin@globex')));
    expect(await versions()).toBe(3);
    expect(await counter()).toBe(after + 2);
  });

  it('never writes into a locked period; later changes land as adjustments in the next one', async () => {
    const asOf = '2026-09-30' as IsoDate;
    const q3 = await recompute(t.db, { tenantId: 'acme', asOf, trigger: 'test' });
    await setPeriodStatus(t.db, 'acme', '2026-Q3', 'calculated', 'admin');
    await setPeriodStatus(t.db, 'acme', '2026-Q3', 'approved', 'admin');
    await setPeriodStatus(t.db, 'acme', '2026-Q3', 'locked', 'admin', q3.statements);
    await expect(setPeriodStatus(t.db, 'acme', '2026-Q3', 'calculated', 'admin')).rejects.toThrow('a locked period is final');
    // d1 edited after the lock: 47,000 → 57,000.
    await upsertDeals(t.db, 'acme', [{ record: { ...d1, amount: new Decimal('57000'), sourceVersion: 'v9' }, modifiedAt: '2026-10-05T00:00:00Z' }]);
    const q4 = await recompute(t.db, { tenantId: 'acme', asOf: '2026-10-31' as IsoDate, payees: ['ana', 'mia'], trigger: 'test' });
    expect(q4.statements.map((s) => s.period.id)).toEqual(['2026-Q4', '2026-Q4']);
    const ana = await ledgerStatement(t.db, 'acme', 'ana', '2026-Q4');
    // 10 % of the 10,000 increase = 1,000, paid in Q4 with its cause; Q3 is untouched.
    expect(ana.map((l) => [l.lineKey, l.amount.toString(), l.cause])).toEqual([['adjustment|2026-Q3|ae|nb|commission|d1', '1000', 'deal-edited']]);
    expect((await ledgerStatement(t.db, 'acme', 'ana', '2026-Q3')).find((l) => l.lineKey.endsWith('d1'))!.amount.toString()).toBe('4700');
  });
});
