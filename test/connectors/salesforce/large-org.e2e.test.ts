import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ORG } from './fixture.js';
import { install, startHarness, type Harness } from './harness.js';

/**
 * More than 10,000 opportunities modified in one window: jsforce's autoFetch would stop at
 * maxFetch (10,000) without a word. 10,500 deals, no activities: every one must arrive,
 * first through REST query pages, then (in a second tenant) through a Bulk API 2.0 backfill.
 */
const DEALS = 10_500;

function largeOrg(): RawDataset {
  const owners = ['ana', 'bo'];
  return {
    ...ORG,
    activities: [],
    deals: Array.from({ length: DEALS }, (_, i) => ({
      id: `big-${i}`,
      name: `Deal ${i}`,
      pipelineId: 'sales',
      stageId: i % 3 === 0 ? 'won' : 'proposal',
      // 1,000.00 + i cents: every amount distinct, so a lost or duplicated page shows in the sum.
      amount: (1000 + i / 100).toFixed(2),
      currency: 'USD',
      closeDate: '2026-08-15',
      createdDate: '2026-03-01',
      ownerId: owners[i % 2]!,
    })),
  };
}

describe('an org with more than 10,000 opportunities in one window', () => {
  let t: TestDatabase;
  let h: Harness;
  beforeAll(async () => {
    t = await createServerDatabase();
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  // Σ (1000 + i/100) for i < 10,500 = 10,500 × 1000 + (10,499 × 10,500 / 2) / 100 = 10,500,000 + 551,197.50.
  const expectedSum = '11051197.50';

  it('syncs every opportunity page by page through REST query locators', async () => {
    h = await startHarness(t.db, largeOrg());
    await install(h);
    await h.sync('pipelines');
    const result = await h.sync('deals');
    expect(result.records).toBe(DEALS);
    // 2,000 rows per page at most: at least 6 pages, each its own checkpoint.
    expect(result.pages).toBeGreaterThanOrEqual(6);
    const totals = await t.db.selectFrom('deals').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('amount').as('sum')]).where('tenant_id', '=', h.tenantId).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    expect(Number(totals.n)).toBe(DEALS);
    expect(Number(totals.sum).toFixed(2)).toBe(expectedSum);
    await h.close();
  });

  it('backfills the same org with Bulk API 2.0 above the bulk threshold', async () => {
    const t2 = await createServerDatabase();
    const hb = await startHarness(t2.db, largeOrg(), { bulkThreshold: 2_000 });
    try {
      await install(hb);
      await hb.sync('pipelines');
      const result = await hb.sync('deals');
      expect(result.records).toBe(DEALS);
      const totals = await t2.db.selectFrom('deals').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('amount').as('sum')]).where('tenant_id', '=', hb.tenantId).executeTakeFirstOrThrow();
      expect(Number(totals.n)).toBe(DEALS);
      expect(Number(totals.sum).toFixed(2)).toBe(expectedSum);
      const cursor = await t2.db.selectFrom('sync_cursors').select('cursor').where('tenant_id', '=', hb.tenantId).where('object', '=', 'deals').executeTakeFirstOrThrow();
      expect((cursor.cursor as { bulk?: { done?: boolean } }).bulk?.done).toBe(true);
    } finally {
      await hb.close();
      await t2.drop();
    }
  });
});
