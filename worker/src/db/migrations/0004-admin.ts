import { sql, type Kysely } from 'kysely';

/**
 * What the admin console needs: disputes raised on payout lines
 * (the rep's claimed input and the engine's recomputed answer, kept with their status), and
 * a fingerprint of the statements an admin approved, so a period is locked only with the
 * numbers that were approved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table disputes (
      tenant_id text not null references tenants(id),
      id text not null,
      payee_id text not null,
      period_id text not null,
      line_key text not null,
      claim jsonb not null,
      note text not null default '',
      result jsonb not null,
      status text not null default 'open' check (status in ('open', 'accepted', 'rejected')),
      resolution text,
      created_by text not null,
      created_at timestamptz not null default now(),
      resolved_by text,
      resolved_at timestamptz,
      primary key (tenant_id, id)
    )`.execute(db);
  await sql`create index disputes_by_period on disputes (tenant_id, period_id, payee_id)`.execute(db);
  await sql`
    create table period_approvals (
      tenant_id text not null references tenants(id),
      period_id text not null,
      fingerprint text not null,
      payees integer not null,
      approved_by text not null,
      approved_at timestamptz not null default now(),
      primary key (tenant_id, period_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists period_approvals`.execute(db);
  await sql`drop table if exists disputes`.execute(db);
}
