import { queryFirstPage, queryNextPage, isFailure, modstampMs, type QueryPage } from './api.js';
import type { SfRow } from './mapping.js';
import type { SalesforceSession } from './session.js';

/**
 * One object's incremental position. `watermark` is the highest SystemModstamp fully
 * synced; while a window is being paged, `next` is the nextRecordsUrl of the page after the
 * last committed one, so a job that dies resumes at the next page instead of the first.
 */
export interface WindowCursor {
  readonly watermark?: string | undefined;
  /** Lower bound (ISO) of the window being paged; null = everything. */
  readonly from?: string | null | undefined;
  readonly next?: string | undefined;
  readonly maxSeen?: string | undefined;
}

export interface WindowSpec {
  /** The SOQL for rows modified at or after `fromMs` (undefined: all rows), ordered by SystemModstamp. */
  soql(fromMs: number | undefined): string;
  /** queryAll: include soft-deleted (IsDeleted) and archived rows. */
  readonly all: boolean;
  readonly lookbackMs: number;
}

/**
 * Pages through one window, calling `onPage` with each page and the cursor to store with
 * it (in the same transaction). An expired query locator (15 minutes idle, or the org's
 * limit of open locators) restarts the window from its lower bound: rows read twice are
 * no-op upserts.
 */
export async function pageWindow(s: SalesforceSession, spec: WindowSpec, start: WindowCursor, full: boolean, onPage: (rows: SfRow[], cursor: WindowCursor) => Promise<void>): Promise<{ pages: number; records: number; cursor: WindowCursor }> {
  const from = start.next ? (start.from ?? null) : full || !start.watermark ? null : new Date(Date.parse(start.watermark) - spec.lookbackMs).toISOString();
  const fromMs = from === null ? undefined : Date.parse(from);
  let maxSeen = start.next ? start.maxSeen : undefined;
  let page: QueryPage;
  if (start.next) {
    try {
      page = await queryNextPage(s, start.next);
    } catch (err) {
      if (!isFailure(err, 'locator-expired')) throw err;
      maxSeen = undefined;
      page = await queryFirstPage(s, spec.soql(fromMs), { all: spec.all });
    }
  } else {
    page = await queryFirstPage(s, spec.soql(fromMs), { all: spec.all });
  }
  let pages = 0;
  let records = 0;
  let cursor: WindowCursor = start;
  for (;;) {
    for (const r of page.records) {
      const ms = modstampMs(r);
      if (maxSeen === undefined || ms > Date.parse(maxSeen)) maxSeen = new Date(ms).toISOString();
    }
    const done = page.done || !page.nextRecordsUrl;
    cursor = done ? { watermark: maxSeen ?? (full ? undefined : start.watermark) ?? start.watermark } : { watermark: start.watermark, from, next: page.nextRecordsUrl, maxSeen };
    await onPage(page.records, cursor);
    pages += 1;
    records += page.records.length;
    if (done) break;
    page = await queryNextPage(s, page.nextRecordsUrl!);
  }
  return { pages, records, cursor };
}
