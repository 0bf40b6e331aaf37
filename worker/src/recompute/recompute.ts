import { randomUUID } from 'node:crypto';
import type { UserId } from '../../../shared/src/domain/ids.js';
import { runStatements } from '../../../shared/src/engine/run.js';
import type { EngineException, Statement } from '../../../shared/src/engine/statement.js';
import { indexTenant } from '../../../shared/src/engine/tenant-index.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { periodContaining } from '../../../shared/src/time/period.js';
import type { Db } from '../db/database.js';
import { loadDataset } from '../db/dataset-loader.js';
import { loadLockedPeriods } from '../db/periods.js';
import { loadPlans } from '../db/plans.js';
import { lockTenantLedger, writeStatements, type WrittenEntry } from '../ledger/payout-ledger.js';

export interface RecomputeRequest {
  readonly tenantId: string;
  /** The business date the numbers are as of (the worker's clock, or a test's). */
  readonly asOf: IsoDate;
  /** Only these payees; undefined recomputes everyone (reconcile, plan or quota change). */
  readonly payees?: readonly string[] | undefined;
  readonly trigger: string;
  readonly runId?: string;
}

export interface RecomputeResult {
  readonly runId: string;
  readonly statements: readonly Statement[];
  readonly entriesWritten: number;
  /** The ledger entries appended: empty when the ledger already matched. */
  readonly written: readonly WrittenEntry[];
  readonly exceptions: readonly EngineException[];
}

/**
 * Recomputes the open periods (up to the one containing `asOf`) for some or all payees
 * and appends the differences to the ledger. Safe to run any number of times and
 * concurrently: the ledger write is one transaction under the tenant's lock, and a
 * repeated run finds nothing to append.
 */
export async function recompute(db: Db, request: RecomputeRequest): Promise<RecomputeResult> {
  const runId = request.runId ?? randomUUID();
  const startedAt = new Date();
  const [data, plans, locked] = await Promise.all([loadDataset(db, request.tenantId), loadPlans(db, request.tenantId), loadLockedPeriods(db, request.tenantId)]);
  if (plans.length === 0) return { runId, statements: [], entriesWritten: 0, written: [], exceptions: [] };
  const index = indexTenant(data);
  const payees = request.payees && new Set(request.payees as UserId[]);
  const statements: Statement[] = [];
  const exceptions: EngineException[] = [];
  const periods = new Set<string>();
  for (const kind of [...new Set(plans.map((p) => p.periodKind))].sort()) {
    const target = periodContaining(request.asOf, kind, data.calendar);
    const run = runStatements({ plans, data, index, period: target.id, asOf: request.asOf, locked, ...(payees ? { payees } : {}) });
    exceptions.push(...run.exceptions.filter((e) => e.period === undefined || !locked.some((l) => l.period === e.period)));
    for (const h of run.history) {
      if (h.locked) continue;
      periods.add(h.period.id);
      statements.push(...h.statements);
    }
  }
  const written = await db.transaction().execute(async (tx) => {
    await lockTenantLedger(tx, request.tenantId);
    const written = await writeStatements(tx, request.tenantId, statements, { periods: [...periods], payees: request.payees ?? 'all' }, runId);
    await tx
      .insertInto('statement_runs')
      .values({ tenant_id: request.tenantId, run_id: runId, trigger: request.trigger, as_of: request.asOf, payees: new Set(statements.map((s) => s.payeeId)).size, entries_written: written.length, started_at: startedAt, finished_at: new Date() })
      .onConflict((oc) => oc.columns(['tenant_id', 'run_id']).doNothing())
      .execute();
    return written;
  });
  return { runId, statements, entriesWritten: written.length, written, exceptions };
}
