import { sql, type Kysely } from 'kysely';

/**
 * A sync cursor's `updated_at` was what cards show as "last synced", but a failure before
 * an object's first page committed also creates its row (to record the error and any
 * pause), which then read as a sync at the time of the failure. The column is now
 * `synced_at`, set only when a page commits and empty until one has; rows that only ever
 * recorded a failure (no cursor yet, still in the initial phase) are emptied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sync_cursors rename column updated_at to synced_at`.execute(db);
  await sql`alter table sync_cursors alter column synced_at drop not null`.execute(db);
  await sql`update sync_cursors set synced_at = null where cursor is null and phase = 'initial' and last_error is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update sync_cursors set synced_at = now() where synced_at is null`.execute(db);
  await sql`alter table sync_cursors alter column synced_at set not null`.execute(db);
  await sql`alter table sync_cursors rename column synced_at to updated_at`.execute(db);
}
