import { sql, type Kysely } from 'kysely';

/**
 * When a tenant's synced data last changed in a way that asked for a recompute. Cards
 * compare it with the latest statement run's start to say "recalculating" exactly while
 * a recompute is owed — not merely because a sync page arrived that changed nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column data_changed_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants drop column data_changed_at`.execute(db);
}
