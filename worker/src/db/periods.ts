import { sql } from 'kysely';
import type { LockedPeriod } from '../../../shared/src/engine/run.js';
import { statementFromJson, statementToJson } from '../../../shared/src/engine/statement-json.js';
import type { Statement } from '../../../shared/src/engine/statement.js';
import type { PeriodId } from '../../../shared/src/time/period.js';
import type { Db } from './database.js';
import type { PeriodStatus } from './schema.js';
import { WorkflowConflict } from './workflow-conflict.js';
import { bumpAdminStateVersion } from './admin-state-version.js';

const NEXT: Record<PeriodStatus, PeriodStatus[]> = { open: ['calculated'], calculated: ['calculated', 'approved'], approved: ['calculated', 'locked'], locked: [] };

export async function periodStatus(db: Db, tenantId: string, periodId: string): Promise<PeriodStatus> {
  const row = await db.selectFrom('periods').select('status').where('tenant_id', '=', tenantId).where('period_id', '=', periodId).executeTakeFirst();
  return row?.status ?? 'open';
}

/**
 * Moves a period along open → calculated → approved → locked. Locking stores each payee's
 * statement as it stands: from then on the engine takes those statements as given and
 * turns any later change into adjustment lines in the next open period.
 */
export async function setPeriodStatus(db: Db, tenantId: string, periodId: string, to: Exclude<PeriodStatus, 'open'>, actor: string, lockedStatements: readonly Statement[] = []): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`ledger/${tenantId}`}))`.execute(tx);
    const current = (await tx.selectFrom('periods').select('status').where('tenant_id', '=', tenantId).where('period_id', '=', periodId).forUpdate().executeTakeFirst())?.status ?? 'open';
    if (!NEXT[current].includes(to)) throw new WorkflowConflict(`Period ${periodId} is ${current}; it cannot become ${to} (${current === 'locked' ? 'a locked period is final: changes are paid as adjustments in the next open period' : `allowed next: ${NEXT[current].join(', ') || 'none'}`})`);
    const stamp = to === 'calculated' ? { calculated_at: sql`now()` } : to === 'approved' ? { approved_at: sql`now()`, approved_by: actor } : { locked_at: sql`now()`, locked_by: actor };
    await tx
      .insertInto('periods')
      .values({ tenant_id: tenantId, period_id: periodId, status: to, calculated_at: null, approved_at: null, approved_by: null, locked_at: null, locked_by: null, ...stamp } as never)
      .onConflict((oc) => oc.columns(['tenant_id', 'period_id']).doUpdateSet({ status: to, ...stamp } as never))
      .execute();
    if (to === 'locked' && lockedStatements.length > 0) {
      await tx
        .insertInto('locked_statements')
        .values(lockedStatements.map((s) => ({ tenant_id: tenantId, period_id: periodId, payee_id: s.payeeId, statement: JSON.stringify(statementToJson(s)) })))
        .execute();
    }
    // A lock changes what the admin console's state holds (the calculated and approved steps do not): its version (migration 0007) moves.
    if (to === 'locked') await bumpAdminStateVersion(tx, tenantId);
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: `period.${to}`, target: periodId, details: JSON.stringify({ from: current, statements: lockedStatements.length }) }).execute();
  });
}

export async function loadLockedPeriods(db: Db, tenantId: string): Promise<LockedPeriod[]> {
  const rows = await db.selectFrom('locked_statements').select(['period_id', 'statement']).where('tenant_id', '=', tenantId).orderBy('period_id').orderBy('payee_id').execute();
  const locked = await db.selectFrom('periods').select('period_id').where('tenant_id', '=', tenantId).where('status', '=', 'locked').execute();
  const byPeriod = new Map<string, Statement[]>(locked.map((p) => [p.period_id, []]));
  for (const r of rows) byPeriod.get(r.period_id)?.push(statementFromJson(r.statement));
  return [...byPeriod].map(([period, statements]) => ({ period: period as PeriodId, statements }));
}
