import { setTimeout as sleep } from 'node:timers/promises';
import { modstampMs, queryFirstPage } from './api.js';
import type { DealsCursor } from './deals-stream.js';
import { dealsFromRows, opportunitySoql, readAllSplits } from './deals-stream.js';
import { isoInstant, type SfRow } from './mapping.js';
import type { OrgContext } from './org-context.js';
import { commit, type StreamRun } from './stream-run.js';

/**
 * Bulk API 2.0 for the first sync of a large org: one query job instead of a REST page
 * per 2,000 rows, results read 2,000 at a time by locator, each page checkpointed with
 * the job id and locator. A job that dies resumes the same job's results (kept 7 days)
 * where it stopped; a job still running when the poll budget runs out is picked up by the
 * job runner's next attempt (jsforce's bulk2.query would throw JobPollingTimeoutError after
 * 30 s and start from scratch, while the job keeps running in the org).
 */
export interface BulkCursor {
  readonly jobId: string;
  readonly locator?: string | undefined;
  readonly maxSeen?: string | undefined;
  /** When Salesforce created the job (its snapshot): the incremental watermark after the backfill. */
  readonly createdDate?: string | undefined;
  readonly done?: boolean;
}

const RESULT_PAGE = 2_000;
const MAX_POLL_MS = 10 * 60_000;

interface JobInfo {
  readonly id: string;
  readonly state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  readonly errorMessage?: string;
  readonly numberRecordsProcessed?: number;
  readonly createdDate?: string;
}

export async function bulkBackfill(run: StreamRun, ctx: OrgContext, start: DealsCursor): Promise<{ pages: number; records: number; cursor: DealsCursor } | undefined> {
  if (start.bulk?.done) return undefined;
  const s = run.session;
  let cursor = start;
  if (!cursor.bulk) {
    const count = await queryFirstPage(s, 'SELECT COUNT() FROM Opportunity');
    if (count.totalSize <= run.config.bulkThreshold) return undefined;
    s.assertBudget();
    const job = await s.conn.request<JobInfo>({ method: 'POST', url: '/jobs/query', body: JSON.stringify({ operation: 'query', query: opportunitySoql(ctx, '', false) }), headers: { 'Content-Type': 'application/json' } });
    cursor = { ...cursor, bulk: { jobId: job.id, createdDate: job.createdDate ? isoInstant(job.createdDate) : undefined } };
    await commit(run, cursor, {}, false);
    run.deps.logger.info({ tenantId: run.tenantId, jobId: job.id, opportunities: count.totalSize }, 'salesforce bulk backfill started');
  }
  const bulk = cursor.bulk!;
  const started = Date.now();
  for (;;) {
    s.assertBudget();
    const info = await s.conn.request<JobInfo>(`/jobs/query/${bulk.jobId}`);
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      // Start over with a new job on the next attempt.
      await commit(run, { ...cursor, bulk: undefined }, {}, false);
      throw new Error(`Salesforce Bulk API 2.0 query job ${bulk.jobId} ${info.state.toLowerCase()}: ${info.errorMessage ?? 'no reason given'}; the next attempt starts a new job`);
    }
    if (Date.now() - started > MAX_POLL_MS) throw new Error(`Salesforce Bulk API 2.0 query job ${bulk.jobId} is still ${info.state} after ${MAX_POLL_MS / 60_000} minutes; the next attempt keeps waiting for the same job`);
    await sleep(run.bulkPollMs);
  }
  const allSplits = await readAllSplits(run, ctx);
  let locator = bulk.locator;
  let maxSeen = bulk.maxSeen;
  let pages = 0;
  let records = 0;
  for (;;) {
    s.assertBudget();
    const rows = await s.conn.request<SfRow[] | string>(`/jobs/query/${bulk.jobId}/results?maxRecords=${RESULT_PAGE}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`);
    const header = s.meter.lastHeaders['sforce-locator'];
    const next = header && header !== 'null' ? header : undefined;
    const list = Array.isArray(rows) ? rows : [];
    for (const r of list) {
      const ms = modstampMs(r);
      if (!maxSeen || ms > Date.parse(maxSeen)) maxSeen = new Date(ms).toISOString();
    }
    const deals = await dealsFromRows(run, ctx, list, allSplits);
    // After the backfill, the incremental window starts at the job's snapshot, not at the
    // newest row: after a mass update, every row shares the newest stamps and a lookback
    // from the newest row would re-read them all.
    cursor = next ? { ...cursor, bulk: { ...bulk, locator: next, maxSeen } } : { ...cursor, bulk: { jobId: bulk.jobId, done: true }, opps: { watermark: bulk.createdDate ?? maxSeen } };
    await commit(run, cursor, { deals }, !next);
    pages += 1;
    records += list.length;
    if (!next) break;
    locator = next;
  }
  return { pages, records, cursor };
}
