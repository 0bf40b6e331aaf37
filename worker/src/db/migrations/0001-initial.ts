import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * The system of record. Every table is keyed by tenant (a HubSpot portal or a Salesforce
 * org) first, so no query can reach across tenants without naming one. Money is
 * `numeric` (exact); calendar dates are `date`; CRM modification stamps are `timestamptz`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table tenants (
      id text primary key,
      name text not null,
      source text not null check (source in ('hubspot', 'salesforce', 'file')),
      external_id text not null,
      home_currency char(3) not null,
      fiscal_year_start_month smallint not null default 1 check (fiscal_year_start_month between 1 and 12),
      status text not null default 'active' check (status in ('active', 'disconnected')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (source, external_id)
    );

    -- OAuth tokens, encrypted with a key from the environment (AES-256-GCM); never stored in clear.
    create table crm_connections (
      tenant_id text not null references tenants(id),
      source text not null,
      access_token_enc text,
      refresh_token_enc text,
      token_expires_at timestamptz,
      scopes text[] not null default '{}',
      status text not null default 'connected' check (status in ('connected', 'revoked', 'error')),
      last_error text,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, source)
    );

    create table users (
      tenant_id text not null references tenants(id),
      id text not null,
      name text not null,
      email text,
      active boolean not null default true,
      start_date date,
      end_date date,
      pay_currency char(3) not null,
      source_modified_at timestamptz,
      data_hash text not null,
      deleted_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    );

    create table manager_links (
      tenant_id text not null references tenants(id),
      user_id text not null,
      manager_id text,
      valid_from date not null,
      valid_to date,
      primary key (tenant_id, user_id, valid_from)
    );

    create table teams (
      tenant_id text not null references tenants(id),
      id text not null,
      name text not null,
      manager_id text,
      data_hash text not null,
      primary key (tenant_id, id)
    );

    create table team_members (
      tenant_id text not null,
      team_id text not null,
      user_id text not null,
      valid_from date not null,
      valid_to date,
      primary key (tenant_id, team_id, user_id, valid_from),
      foreign key (tenant_id, team_id) references teams(tenant_id, id) on delete cascade
    );

    create table pipelines (
      tenant_id text not null references tenants(id),
      id text not null,
      name text not null,
      stages jsonb not null,
      data_hash text not null,
      deleted_at timestamptz,
      primary key (tenant_id, id)
    );

    create table deals (
      tenant_id text not null references tenants(id),
      id text not null,
      name text not null,
      pipeline_id text not null,
      stage_id text not null,
      amount numeric not null,
      currency char(3) not null,
      close_date date not null,
      created_date date not null,
      owner_id text not null,
      properties jsonb not null default '{}',
      stage_history jsonb not null default '[]',
      source_version text not null,
      source_modified_at timestamptz not null,
      data_hash text not null,
      deleted_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    );
    create index deals_by_owner on deals (tenant_id, owner_id, close_date);
    create index deals_by_close on deals (tenant_id, close_date);

    create table deal_splits (
      tenant_id text not null,
      deal_id text not null,
      user_id text not null,
      split_type text not null check (split_type in ('revenue', 'overlay')),
      percent numeric not null check (percent >= 0),
      primary key (tenant_id, deal_id, user_id, split_type),
      foreign key (tenant_id, deal_id) references deals(tenant_id, id) on delete cascade
    );
    create index deal_splits_by_user on deal_splits (tenant_id, user_id);

    create table activities (
      tenant_id text not null references tenants(id),
      id text not null,
      type text not null check (type in ('call', 'email', 'meeting', 'task')),
      status text not null check (status in ('completed', 'scheduled', 'canceled')),
      user_id text not null,
      deal_id text,
      occurred_at date not null,
      source_modified_at timestamptz not null,
      data_hash text not null,
      deleted_at timestamptz,
      primary key (tenant_id, id)
    );
    create index activities_by_user on activities (tenant_id, user_id, occurred_at);

    create table fx_rates (
      tenant_id text not null references tenants(id),
      from_currency char(3) not null,
      to_currency char(3) not null,
      rate_date date not null,
      source text not null,
      rate numeric not null check (rate > 0),
      primary key (tenant_id, from_currency, to_currency, rate_date, source)
    );

    create table sync_cursors (
      tenant_id text not null references tenants(id),
      source text not null,
      object text not null,
      phase text not null default 'initial' check (phase in ('initial', 'incremental')),
      cursor jsonb,
      last_error text,
      retry_after timestamptz,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, source, object)
    );

    -- Plans are immutable once saved: a change is a new version.
    create table plans (
      tenant_id text not null references tenants(id),
      plan_id text not null,
      version integer not null check (version > 0),
      document jsonb not null,
      effective_from date not null,
      effective_to date,
      created_by text not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, plan_id, version)
    );

    create table quotas (
      tenant_id text not null references tenants(id),
      id text not null,
      version integer not null check (version > 0),
      user_id text,
      team_id text,
      measure text not null,
      period_id text not null,
      target numeric not null check (target >= 0),
      currency char(3),
      phasing jsonb,
      effective_from date not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id, version),
      check ((user_id is null) <> (team_id is null))
    );

    create table periods (
      tenant_id text not null references tenants(id),
      period_id text not null,
      status text not null default 'open' check (status in ('open', 'calculated', 'approved', 'locked')),
      calculated_at timestamptz,
      approved_at timestamptz,
      approved_by text,
      locked_at timestamptz,
      locked_by text,
      primary key (tenant_id, period_id)
    );

    -- What each payee's statement was when its period was locked: never rewritten.
    create table locked_statements (
      tenant_id text not null,
      period_id text not null,
      payee_id text not null,
      statement jsonb not null,
      primary key (tenant_id, period_id, payee_id),
      foreign key (tenant_id, period_id) references periods(tenant_id, period_id)
    );

    -- The payout ledger is append-only. The current amount of a line is the sum of its
    -- entries; each recompute appends the difference. (tenant, payee, period, line, seq) is
    -- unique, so two writers racing on one line cannot both append entry n.
    create table payout_ledger (
      entry_id bigserial primary key,
      tenant_id text not null references tenants(id),
      payee_id text not null,
      period_id text not null,
      line_key text not null,
      seq integer not null check (seq > 0),
      kind text not null,
      amount numeric not null,
      line_amount numeric not null,
      currency char(3) not null,
      explanation text not null,
      provenance jsonb,
      cause text,
      run_id text not null,
      created_at timestamptz not null default now(),
      unique (tenant_id, payee_id, period_id, line_key, seq)
    );
    create index ledger_by_payee on payout_ledger (tenant_id, payee_id, period_id);

    create table statement_runs (
      tenant_id text not null references tenants(id),
      run_id text not null,
      trigger text not null,
      as_of date not null,
      payees integer not null,
      entries_written integer not null,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      primary key (tenant_id, run_id)
    );

    create table kpi_snapshots (
      tenant_id text not null references tenants(id),
      subject_type text not null check (subject_type in ('user', 'team')),
      subject_id text not null,
      period_id text not null,
      as_of date not null,
      kpis jsonb not null,
      computed_at timestamptz not null default now(),
      primary key (tenant_id, subject_type, subject_id, period_id)
    );

    create table coaching_prompts (
      tenant_id text not null references tenants(id),
      id text not null,
      rule text not null,
      manager_id text not null,
      rep_id text not null,
      deal_id text,
      period_id text not null,
      evidence jsonb not null,
      impact numeric not null,
      likelihood numeric not null,
      score numeric not null,
      status text not null default 'open' check (status in ('open', 'dismissed', 'actioned', 'resolved')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- A skip-level manager sees the same prompt as the first-line manager, each with their own status.
      primary key (tenant_id, manager_id, id)
    );

    create table coaching_tasks (
      tenant_id text not null references tenants(id),
      id text not null,
      prompt_id text,
      manager_id text not null,
      rep_id text not null,
      deal_id text,
      title text not null,
      body text not null,
      due_date date,
      status text not null default 'pending' check (status in ('pending', 'created', 'failed')),
      crm_task_id text,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id)
    );

    -- Webhook and change events, deduplicated by the source's event id.
    create table event_receipts (
      tenant_id text not null,
      source text not null,
      event_id text not null,
      received_at timestamptz not null default now(),
      payload jsonb not null,
      primary key (tenant_id, source, event_id)
    );

    create table audit_log (
      entry_id bigserial primary key,
      tenant_id text not null references tenants(id),
      actor text not null,
      action text not null,
      target text not null,
      details jsonb not null default '{}',
      at timestamptz not null default now()
    );
    create index audit_by_tenant on audit_log (tenant_id, at);
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop table audit_log, event_receipts, coaching_tasks, coaching_prompts, kpi_snapshots, statement_runs,
      payout_ledger, locked_statements, periods, quotas, plans, sync_cursors, fx_rates, activities, deal_splits,
      deals, pipelines, team_members, teams, manager_links, users, crm_connections, tenants cascade;
  `);
}
