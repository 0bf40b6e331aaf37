import type { Deal } from '../../shared/src/domain/deals.js';
import { loadDeals, type Versioned } from '../../worker/src/db/records.js';
import { chunks, IN_CHUNK, modstampMs, queryAllRows, queryFirstPage, soqlDateTime, soqlIdList } from './api.js';
import { bulkBackfill, type BulkCursor } from './bulk-backfill.js';
import { bool, toDeal, type SfRow } from './mapping.js';
import { loadOrgContext, orgContextKnowingStages, type OrgContext } from './org-context.js';
import { pageWindow, type WindowCursor } from './paged-window.js';
import { reportSplitProblems } from './split-report.js';
import { commit, loadStreamCursor, type StreamRun } from './stream-run.js';

export interface DealsCursor {
  readonly opps?: WindowCursor;
  readonly splits?: { readonly watermark?: string | undefined };
  readonly bulk?: BulkCursor;
  /** When live ids were last compared with ours (deletions older than the Recycle Bin's 15 days). */
  readonly reconciledAt?: string;
}

const SPLIT_FIELDS = 'Id, OpportunityId, SplitOwnerId, SplitPercentage, SplitTypeId, IsDeleted, SystemModstamp';
/** The Recycle Bin (what queryAll sees as IsDeleted) keeps deleted rows 15 days; stay well inside it. */
const RECYCLE_BIN_SAFE_MS = 14 * 86_400_000;

export function opportunitySoql(ctx: OrgContext, where: string, order = true): string {
  return `SELECT ${ctx.opportunityFields.join(', ')} FROM Opportunity${where ? ` WHERE ${where}` : ''}${order ? ' ORDER BY SystemModstamp, Id' : ''}`;
}

/** The live splits of these opportunities, by opportunity id. */
export async function readSplits(run: StreamRun, ctx: OrgContext, oppIds: readonly string[]): Promise<Map<string, SfRow[]>> {
  const byOpp = new Map<string, SfRow[]>();
  if (!ctx.splitsEnabled || oppIds.length === 0) return byOpp;
  for (const ids of chunks(oppIds, IN_CHUNK)) {
    for (const row of await queryAllRows(run.session, `SELECT ${SPLIT_FIELDS} FROM OpportunitySplit WHERE OpportunityId IN ${soqlIdList(ids)}`)) {
      const id = String(row['OpportunityId']);
      const list = byOpp.get(id) ?? [];
      list.push(row);
      byOpp.set(id, list);
    }
  }
  return byOpp;
}

/**
 * Every live split of the org by opportunity, for reads of all opportunities (first sync,
 * bulk backfill): one paged query (a page per 2,000 splits) instead of an IN query per
 * 400 opportunities.
 */
export async function readAllSplits(run: StreamRun, ctx: OrgContext): Promise<Map<string, SfRow[]>> {
  const byOpp = new Map<string, SfRow[]>();
  if (!ctx.splitsEnabled) return byOpp;
  for (const row of await queryAllRows(run.session, `SELECT ${SPLIT_FIELDS} FROM OpportunitySplit`)) {
    const id = String(row['OpportunityId']);
    const list = byOpp.get(id);
    if (list) list.push(row);
    else byOpp.set(id, [row]);
  }
  return byOpp;
}

/** Opportunity rows (live or deleted) → versioned deals with their splits; reports revenue splits that don't total 100 %. */
export async function dealsFromRows(run: StreamRun, cached: OrgContext, rows: readonly SfRow[], allSplits?: ReadonlyMap<string, SfRow[]>): Promise<Versioned<Deal>[]> {
  // The stage list is cached: a stage added or renamed since it was read triggers one re-read before mapping.
  const ctx = await orgContextKnowingStages(run.session, run.orgCache, cached, rows.map((r) => String(r['StageName'] ?? '')), run.deps.logger);
  const live = rows.filter((r) => !bool(r['IsDeleted']));
  const splits = allSplits ?? (await readSplits(run, ctx, live.map((r) => r.Id)));
  const deals = rows.map((r) => toDeal(r, splits.get(r.Id) ?? [], ctx, bool(r['IsDeleted'])));
  await reportSplitProblems(run.deps.db, run.tenantId, deals.filter((d) => !d.deleted).map((d) => d.record), run.deps.logger);
  return deals;
}

/** Re-reads opportunities by id (CDC, split changes): deleted ones come back as tombstones via queryAll. */
export async function dealsByIds(run: StreamRun, ctx: OrgContext, ids: readonly string[]): Promise<Versioned<Deal>[]> {
  const out: Versioned<Deal>[] = [];
  for (const chunk of chunks([...new Set(ids)].sort(), IN_CHUNK)) {
    const rows = await queryAllRows(run.session, opportunitySoql(ctx, `Id IN ${soqlIdList(chunk)}`, false), { all: true });
    out.push(...(await dealsFromRows(run, ctx, rows)));
  }
  return out;
}

