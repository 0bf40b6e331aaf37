import { createHash } from 'node:crypto';
import { ZERO, type Decimal } from '../../../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../../../shared/src/money/currency.js';
import { formatAmount } from '../../../../shared/src/money/rounding.js';
import { statementToJson } from '../../../../shared/src/engine/statement-json.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import { lastDay, nextPeriod, periodContaining, type Period, type PeriodKind } from '../../../../shared/src/time/period.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { setPeriodStatus } from '../../../../worker/src/db/periods.js';
import type { PeriodStatus } from '../../../../worker/src/db/schema.js';
import { recompute } from '../../../../worker/src/recompute/recompute.js';
import { ApiFailure } from '../http/api-failure.js';
import { timestampJsonOrNull } from '../http/timestamps.js';
import { planPeriod, type TenantState } from './period-statements.js';

/** How many periods of each cadence the list shows, most recent first. */
const LISTED_PER_CADENCE = 12;

export interface PeriodRow {
  readonly id: string;
  readonly kind: PeriodKind;
  readonly start: string;
  /** Exclusive, as everywhere in the engine; `lastDay` is the inclusive last day people read. */
  readonly end: string;
  readonly lastDay: string;
  /** The period has ended by the business date. */
  readonly ended: boolean;
  readonly status: PeriodStatus;
  readonly calculatedAt: string | null;
  readonly approvedAt: string | null;
  readonly approvedBy: string | null;
  readonly lockedAt: string | null;
  readonly lockedBy: string | null;
}

/** The periods the tenant's plans pay by, up to the one in progress, with their workflow status. */
export async function listPeriods(db: Db, tenantId: string, state: TenantState, asOf: IsoDate): Promise<PeriodRow[]> {
  const rows = await db.selectFrom('periods').selectAll().where('tenant_id', '=', tenantId).execute();
  const byId = new Map(rows.map((r) => [r.period_id, r]));
  const out: PeriodRow[] = [];
  for (const kind of [...new Set(state.plans.map((p) => p.periodKind))].sort()) {
    const first = state.plans.filter((p) => p.periodKind === kind).reduce((d, p) => (p.effectiveFrom < d ? p.effectiveFrom : d), asOf);
    const periods: Period[] = [];
    for (let p = periodContaining(first, kind, state.data.calendar); p.start <= asOf; p = nextPeriod(p, state.data.calendar)) periods.push(p);
    for (const p of periods.slice(-LISTED_PER_CADENCE).reverse()) {
      const r = byId.get(p.id);
      out.push({
        id: p.id,
        kind,
        start: p.start,
        end: p.end,
        lastDay: lastDay(p),
        ended: p.end <= asOf,
        status: r?.status ?? 'open',
        calculatedAt: timestampJsonOrNull(r?.calculated_at ?? null),
        approvedAt: timestampJsonOrNull(r?.approved_at ?? null),
        approvedBy: r?.approved_by ?? null,
        lockedAt: timestampJsonOrNull(r?.locked_at ?? null),
        lockedBy: r?.locked_by ?? null,
      });
    }
  }
  return out;
}

/**
 * What an approval vouches for: every payee's lines and totals in the period (not the
 * as-of date, which moves on between approving and locking).
 */
export function fingerprint(statements: readonly Statement[]): string {
  const content = [...statements]
    .sort((a, b) => (a.payeeId < b.payeeId ? -1 : 1))
    .map((s) => {
      const { asOf: _asOf, ...rest } = statementToJson(s);
      return rest;
    });
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

export interface PeriodSummary {
  readonly period: string;
  readonly status: PeriodStatus;
  readonly payees: number;
  readonly totals: Readonly<Record<string, string>>;
}

function summary(period: Period, status: PeriodStatus, statements: readonly Statement[]): PeriodSummary {
  const totals = new Map<CurrencyCode, Decimal>();
  for (const s of statements) totals.set(s.currency, (totals.get(s.currency) ?? ZERO).plus(s.total));
  return { period: period.id, status, payees: statements.length, totals: Object.fromEntries([...totals].map(([c, t]) => [c, formatAmount(t, c)])) };
}

/**
 * Recomputes the open periods into the payout ledger (the worker's own recompute, so the
 * ledger and the console agree) and returns the statements of `period`.
 */
async function computeIntoLedger(db: Db, tenantId: string, period: Period, asOf: IsoDate, trigger: string): Promise<Statement[]> {
  if (period.start > asOf) throw new ApiFailure('conflict', `${period.id} has not started yet (the business date is ${asOf})`, 'calculate a period that has started');
  const result = await recompute(db, { tenantId, asOf, trigger });
  return result.statements.filter((s) => s.period.id === period.id);
}

export async function calculatePeriod(db: Db, tenantId: string, state: TenantState, periodId: string, asOf: IsoDate, actor: string): Promise<PeriodSummary> {
  const period = planPeriod(state, periodId);
  if (state.locked.some((l) => l.period === period.id)) throw new ApiFailure('conflict', `${period.id} is locked`, 'a locked period is final: later changes are paid as adjustments in the next open period');
  const statements = await computeIntoLedger(db, tenantId, period, asOf, 'admin-calculate');
  await setPeriodStatus(db, tenantId, period.id, 'calculated', actor);
  // A recalculation withdraws an earlier approval: the numbers may have moved.
  await db.deleteFrom('period_approvals').where('tenant_id', '=', tenantId).where('period_id', '=', period.id).execute();
  return summary(period, 'calculated', statements);
}

export async function approvePeriod(db: Db, tenantId: string, state: TenantState, periodId: string, asOf: IsoDate, actor: string): Promise<PeriodSummary> {
  const period = planPeriod(state, periodId);
  const statements = await computeIntoLedger(db, tenantId, period, asOf, 'admin-approve');
  await setPeriodStatus(db, tenantId, period.id, 'approved', actor);
  await db
    .insertInto('period_approvals')
    .values({ tenant_id: tenantId, period_id: period.id, fingerprint: fingerprint(statements), payees: statements.length, approved_by: actor })
    .onConflict((oc) => oc.columns(['tenant_id', 'period_id']).doUpdateSet({ fingerprint: fingerprint(statements), payees: statements.length, approved_by: actor, approved_at: new Date() }))
    .execute();
  return summary(period, 'approved', statements);
}

/**
 * Locks a period with exactly the statements that were approved: if anything moved since
 * (a CRM edit, a quota or plan change), the lock is refused and the admin recalculates and
 * approves again. From then on the statements are frozen; later changes become adjustment
 * lines in the next open period.
 */
export async function lockPeriod(db: Db, tenantId: string, state: TenantState, periodId: string, asOf: IsoDate, actor: string): Promise<PeriodSummary> {
  const period = planPeriod(state, periodId);
  const approval = await db.selectFrom('period_approvals').select(['fingerprint', 'approved_by']).where('tenant_id', '=', tenantId).where('period_id', '=', period.id).executeTakeFirst();
  const statements = await computeIntoLedger(db, tenantId, period, asOf, 'admin-lock');
  if (approval && approval.fingerprint !== fingerprint(statements)) {
    throw new ApiFailure('conflict', `the statements of ${period.id} changed after ${approval.approved_by} approved them`, 'calculate the period again, review the statements and approve them before locking');
  }
  await setPeriodStatus(db, tenantId, period.id, 'locked', actor, statements);
  return summary(period, 'locked', statements);
}
