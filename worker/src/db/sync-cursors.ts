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
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`${tenantId}/${source}/${object}`}))`.execute(tx);
    const result = await write(tx);
    await tx
      .insertInto('sync_cursors')
      .values({ tenant_id: tenantId, source, object, phase: cursor.phase, cursor: JSON.stringify(cursor.cursor), last_error: null, retry_after: null })
      .onConflict((oc) => oc.columns(['tenant_id', 'source', 'object']).doUpdateSet({ phase: cursor.phase, cursor: JSON.stringify(cursor.cursor), last_error: null, retry_after: null, updated_at: sql`now()` }))
      .execute();
    return result;
  });
}
