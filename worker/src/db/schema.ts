import type { ColumnType, Generated } from 'kysely';

/**
 * Row types as the database returns them (see migrations/0001-initial.ts). `numeric`
 * comes back as a string and is parsed into a Decimal at the repository boundary;
 * `date` comes back as 'YYYY-MM-DD'.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type Numeric = ColumnType<string, string, string>;

export interface TenantsTable {
  id: string;
  name: string;
  source: 'hubspot' | 'salesforce' | 'file';
  external_id: string;
  home_currency: string;
  fiscal_year_start_month: Generated<number>;
  status: Generated<'active' | 'disconnected'>;
  created_at: Generated<Timestamp>;
  data_changed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Moved by one in the transaction of every plan save, quota version import and period lock: what the admin console's cache checks (migration 0007). */
  admin_state_version: Generated<number>;
  updated_at: Generated<Timestamp>;
}

export interface CrmConnectionsTable {
  tenant_id: string;
  source: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  token_expires_at: Timestamp | null;
  scopes: Generated<string[]>;
  status: Generated<'connected' | 'revoked' | 'error'>;
  last_error: string | null;
  settings: ColumnType<Record<string, string>, string | undefined, string>;
  updated_at: Generated<Timestamp>;
}

export interface OAuthStatesTable {
  state: string;
  source: 'hubspot' | 'salesforce';
  code_verifier_enc: string | null;
  login_url: string | null;
  return_to: string | null;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  name: string;
  email: string | null;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
  pay_currency: string;
  source_modified_at: Timestamp | null;
  data_hash: string;
  deleted_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
}

export interface ManagerLinksTable {
  tenant_id: string;
  user_id: string;
  manager_id: string | null;
  valid_from: string;
  valid_to: string | null;
}

export interface TeamsTable {
  tenant_id: string;
  id: string;
  name: string;
  manager_id: string | null;
  data_hash: string;
}

export interface TeamMembersTable {
  tenant_id: string;
  team_id: string;
  user_id: string;
  valid_from: string;
  valid_to: string | null;
}

export interface StageJson {
  id: string;
  name: string;
  probability: string;
  outcome: 'open' | 'won' | 'lost';
}

export interface PipelinesTable {
  tenant_id: string;
  id: string;
  name: string;
  stages: Json<StageJson[]>;
  data_hash: string;
  deleted_at: Timestamp | null;
}

export interface DealsTable {
  tenant_id: string;
  id: string;
  name: string;
  pipeline_id: string;
  stage_id: string;
  amount: Numeric;
  currency: string;
  close_date: string;
  created_date: string;
  owner_id: string;
  properties: Json<Record<string, string>>;
  stage_history: Json<Array<{ stageId: string; enteredAt: string }>>;
  source_version: string;
  source_modified_at: Timestamp;
  data_hash: string;
  deleted_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
}

export interface DealSplitsTable {
  tenant_id: string;
  deal_id: string;
  user_id: string;
  split_type: 'revenue' | 'overlay';
  percent: Numeric;
}

export interface ActivitiesTable {
  tenant_id: string;
  id: string;
  type: 'call' | 'email' | 'meeting' | 'task';
  status: 'completed' | 'scheduled' | 'canceled';
  user_id: string;
  deal_id: string | null;
  occurred_at: string;
  source_modified_at: Timestamp;
  data_hash: string;
  deleted_at: Timestamp | null;
}

export interface FxRatesTable {
  tenant_id: string;
  from_currency: string;
  to_currency: string;
  rate_date: string;
  source: string;
  rate: Numeric;
}

export interface SyncCursorsTable {
  tenant_id: string;
  source: string;
  object: string;
  phase: Generated<'initial' | 'incremental'>;
  cursor: Json<unknown> | null;
  last_error: string | null;
  retry_after: Timestamp | null;
  /** When a page of the object last committed; null until one has (a row may record only a failure). */
  synced_at: Generated<Timestamp | null>;
}

export interface PlansTable {
  tenant_id: string;
  plan_id: string;
  version: number;
  document: Json<unknown>;
  effective_from: string;
  effective_to: string | null;
  created_by: string;
  created_at: Generated<Timestamp>;
}

export interface QuotasTable {
  tenant_id: string;
  id: string;
  version: number;
  user_id: string | null;
  team_id: string | null;
  measure: string;
  period_id: string;
  target: Numeric;
  currency: string | null;
  phasing: Json<Record<string, string>> | null;
  effective_from: string;
  created_at: Generated<Timestamp>;
}

export type PeriodStatus = 'open' | 'calculated' | 'approved' | 'locked';

export interface PeriodsTable {
  tenant_id: string;
  period_id: string;
  status: Generated<PeriodStatus>;
  calculated_at: Timestamp | null;
  approved_at: Timestamp | null;
  approved_by: string | null;
  locked_at: Timestamp | null;
  locked_by: string | null;
}

