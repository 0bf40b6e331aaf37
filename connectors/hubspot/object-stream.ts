import type { FilterOperatorEnum, PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { writeSyncPage, type CanonicalPage } from '../core/sync-sink.js';
import { readCursor, type SyncCursor } from '../../worker/src/db/sync-cursors.js';
import { compareIds } from './map-activity.js';
import { modifiedAtMs, parseInstant, type HsObject } from './hubspot-values.js';
import { checkAborted, type StreamResult, type SyncEnv } from './sync-env.js';

/**
 * One CRM object type synced in three phases, all resumable from the cursor committed
 * with each page:
 *
 * 1. initial: the list API (GET /crm/v3/objects/{type}?after=…), 100 per page. The list
 *    API has no 10,000 cap and does not count against the search limit.
 * 2. incremental: the search API on hs_lastmodifieddate, keyset-paged. Every page is a
 *    FRESH query "modified ≥ since", sorted ascending, 200 results; `since` then moves
 *    to the last timestamp seen. No query ever pages past 200, so search's 10,000-result
 *    cap cannot bite, whatever the window holds. When a whole page shares one timestamp
 *    (a bulk import), the stream splits that instant off and walks it by hs_object_id.
 * 3. deletions: the archived listing (archived=true), swept after each incremental pass;
 *    search never returns archived records, so deletes are only visible here.
 */
export interface ObjectStreamSpec {
  /** The cursor's name (the sync-object job's `object`). */
  readonly object: string;
  /** HubSpot's object type in URLs. */
  readonly objectType: string;
  readonly properties: readonly string[];
  /** Maps a page of HubSpot objects (live or archived) into canonical records. */
  toPage(objects: readonly HsObject[], archived: boolean): Promise<{ page: CanonicalPage; problems: string[] }>;
}

export type StreamCursor =
  | { readonly phase: 'initial'; readonly after: string | null; readonly startedAt: number }
  | {
      readonly phase: 'incremental';
      /** Everything modified before this instant (ms) is synced. */
      readonly since: number;
      /** Within the instant `since`, ids up to this one are synced (a split-off instant); null when not splitting. */
      readonly tieAfterId: string | null;
      /** Archived records older than this were swept already. */
      readonly archivedSince: number;
      /** Paging position of a deletion sweep in progress. */
      readonly archivedAfter: string | null;
      readonly sweepStartedAt: number | null;
    };

export const LIST_PAGE_SIZE = 100;
export const SEARCH_PAGE_SIZE = 200;
/**
 * Search is eventually consistent: a record modified just before a query may be indexed
 * just after it. Each pass ends with `since` pulled back this far, so the next pass
 * re-reads the last minute (a no-op upsert for records already stored).
 */
export const SEARCH_INDEX_LAG_MS = 60_000;

function toSyncCursor(c: StreamCursor): SyncCursor {
  return { phase: c.phase, cursor: c };
}

export async function syncObjectStream(spec: ObjectStreamSpec, env: SyncEnv, mode: 'incremental' | 'full'): Promise<StreamResult> {
  const stored = mode === 'full' ? undefined : await readCursor(env.db, env.tenantId, 'hubspot', spec.object);
  let cursor: StreamCursor = (stored?.cursor as StreamCursor | undefined) ?? { phase: 'initial', after: null, startedAt: env.now() };
  const result: StreamResult = { pages: 0, records: 0, skipped: 0 };
  const passStartedAt = env.now();

  const commit = async (next: StreamCursor, objects: readonly HsObject[], archived: boolean) => {
    const { page, problems } = await spec.toPage(objects, archived);
    await writeSyncPage({ db: env.db, enqueue: env.enqueue }, { tenantId: env.tenantId, source: 'hubspot', object: spec.object }, toSyncCursor(next), page, env.cause);
    for (const problem of problems.slice(0, 20)) env.logger.warn({ tenantId: env.tenantId, object: spec.object }, problem);
    result.pages++;
    result.records += objects.length - problems.length;
    result.skipped += problems.length;
    cursor = next;
  };

  if (cursor.phase === 'initial') return initialSweep(spec, env, cursor, commit, result);

  // Incremental pass.
  for (;;) {
    checkAborted(env.signal);
    const c = cursor as Extract<StreamCursor, { phase: 'incremental' }>;
    if (c.sweepStartedAt !== null) break;
    const request = c.tieAfterId === null ? modifiedSince(spec, c.since) : withinInstant(spec, c.since, c.tieAfterId);
    const page = await env.gateway.call('search', `searching ${spec.objectType} modified since ${new Date(c.since).toISOString()}`, (client) => client.crm.objects.searchApi.doSearch(spec.objectType, request));
    const objects = page.results;
    const full = objects.length >= SEARCH_PAGE_SIZE;
    let next: StreamCursor;
    if (c.tieAfterId !== null) {
      const lastId = objects.map((o) => o.id).sort(compareIds).at(-1) ?? c.tieAfterId;
      next = full ? { ...c, tieAfterId: lastId } : { ...c, since: c.since + 1, tieAfterId: null };
    } else {
      const times = objects.map((o) => modifiedAtMs(o)).filter((t): t is number => t !== undefined);
      const last = times.length > 0 ? Math.max(...times) : c.since;
      if (full && last === c.since) {
        // A whole page at one instant: walk that instant by id instead (nothing is committed twice, nothing skipped).
        next = { ...c, tieAfterId: '0' };
        cursor = next;
        continue;
      }
      next = { ...c, since: full ? last : Math.max(c.since, Math.min(last, passStartedAt - SEARCH_INDEX_LAG_MS)) };
    }
    if (!full && c.tieAfterId === null) next = { ...(next as typeof c), sweepStartedAt: env.now(), archivedAfter: null };
    await commit(next, objects, false);
    if (!full && c.tieAfterId === null) break;
  }

  // Deletion sweep.
  for (;;) {
    checkAborted(env.signal);
    const c = cursor as Extract<StreamCursor, { phase: 'incremental' }>;
    const page = await env.gateway.call('general', `listing archived ${spec.objectType}`, (client) =>
      client.crm.objects.basicApi.getPage(spec.objectType, LIST_PAGE_SIZE, c.archivedAfter ?? undefined, [...spec.properties], undefined, undefined, true),
    );
    const fresh = page.results.filter((o) => (parseInstant(o.archivedAt) ?? Number.MAX_SAFE_INTEGER) >= c.archivedSince);
    const next = page.paging?.next?.after;
    const done = next === undefined;
    const sweepStart = c.sweepStartedAt ?? env.now();
    await commit(done ? { ...c, archivedAfter: null, sweepStartedAt: null, archivedSince: sweepStart - SEARCH_INDEX_LAG_MS } : { ...c, archivedAfter: next }, fresh, true);
    if (done) return result;
  }
}

/** Pages fetched ahead of the database: bounds memory (5 × 100 records) whatever the portal's size. */
export const MAX_BUFFERED_PAGES = 5;

/**
 * The first sweep through the list API. Fetching runs ahead of writing: pages are
 * requested as fast as the rate limit allows while earlier ones are written, and each
 * commit takes every page that arrived meanwhile (with the cursor of the last one). So a
 * slow database makes commits bigger instead of leaving the rate budget unused, and
 * every committed record still moves forward with its cursor in one transaction.
 */
async function initialSweep(
  spec: ObjectStreamSpec,
  env: SyncEnv,
  start: Extract<StreamCursor, { phase: 'initial' }>,
  commit: (next: StreamCursor, objects: readonly HsObject[], archived: boolean) => Promise<void>,
  result: StreamResult,
): Promise<StreamResult> {
  const { startedAt } = start;
  const list = (after: string | null) =>
    env.gateway.call('general', `listing ${spec.objectType}`, (c) => c.crm.objects.basicApi.getPage(spec.objectType, LIST_PAGE_SIZE, after ?? undefined, [...spec.properties], undefined, undefined, false));
  const buffer: Array<{ readonly results: readonly HsObject[]; readonly next: string | undefined }> = [];
  let fetching = true;
  let stopped = false;
  let fetchError: unknown;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const producer = (async () => {
    let after = start.after;
    try {
      while (!stopped) {
        while (buffer.length >= MAX_BUFFERED_PAGES && !stopped) await new Promise<void>((resolve) => (wakeProducer = resolve));
        if (stopped) break;
        const page = await list(after);
        const next = page.paging?.next?.after;
        buffer.push({ results: page.results, next });
        wakeConsumer?.();
        if (!next) break;
        after = next;
      }
    } catch (error) {
      fetchError = error;
    } finally {
      fetching = false;
      wakeConsumer?.();
    }
  })();
  try {
    for (;;) {
      checkAborted(env.signal);
      if (buffer.length === 0) {
        if (!fetching) {
          if (fetchError !== undefined) throw fetchError;
          return result;
        }
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        wakeConsumer = undefined;
        continue;
      }
      const batch = buffer.splice(0);
      wakeProducer?.();
      wakeProducer = undefined;
      const last = batch.at(-1)!;
      // Changes made while the initial sweep ran are picked up by the first incremental pass.
      const done: StreamCursor = { phase: 'incremental', since: startedAt - SEARCH_INDEX_LAG_MS, tieAfterId: null, archivedSince: startedAt - SEARCH_INDEX_LAG_MS, archivedAfter: null, sweepStartedAt: null };
      await commit(last.next ? { phase: 'initial', after: last.next, startedAt } : done, batch.flatMap((p) => p.results), false);
      if (!last.next) return result;
    }
  } finally {
    stopped = true;
    wakeProducer?.();
    await producer;
  }
}

function modifiedSince(spec: ObjectStreamSpec, since: number): PublicObjectSearchRequest {
  return {
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE' as FilterOperatorEnum, value: String(since) }] }],
    sorts: ['hs_lastmodifieddate'],
    properties: [...spec.properties],
    limit: SEARCH_PAGE_SIZE,
    after: '0',
  };
}

function withinInstant(spec: ObjectStreamSpec, instant: number, afterId: string): PublicObjectSearchRequest {
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: 'hs_lastmodifieddate', operator: 'EQ' as FilterOperatorEnum, value: String(instant) },
          { propertyName: 'hs_object_id', operator: 'GT' as FilterOperatorEnum, value: afterId },
        ],
      },
    ],
    sorts: ['hs_object_id'],
    properties: [...spec.properties],
    limit: SEARCH_PAGE_SIZE,
    after: '0',
  };
}
