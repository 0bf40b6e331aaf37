import { sql } from 'kysely';
import type { TeamId, UserId } from '../../../shared/src/domain/ids.js';
import type { TenantIndex } from '../../../shared/src/engine/tenant-index.js';
import { computeKpis } from '../../../shared/src/kpi/kpi-report.js';
import { addDays, type IsoDate } from '../../../shared/src/time/iso-date.js';
import { periodContaining, resolvePeriod, type Period } from '../../../shared/src/time/period.js';
import type { Db } from '../db/database.js';
import { toJsonValue } from '../db/json-value.js';

/**
 * Refreshes the stored KPI snapshots for some users (and every team) for one period, so
 * cards read a row instead of recomputing. A snapshot is replaced, never appended: KPIs
 * are a view of the data, unlike pay, which is a ledger.
 */
export async function refreshKpiSnapshots(db: Db, index: TenantIndex, tenantId: string, period: Period, asOf: IsoDate, users?: readonly UserId[]): Promise<number> {
  const previous = resolvePeriod(periodContaining(addDays(period.start, -1), period.kind, index.data.calendar).id, index.data.calendar);
  const subjects: Array<{ type: 'user' | 'team'; id: string; subject: { userId: UserId } | { teamId: TeamId } }> = [
    ...(users ?? index.data.users.map((u) => u.id)).map((userId) => ({ type: 'user' as const, id: userId, subject: { userId } })),
    ...index.data.teams.map((t) => ({ type: 'team' as const, id: t.id, subject: { teamId: t.id } })),
  ];
  const rows = [];
  for (const s of subjects) {
    rows.push({ tenant_id: tenantId, subject_type: s.type, subject_id: s.id, period_id: period.id, as_of: asOf, kpis: JSON.stringify(toJsonValue(computeKpis({ index, period, asOf, subject: s.subject, previousPeriod: previous }))) });
    // Let the event loop breathe between subjects, so a long refresh never starves the job's lock renewal.
    if (rows.length % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('kpi_snapshots')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['tenant_id', 'subject_type', 'subject_id', 'period_id']).doUpdateSet((eb) => ({ as_of: eb.ref('excluded.as_of'), kpis: eb.ref('excluded.kpis'), computed_at: sql`now()` })))
      .execute();
  }
  return rows.length;
}