export async function syncDeals(run: StreamRun): Promise<{ pages: number; records: number }> {
  const ctx = await loadOrgContext(run.session, run.deps.db, run.orgCache);
  let cursor = await loadStreamCursor<DealsCursor>(run);
  if (run.full) cursor = {};
  let pages = 0;
  let records = 0;
  const firstRun = !cursor.opps?.watermark && !cursor.opps?.next;

  // Split changes don't touch Opportunity.SystemModstamp: remember where split history
  // stands before reading opportunities, so the next run picks up later split edits.
  if (firstRun && !cursor.splits?.watermark && ctx.splitsEnabled) {
    const latest = await queryFirstPage(run.session, 'SELECT Id, SystemModstamp FROM OpportunitySplit ORDER BY SystemModstamp DESC LIMIT 1', { all: true });
    const ms = latest.records[0] ? modstampMs(latest.records[0]) : 0;
    cursor = { ...cursor, splits: { watermark: new Date(ms).toISOString() } };
  }

  if (firstRun) {
    const bulk = await bulkBackfill(run, ctx, cursor);
    if (bulk) {
      pages += bulk.pages;
      records += bulk.records;
      cursor = bulk.cursor;
    }
  }

  const startedWith = cursor.opps?.watermark;
  // A window over every opportunity (first sync, or resuming one) reads all splits once.
  const unbounded = !cursor.opps?.watermark && (cursor.opps?.from ?? null) === null;
  const allSplits = unbounded ? await readAllSplits(run, ctx) : undefined;
  const window = await pageWindow(
    run.session,
    {
      soql: (fromMs) => opportunitySoql(ctx, fromMs === undefined ? '' : `SystemModstamp > ${soqlDateTime(fromMs)}`),
      all: true,
      lookbackMs: run.config.lookbackMs,
    },
    cursor.opps ?? {},
    false,
    async (rows, opps) => {
      const deals = await dealsFromRows(run, ctx, rows, allSplits);
      cursor = { ...cursor, opps };
      await commit(run, cursor, { deals }, opps.watermark !== undefined);
    },
  );
  pages += window.pages;
  records += window.records;

  if (!firstRun && ctx.splitsEnabled) {
    const split = await syncSplitChanges(run, ctx, cursor, (c) => (cursor = c));
    pages += split.pages;
    records += split.records;
  }

  const lastReconciled = Date.parse(cursor.reconciledAt ?? '') || 0;
  const gapMs = startedWith ? Date.now() - Date.parse(startedWith) : 0;
  if (!firstRun && (gapMs > RECYCLE_BIN_SAFE_MS || (lastReconciled > 0 && Date.now() - lastReconciled > RECYCLE_BIN_SAFE_MS))) {
    pages += await reconcileDeletions(run, cursor);
  } else if (firstRun) {
    cursor = { ...cursor, reconciledAt: new Date().toISOString() };
    await commit(run, cursor, {}, true);
  }
  return { pages, records };
}

/** Opportunities whose splits were added, edited or deleted since the split watermark are re-read whole. */
async function syncSplitChanges(run: StreamRun, ctx: OrgContext, cursor: DealsCursor, save: (c: DealsCursor) => void): Promise<{ pages: number; records: number }> {
  const mark = cursor.splits?.watermark;
  const fromMs = mark ? Date.parse(mark) - run.config.lookbackMs : undefined;
  const rows = await queryAllRows(run.session, `SELECT OpportunityId, SystemModstamp FROM OpportunitySplit${fromMs === undefined ? '' : ` WHERE SystemModstamp > ${soqlDateTime(fromMs)}`} ORDER BY SystemModstamp`, { all: true });
  let maxMs = mark ? Date.parse(mark) : 0;
  for (const r of rows) maxMs = Math.max(maxMs, modstampMs(r));
  const ids = [...new Set(rows.map((r) => String(r['OpportunityId'])))].sort();
  let pages = 0;
  let next: DealsCursor = cursor;
  const idChunks = chunks(ids, IN_CHUNK);
  for (let i = 0; i < idChunks.length; i++) {
    const deals = await dealsByIds(run, ctx, idChunks[i]!);
    next = i === idChunks.length - 1 ? { ...cursor, splits: { watermark: new Date(maxMs).toISOString() } } : cursor;
    await commit(run, next, { deals }, true);
    pages += 1;
  }
  if (idChunks.length === 0 && maxMs > 0 && mark !== new Date(maxMs).toISOString()) {
    next = { ...cursor, splits: { watermark: new Date(maxMs).toISOString() } };
    await commit(run, next, {}, true);
  }
  save(next);
  return { pages, records: ids.length };
}

/**
 * After a gap longer than the Recycle Bin keeps deleted rows (15 days), queryAll no longer
 * shows every deletion: compare the org's live opportunity ids with ours and tombstone the
 * ones that are gone. Costs one query page per 2,000 opportunities.
 */
async function reconcileDeletions(run: StreamRun, cursor: DealsCursor): Promise<number> {
  const live = new Set((await queryAllRows(run.session, 'SELECT Id FROM Opportunity')).map((r) => r.Id));
  const ours = await run.deps.db.selectFrom('deals').select('id').where('tenant_id', '=', run.tenantId).where('deleted_at', 'is', null).execute();
  const gone = ours.map((r) => r.id).filter((id) => !live.has(id));
  const now = new Date().toISOString();
  let pages = 0;
  const goneChunks = chunks(gone, 500);
  for (let i = 0; i < goneChunks.length; i++) {
    const existing = await loadDeals(run.deps.db, run.tenantId, goneChunks[i]!);
    const tombstones = [...existing.values()].map((record) => ({ record, modifiedAt: now, deleted: true }));
    await commit(run, i === goneChunks.length - 1 ? { ...cursor, reconciledAt: now } : cursor, { deals: tombstones }, true);
    pages += 1;
  }
  if (goneChunks.length === 0) await commit(run, { ...cursor, reconciledAt: now }, {}, true);
  run.deps.logger.info({ tenantId: run.tenantId, tombstoned: gone.length }, 'salesforce opportunity ids reconciled after a gap longer than the Recycle Bin retention');
  return pages;
}