export interface LockedStatementsTable {
  tenant_id: string;
  period_id: string;
  payee_id: string;
  statement: Json<unknown>;
}

export interface PayoutLedgerTable {
  entry_id: Generated<number>;
  tenant_id: string;
  payee_id: string;
  period_id: string;
  line_key: string;
  seq: number;
  kind: string;
  /** This entry's change to the line. */
  amount: Numeric;
  /** The line's amount after this entry (the running sum), for fast reads. */
  line_amount: Numeric;
  currency: string;
  explanation: string;
  provenance: Json<unknown> | null;
  cause: string | null;
  run_id: string;
  created_at: Generated<Timestamp>;
}

export interface StatementRunsTable {
  tenant_id: string;
  run_id: string;
  trigger: string;
  as_of: string;
  payees: number;
  entries_written: number;
  started_at: Timestamp;
  finished_at: Timestamp;
}

export interface KpiSnapshotsTable {
  tenant_id: string;
  subject_type: 'user' | 'team';
  subject_id: string;
  period_id: string;
  as_of: string;
  kpis: Json<unknown>;
  computed_at: Generated<Timestamp>;
}

export interface CoachingPromptsTable {
  tenant_id: string;
  id: string;
  rule: string;
  manager_id: string;
  rep_id: string;
  deal_id: string | null;
  period_id: string;
  evidence: Json<unknown>;
  impact: Numeric;
  likelihood: Numeric;
  score: Numeric;
  status: Generated<'open' | 'dismissed' | 'actioned' | 'resolved'>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface CoachingTasksTable {
  tenant_id: string;
  id: string;
  prompt_id: string | null;
  manager_id: string;
  rep_id: string;
  deal_id: string | null;
  title: string;
  body: string;
  due_date: string | null;
  status: Generated<'pending' | 'created' | 'failed'>;
  crm_task_id: string | null;
  last_error: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface EventReceiptsTable {
  tenant_id: string;
  source: string;
  event_id: string;
  received_at: Generated<Timestamp>;
  payload: Json<unknown>;
}

export interface AuditLogTable {
  entry_id: Generated<number>;
  tenant_id: string;
  actor: string;
  action: string;
  target: string;
  details: Json<unknown>;
  at: Generated<Timestamp>;
}

export interface CardApiCredentialsTable {
  tenant_id: string;
  id: string;
  /** SHA-256 (hex) of the secret part; the secret itself is shown once and never stored. */
  secret_hash: string;
  label: string;
  created_by: string;
  created_at: Generated<Timestamp>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface TenantRolesTable {
  tenant_id: string;
  user_id: string;
  role: 'admin';
  granted_by: string;
  granted_at: Generated<Timestamp>;
}

export interface CardApiIdempotencyTable {
  tenant_id: string;
  actor: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  created_at: Generated<Timestamp>;
}

export type DisputeStatus = 'open' | 'accepted' | 'rejected';

/** A rep's dispute of a payout line: their claimed input and the engine's answer on it (migration 0004). */
export interface DisputesTable {
  tenant_id: string;
  id: string;
  payee_id: string;
  period_id: string;
  line_key: string;
  claim: Json<unknown>;
  note: Generated<string>;
  result: Json<unknown>;
  status: Generated<DisputeStatus>;
  resolution: string | null;
  created_by: string;
  /** Filled in by the database; not wrapped in Generated so a select reads a Date. */
  created_at: Timestamp;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

/** The fingerprint of the statements an admin approved: a period locks only with those numbers (migration 0004). */
export interface PeriodApprovalsTable {
  tenant_id: string;
  period_id: string;
  fingerprint: string;
  payees: number;
  approved_by: string;
  approved_at: Timestamp;
}

export interface DatabaseSchema {
  tenants: TenantsTable;
  crm_connections: CrmConnectionsTable;
  oauth_states: OAuthStatesTable;
  users: UsersTable;
  manager_links: ManagerLinksTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  pipelines: PipelinesTable;
  deals: DealsTable;
  deal_splits: DealSplitsTable;
  activities: ActivitiesTable;
  fx_rates: FxRatesTable;
  sync_cursors: SyncCursorsTable;
  plans: PlansTable;
  quotas: QuotasTable;
  periods: PeriodsTable;
  locked_statements: LockedStatementsTable;
  payout_ledger: PayoutLedgerTable;
  statement_runs: StatementRunsTable;
  kpi_snapshots: KpiSnapshotsTable;
  coaching_prompts: CoachingPromptsTable;
  coaching_tasks: CoachingTasksTable;
  event_receipts: EventReceiptsTable;
  audit_log: AuditLogTable;
  card_api_credentials: CardApiCredentialsTable;
  tenant_roles: TenantRolesTable;
  card_api_idempotency: CardApiIdempotencyTable;
  disputes: DisputesTable;
  period_approvals: PeriodApprovalsTable;
}
