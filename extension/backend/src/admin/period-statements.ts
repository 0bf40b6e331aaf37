import type { Dataset } from '../../../../shared/src/domain/dataset.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { runStatements, type LockedPeriod } from '../../../../shared/src/engine/run.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import { resolvePeriod, type Period } from '../../../../shared/src/time/period.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { loadDataset } from '../../../../worker/src/db/dataset-loader.js';
import { loadLockedPeriods } from '../../../../worker/src/db/periods.js';
import { loadPlans } from '../../../../worker/src/db/plans.js';
import { ApiFailure } from '../http/api-failure.js';

/** What the engine needs about one tenant, read once per request. */
export interface TenantState {
  readonly data: Dataset;
  readonly plans: readonly Plan[];
  readonly locked: readonly LockedPeriod[];
}

export async function loadTenantState(db: Db, tenantId: string): Promise<TenantState> {
  const [data, plans, locked] = await Promise.all([loadDataset(db, tenantId), loadPlans(db, tenantId), loadLockedPeriods(db, tenantId)]);
  return { data, plans, locked };
}

/** A period id a plan of the tenant pays by; anything else is a 404 with the ids that would work. */
export function planPeriod(state: TenantState, periodId: string): Period {
  const period = resolvePeriod(periodId, state.data.calendar);
  if (!period) throw new ApiFailure('not_found', `"${periodId}" is not a period`, 'use an id such as 2026-Q3 or 2026-07');
  if (!state.plans.some((p) => p.periodKind === period.kind)) {
    throw new ApiFailure('not_found', `no plan pays by ${period.kind}, so ${periodId} has no statements`, `use a period of: ${[...new Set(state.plans.map((p) => p.periodKind))].join(', ') || 'publish a plan first'}`);
  }
  return period;
}

export interface PeriodStatements {
  readonly period: Period;
  /** Locked statements are returned as they were locked; open ones are computed now. */
  readonly source: 'locked' | 'computed';
  readonly statements: readonly Statement[];
}

/**
 * A period's statements: the frozen ones once it is locked, otherwise what the engine
 * computes on the current data as of `asOf` (with earlier locked periods taken as locked,
 * so their later corrections appear here as adjustments).
 */
export function periodStatements(state: TenantState, period: Period, asOf: IsoDate, payees?: ReadonlySet<UserId>): PeriodStatements {
  const locked = state.locked.find((l) => l.period === period.id);
  if (locked) return { period, source: 'locked', statements: payees ? locked.statements.filter((s) => payees.has(s.payeeId)) : locked.statements };
  const run = runStatements({ plans: state.plans, data: state.data, period: period.id, asOf, locked: state.locked, ...(payees ? { payees } : {}) });
  return { period, source: 'computed', statements: run.statements };
}
