import type { Dataset } from '../../../../shared/src/domain/dataset.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { runStatements, type LockedPeriod } from '../../../../shared/src/engine/run.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import type { TenantIndex } from '../../../../shared/src/engine/tenant-index.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import { resolvePeriod, type Period } from '../../../../shared/src/time/period.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { TenantCache, type TenantLoader, type TenantSnapshot } from '../cards/tenant-cache.js';
import { ApiFailure } from '../http/api-failure.js';

/** What the engine needs about one tenant. */
export interface TenantState {
  readonly data: Dataset;
  readonly plans: readonly Plan[];
  readonly locked: readonly LockedPeriod[];
  /** The engine's index of exactly `data` (built once per cached state); drop it with any change to `data`. */
  readonly index?: TenantIndex;
}

/**
 * The admin console's tenant states: the cards' TenantCache following the tenant's current
 * state instead of its last statement run (see readVersion in tenant-cache.ts for the
 * markers), checked on every request (checkMs 0) because an admin who has just published a
 * plan, imported quotas or locked a period must see it on the next click. A request costs
 * one small query while nothing changed; the dataset is read again only after a change.
 */
export function adminStateCache(db: Db, options: { load?: TenantLoader; idleMs?: number; maxTenants?: number } = {}): TenantCache {
  return new TenantCache(db, 0, Date.now, { ...options, basis: 'current' });
}

/** The tenant's current state from the cache; a tenant with no row yet has no data to work on. */
export async function tenantState(cache: TenantCache, tenantId: string): Promise<TenantSnapshot> {
  const snapshot = await cache.get(tenantId);
  if (!snapshot) throw new ApiFailure('not_found', 'this account has no data yet', 'connect the CRM (or import a data file) first');
  return snapshot;
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
  const run = runStatements({ plans: state.plans, data: state.data, ...(state.index ? { index: state.index } : {}), period: period.id, asOf, locked: state.locked, ...(payees ? { payees } : {}) });
  return { period, source: 'computed', statements: run.statements };
}
