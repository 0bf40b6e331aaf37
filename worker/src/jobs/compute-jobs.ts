import type { UserId } from '../../../shared/src/domain/ids.js';
import { indexTenant } from '../../../shared/src/engine/tenant-index.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { resolvePeriod } from '../../../shared/src/time/period.js';
import { loadDataset } from '../db/dataset-loader.js';
import { refreshKpiSnapshots } from '../kpi/kpi-snapshots.js';
import type { RecomputePayees, ReconcileTenant } from '../queues/families.js';
import type { JobDeps } from '../queues/handler-registry.js';
import { recompute, type RecomputeResult } from '../recompute/recompute.js';

/** The business date of the worker's clock (UTC), which is the engine's as-of date. */
export function businessDate(now: Date): IsoDate {
  return now.toISOString().slice(0, 10) as IsoDate;
}

/**
 * After the ledger changed for some payees: refresh their KPI snapshots for the periods
 * just computed, and ask for their managers' coaching prompts to be refreshed (the
 * request is deduplicated, so a burst of changes refreshes once).
 */
async function afterRecompute(deps: JobDeps, tenantId: string, result: RecomputeResult, asOf: IsoDate, payees: readonly string[] | undefined, cause: string): Promise<void> {
  if (result.statements.length === 0) return;
  const data = await loadDataset(deps.db, tenantId);
  const index = indexTenant(data);
  const latest = new Map<string, string>();
  for (const s of result.statements) if ((latest.get(s.period.kind) ?? '') < s.period.id) latest.set(s.period.kind, s.period.id);
  for (const periodId of latest.values()) {
    const period = resolvePeriod(periodId, data.calendar);
    if (!period) continue;
    await refreshKpiSnapshots(deps.db, index, tenantId, period, asOf, payees as UserId[] | undefined);
    await deps.enqueue('coaching', 'refresh-prompts', { tenantId, periodId, cause });
  }
}

export async function recomputePayees(payload: RecomputePayees, deps: JobDeps): Promise<{ entriesWritten: number; statements: number }> {
  const asOf = businessDate(deps.clock.now());
  const timer = deps.metrics.recomputeDuration.startTimer({ trigger: 'payees' });
  const result = await recompute(deps.db, { tenantId: payload.tenantId, asOf, payees: payload.payeeIds, trigger: payload.cause });
  timer();
  deps.metrics.ledgerWrites.inc({ kind: 'recompute' }, result.entriesWritten);
  for (const e of result.exceptions) deps.logger.warn({ code: e.code, record: e.recordId, period: e.period, fix: e.fix }, e.message);
  await afterRecompute(deps, payload.tenantId, result, asOf, payload.payeeIds, payload.cause);
  deps.logger.info({ payees: payload.payeeIds.length, entriesWritten: result.entriesWritten, runId: result.runId }, 'recomputed payees');
  return { entriesWritten: result.entriesWritten, statements: result.statements.length };
}

/**
 * The nightly safety net: recompute every payee from scratch and compare with what the
 * incremental path left in the ledger. Any difference is written (repaired) and logged
 * line by line, because it means an event was missed or mishandled upstream.
 */
export async function reconcileTenant(payload: ReconcileTenant, deps: JobDeps): Promise<{ repaired: number }> {
  const asOf = (payload.asOf ?? businessDate(deps.clock.now())) as IsoDate;
  const timer = deps.metrics.recomputeDuration.startTimer({ trigger: 'reconcile' });
  const result = await recompute(deps.db, { tenantId: payload.tenantId, asOf, trigger: payload.cause });
  timer();
  deps.metrics.ledgerWrites.inc({ kind: 'reconcile' }, result.entriesWritten);
  if (result.written.length > 0) {
    deps.logger.warn({ repaired: result.written.length, lines: result.written.slice(0, 50) }, 'reconcile found ledger lines that differed from a full recompute and repaired them');
  } else deps.logger.info({ runId: result.runId }, 'reconcile: ledger matches a full recompute');
  await afterRecompute(deps, payload.tenantId, result, asOf, undefined, payload.cause);
  return { repaired: result.written.length };
}
