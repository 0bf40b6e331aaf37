import { sql, type Kysely } from 'kysely';

/**
 * The admin console re-checks a tenant's current state on every request. It used to count
 * the tenant's plan, quota and locked-period rows each time, a walk that grows with quota
 * history (one row per person, period and version). `admin_state_version` replaces the
 * counts: every write of a plan, a quota version or a period lock adds one to it in its own
 * transaction (worker/src/db/plans.ts, quotas.ts, periods.ts), so the check reads one
 * tenant row by its primary key. Existing tenants start at 0: a process that cached a
 * tenant before this migration reloads it once, because the version's form changed with it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column admin_state_version bigint not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants drop column admin_state_version`.execute(db);
}
