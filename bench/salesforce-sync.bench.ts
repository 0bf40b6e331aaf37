import type { RawDataset } from '../shared/src/input/dataset.schema.js';
import { createServerDatabase } from '../test/support/databases.js';
import { ORG } from '../test/connectors/salesforce/fixture.js';
import { install, startHarness } from '../test/connectors/salesforce/harness.js';
import type { BenchDefinition, BenchReport } from './bench-types.js';
import { MemorySampler, MIB } from './memory-sampler.js';

/**
 * Full sync of a large Salesforce org through jsforce against the local sandbox into
 * PostgreSQL: users, stages, then every opportunity with its splits (Bulk API 2.0 above
 * the 50,000 threshold, REST query pages below). Reports records per second, API calls per
 * 1,000 records (what the customer's daily allocation pays), peak memory, and the share
 * of the sandbox's enforced daily API ceiling the sync used.
 *
 * The sandbox runs in this process, so peak memory includes the org's own records.
 */
const OPPORTUNITIES = Number(process.env['BENCH_SF_OPPS'] ?? 100_000);
const DAILY_LIMIT = Number(process.env['BENCH_SF_DAILY_LIMIT'] ?? 100_000);
const TARGET_RECORDS_PER_S = 500;
const TARGET_CALLS_PER_1000 = 5;

function org(): RawDataset {
  const owners = ['ana', 'bo', 'mia'];
  return {
    ...ORG,
    activities: [],
    deals: Array.from({ length: OPPORTUNITIES }, (_, i) => ({
      id: `b-${i}`,
      name: `Deal ${i}`,
      pipelineId: 'sales',
      stageId: i % 4 === 0 ? 'won' : i % 4 === 1 ? 'lost' : 'proposal',
      amount: (1000 + (i % 9973) * 7.25).toFixed(2),
      currency: 'USD',
      closeDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
      createdDate: '2026-01-05',
      ownerId: owners[i % owners.length]!,
      ...(i % 10 === 0 ? { splits: [{ userId: owners[i % 3]!, type: 'revenue' as const, percent: '50' }, { userId: owners[(i + 1) % 3]!, type: 'revenue' as const, percent: '50' }, { userId: 'sam', type: 'overlay' as const, percent: '10' }] } : {}),
    })),
  };
}

export const bench: BenchDefinition = {
  name: 'salesforce-sync',
  description: `full Salesforce sync of ${OPPORTUNITIES.toLocaleString('en-US')} opportunities via jsforce → sandbox → PostgreSQL: records/s, API calls per 1,000, peak memory`,
  async run(log): Promise<BenchReport> {
    const t = await createServerDatabase();
    const memory = new MemorySampler(50);
    memory.stage('seed');
    log(`seeding a sandbox org with ${OPPORTUNITIES} opportunities`);
    const h = await startHarness(t.db, org(), { dailyApiLimit: DAILY_LIMIT, env: { SALESFORCE_LOOKBACK_SECONDS: '300' } });
    try {
      await install(h);
      const usageBefore = h.sandbox.stats().apiRequests;
      memory.stage('sync');
      const started = performance.now();
      let records = 0;
      for (const object of ['users', 'pipelines', 'fx-rates', 'quotas', 'deals']) {
        const r = await h.sync(object);
        records += r.records;
        log(`${object}: ${r.records} records in ${r.pages} pages`);
      }
      const seconds = (performance.now() - started) / 1000;
      const report = await memory.stop();
      const calls = h.meters.reduce((n, m) => n + m.calls, 0);
      const orgCalls = h.sandbox.stats().apiRequests - usageBefore;
      const perThousand = (calls / records) * 1000;
      const rate = records / seconds;
      const bulk = OPPORTUNITIES > h.config.bulkThreshold;
      return {
        name: 'salesforce-sync',
        params: { opportunities: OPPORTUNITIES, path: bulk ? 'bulk-2.0' : 'rest-query', dailyApiLimit: DAILY_LIMIT, database: t.name },
        metrics: [
          { name: 'records synced', value: records, unit: 'records' },
          { name: 'wall time', value: seconds, unit: 's' },
          { name: 'throughput', value: rate, unit: 'records/s' },
          { name: 'API calls (connector)', value: calls, unit: 'calls' },
          { name: 'API calls counted by the org', value: orgCalls, unit: 'calls' },
          { name: 'API calls per 1,000 records', value: perThousand, unit: 'calls' },
          { name: 'share of the enforced daily API ceiling', value: (orgCalls * 100) / DAILY_LIMIT, unit: '%' },
          { name: 'peak RSS', value: report.peakRss / MIB, unit: 'MiB' },
          { name: 'peak RSS during sync', value: (report.peakRssByStage['sync'] ?? report.peakRss) / MIB, unit: 'MiB' },
        ],
        targets: [
          { name: 'throughput', target: `≥ ${TARGET_RECORDS_PER_S} records/s`, actual: `${rate.toFixed(0)} records/s`, met: rate >= TARGET_RECORDS_PER_S, gap: rate >= TARGET_RECORDS_PER_S ? undefined : `${(TARGET_RECORDS_PER_S / rate).toFixed(1)}× too slow` },
          { name: 'API cost', target: `≤ ${TARGET_CALLS_PER_1000} calls per 1,000 records`, actual: `${perThousand.toFixed(2)}`, met: perThousand <= TARGET_CALLS_PER_1000, gap: perThousand <= TARGET_CALLS_PER_1000 ? undefined : `${(perThousand - TARGET_CALLS_PER_1000).toFixed(2)} calls over` },
        ],
        notes: [
          'The sandbox org runs in the benchmark process: peak RSS includes its in-memory records and the CSV/JSON it serialises.',
          'Every opportunity page is one transaction with its cursor (writeSyncPage) and enqueues recomputes into a no-op queue here.',
          'jsforce retries are off; the org counts every request against the daily allocation, so "API calls counted by the org" is what a customer pays.',
        ],
      };
    } finally {
      await h.close();
      await t.drop();
    }
  },
};
