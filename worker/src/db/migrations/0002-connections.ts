import { sql, type Kysely } from 'kysely';

/**
 * What the CRM connectors need beyond the initial schema: non-secret connection settings
 * (Salesforce instance URL, HubSpot app id…), the OAuth `state` values of installs in
 * flight (CSRF protection, and the PKCE verifier Salesforce's flow needs, encrypted), and
 * the external ids a rep is known by in the CRM user directory vs the owner list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table crm_connections add column settings jsonb not null default '{}'::jsonb`.execute(db);
  await sql`
    create table oauth_states (
      state text primary key,
      source text not null check (source in ('hubspot', 'salesforce')),
      code_verifier_enc text,
      login_url text,
      return_to text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table oauth_states`.execute(db);
  await sql`alter table crm_connections drop column settings`.execute(db);
}
