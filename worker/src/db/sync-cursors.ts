import { sql, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { DatabaseSchema } from './schema.js';

export interface SyncCursor {
  readonly phase: 'initial' | 'incremental';
  readonly cursor: unknown;
}

export async function readCursor(db: Db, tenantId: string, source: string, object: string): Promise<SyncCursor | undefined> {
  const row = await db.selectFrom('sync_cursors').select(['phase', 'cursor']).where('tenant_id', '=', tenantId).where('source', '=', source).where('object', '=', object).executeTakeFirst();
  return row && { phase: row.phase, cursor: row.cursor };
}

/**
 * Writes one page of records and moves its cursor in the same transaction, so a crash
 * between the two can neither skip the page (cursor ahead of data) nor lose the cursor
 * (data without progress: harmless, the upserts are idempotent, but wasteful). Pages of
 * one object are serialised per tenant with an advisory lock.
 */
export async function commitPage<R>(db: Db, tenantId: string, source: string, object: string, cursor: SyncCursor, write: (tx: Transaction<DatabaseSchema>) => Promise<R>): Promise<R> {
  return moveCursor(db, tenantId, source, object, cursor, write, true);
}

/**
 * Stores how far a stream of change notices was read (Salesforce CDC replay ids) without a
 * page of records: the notices are applied later by their own job, which commits pages.
 * So it leaves synced_at, which cards show as when records last arrived.
 */
export async function savePosition(db: Db, tenantId: string, source: string, object: string, cursor: SyncCursor): Promise<void> {
  await moveCursor(db, tenantId, source, object, cursor, async () => undefined, false);
}

async function moveCursor<R>(db: Db, tenantId: string, source: string, object: string, cursor: SyncCursor, write: (tx: Transaction<DatabaseSchema>) => Promise<R>, synced: boolean): Promise<R> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`${tenantId}/${source}/${object}`}))`.execute(tx);
    const result = await write(tx);
    const moved = { phase: cursor.phase, cursor: JSON.stringify(cursor.cursor), last_error: null, retry_after: null };
    await tx
      .insertInto('sync_cursors')
      .values({ tenant_id: tenantId, source, object, ...moved, ...(synced ? {} : { synced_at: null }) })
      .onConflict((oc) => oc.columns(['tenant_id', 'source', 'object']).doUpdateSet({ ...moved, ...(synced ? { synced_at: sql`now()` } : {}) }))
      .execute();
    return result;
  });
}

/**
 * Records why a sync of one object failed, and (`retryAfter`) that it must not run again
 * before then (e.g. the CRM's daily API allocation ran out). An upsert: a failure before
 * the first page committed has no cursor row yet, and the pause must still be recorded.
 * Such a row starts in the initial phase with no cursor, which is what a missing row means
 * to readCursor's callers, and no synced_at: nothing has synced. Without `retryAfter` an
 * existing pause is left as it is; synced_at is left alone on an existing row.
 */
export async function recordSyncFailure(db: Db, tenantId: string, source: string, object: string, message: string, retryAfter?: Date): Promise<void> {
  const lastError = message.slice(0, 2_000);
  await db
    .insertInto('sync_cursors')
    .values({ tenant_id: tenantId, source, object, cursor: null, last_error: lastError, retry_after: retryAfter ?? null, synced_at: null })
    .onConflict((oc) => oc.columns(['tenant_id', 'source', 'object']).doUpdateSet({ last_error: lastError, ...(retryAfter ? { retry_after: retryAfter } : {}) }))
    .execute();
}

/** The time before which syncing this object stays paused, if that is later than `now`. */
export async function syncPausedUntil(db: Db, tenantId: string, source: string, object: string, now: Date): Promise<Date | undefined> {
  const row = await db.selectFrom('sync_cursors').select('retry_after').where('tenant_id', '=', tenantId).where('source', '=', source).where('object', '=', object).executeTakeFirst();
  return pausedUntil(row?.retry_after ?? null, now);
}

/** A row's recorded pause (retry_after), if it is still running at `now`. */
export function pausedUntil(retryAfter: Date | string | null | undefined, now: Date): Date | undefined {
  const until = retryAfter ? new Date(retryAfter) : undefined;
  return until && until.getTime() > now.getTime() ? until : undefined;
}

/**
 * Which of `objects` have been attempted for the tenant: they have a cursor row (a
 * committed page, a recorded failure, or a run that found nothing to write).
 */
export async function attemptedObjects(db: Db, tenantId: string, source: string, objects: readonly string[]): Promise<Set<string>> {
  if (objects.length === 0) return new Set();
  const rows = await db.selectFrom('sync_cursors').select('object').where('tenant_id', '=', tenantId).where('source', '=', source).where('object', 'in', [...objects]).execute();
  return new Set(rows.map((r) => r.object));
}

/**
 * Records that a run of this object succeeded, so it counts as attempted even when it wrote
 * no page (e.g. a feature the org does not have). A new row has no cursor (what a missing
 * row means to readCursor's callers) and no synced_at. On an existing row it clears a
 * failure recorded before it (last_error, and an expired pause), so cards stop reporting the
 * object as failing, and it leaves the cursor and synced_at (no page committed). A row that
 * never had a cursor (only failures were recorded) leaves the initial phase: its first sync
 * is done, with nothing to write, and cards must not show it as still running. A pause still
 * running at `now` (the job's clock) is kept with its error: the handler skips runs inside a
 * pause, but one that started just before another recorded it proves nothing about it.
 */
export async function recordSyncAttempt(db: Db, tenantId: string, source: string, object: string, now: Date): Promise<void> {
  await db
    .insertInto('sync_cursors')
    .values({ tenant_id: tenantId, source, object, phase: 'incremental', cursor: null, last_error: null, retry_after: null, synced_at: null })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'source', 'object'])
        .doUpdateSet({ last_error: null, retry_after: null, phase: sql<'initial' | 'incremental'>`case when sync_cursors.cursor is null then 'incremental' else sync_cursors.phase end` })
        .where((eb) => eb.or([eb('sync_cursors.retry_after', 'is', null), eb('sync_cursors.retry_after', '<=', now)])),
    )
    .execute();
}
