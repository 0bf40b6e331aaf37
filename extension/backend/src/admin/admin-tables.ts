import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db } from '../../../../worker/src/db/database.js';
import type { DatabaseSchema } from '../../../../worker/src/db/schema.js';

/** Row types of worker/src/db/migrations/0004-admin.ts, kept here so the worker's schema.ts stays the worker's. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamp the database fills in. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type DisputeStatus = 'open' | 'accepted' | 'rejected';

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
  created_at: CreatedAt;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

export interface PeriodApprovalsTable {
  tenant_id: string;
  period_id: string;
  fingerprint: string;
  payees: number;
  approved_by: string;
  approved_at: CreatedAt;
}

export type AdminTables = {
  disputes: DisputesTable;
  period_approvals: PeriodApprovalsTable;
};

export type AdminDb = Kysely<DatabaseSchema & AdminTables>;

export function adminDb(db: Db): AdminDb {
  return db.withTables<AdminTables>();
}

/** A timestamp column as JSON. (The worker's schema nests ColumnType in Generated, which Kysely does not unwrap on select.) */
export function isoTime(value: unknown): string {
  return new Date(value as Date).toISOString();
}
