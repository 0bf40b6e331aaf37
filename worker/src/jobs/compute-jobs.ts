import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import type { RecomputePayees, ReconcileTenant } from '../queues/families.js';
import type { JobDeps } from '../queues/handler-registry.js';
import { recompute, type RecomputeResult } from '../recompute/recompute.js';

/** The business date of the worker's clock (UTC), which is the engine's as-of date. */
export function businessDate(now: Date): IsoDate {
  return now.toISOString().slice(0, 10) as IsoDate;
}

/**
 * After the ledger changed for some payees: ask for their KPI snapshots and their
 * managers' coaching prompts to be refreshed for the periods just computed. Both are
 * separate, deduplicated jobs, so a burst of changes refreshes once and the ledger's
 * path stays short.
 */
async function afterRecompute(deps: JobDeps, tenantId: string, result: RecomputeResult, payees: readonly string[] | undefined, cause: string): Promise<void> {
  const latest = new Map<string, string>();
  for (const s of result.statements) if ((latest.get(s.period.kind) ?? '') < s.period.id) latest.set(s.period.kind, s.period.id);
  for (const periodId of latest.values()) {
    await deps.enqueue('coaching', 'refresh-kpis', { tenantId, periodId, ...(payees ? { userIds: [...payees] } : {}), cause });
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
  await afterRecompute(deps, payload.tenantId, result, payload.payeeIds, payload.cause);
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
  await afterRecompute(deps, payload.tenantId, result, undefined, payload.cause);
  return { repaired: result.written.length };
}
