import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * What the card API needs: the per-org credentials Salesforce's Named Credential sends
 * (only a SHA-256 of the secret is kept: the secret is 256 random bits, so a slow hash
 * adds nothing), explicit admin grants (reps and managers follow from the data, admins
 * do not), the responses of idempotent card actions keyed by the client's key, and an
 * index so "the latest statement run" (the card cache's version) is one index probe.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table card_api_credentials (
      tenant_id text not null references tenants(id),
      id text not null,
      secret_hash text not null,
      label text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      primary key (id)
    );
    create index card_api_credentials_by_tenant on card_api_credentials (tenant_id);

    create table tenant_roles (
      tenant_id text not null references tenants(id),
      user_id text not null,
      role text not null check (role in ('admin')),
      granted_by text not null,
      granted_at timestamptz not null default now(),
      primary key (tenant_id, user_id, role)
    );

    create table card_api_idempotency (
      tenant_id text not null references tenants(id),
      actor text not null,
      key text not null,
      request_hash text not null,
      status_code integer not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, actor, key)
    );

    create index statement_runs_latest on statement_runs (tenant_id, finished_at desc);
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop index statement_runs_latest;
    drop table card_api_idempotency, tenant_roles, card_api_credentials;
  `);
}
