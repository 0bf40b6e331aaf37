import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { QuotaId, UserId } from '../domain/ids.js';
import { quotaOwnerKey, findQuota, type QuotaLookup } from '../engine/quota-target.js';
import type { FxUse } from '../engine/statement.js';
import { minDate } from '../time/iso-date.js';
import { periodDays, resolvePeriod, type PeriodId } from '../time/period.js';
import type { Quota, QuotaOwner } from '../domain/quotas.js';
import type { KpiContext } from './kpi-context.js';

const REVENUE = { kind: 'revenue' } as const;

/** The revenue quota the subject is measured against in the period, and how it was derived. */
export interface RevenueQuota {
  readonly quotaId: QuotaId;
  readonly version: number;
  readonly owner: QuotaOwner;
  /** The quota's own period, which may be longer than the KPI period (an annual quota). */
  readonly quotaPeriod: PeriodId;
  readonly target: Decimal;
  readonly currency: CurrencyCode;
  readonly quotaDays: number;
  readonly periodDays: number;
  /** Quota currency → home currency at the period start; undefined when no conversion was needed. */
  readonly fx: FxUse | undefined;
  /** target × periodDays ÷ quotaDays, in the home currency. */
  readonly forPeriod: Decimal;
}

export interface QuotaAttainment {
  /** Won revenue credited to the subject in the period (home currency). */
  readonly won: Decimal;
  readonly quota: RevenueQuota | undefined;
  /** won ÷ quota as a fraction (1 = 100 %); undefined without a quota above zero, never a fake 0. */
  readonly attainment: Decimal | undefined;
}

/**
 * Chosen with the engine's `findQuota` rules (latest version known on `asOf`, most specific
 * period). A person is measured only against a personal quota: `findQuota` would fall back to
 * the quota of a team they manage, but their KPIs count only their own deals, so that ratio
 * would mean nothing; ask for the team's KPIs instead. Proration is by days (plans, and so
 * their phasing setting, are not consulted).
 */
export function revenueQuota(ctx: KpiContext): RevenueQuota | undefined {
  const { index, period, asOf, scope } = ctx;
  const base = { fx: index.fx, asOf };
  let quota: Quota | undefined;
  if ('userId' in scope.subject) {
    const lookup: QuotaLookup = { ...base, quotasByOwner: index.quotas.quotasByOwner, teamsManagedBy: new Map() };
    quota = findQuota(lookup, scope.subject.userId, REVENUE, period, index.data.calendar);
  } else {
    // findQuota finds team quotas through a managing user; a stand-in "manager" of only this
    // team, over a lookup holding only this team's quotas, reuses its rules unchanged.
    const key = quotaOwnerKey(scope.subject);
    const standIn = key as UserId;
    const lookup: QuotaLookup = { ...base, quotasByOwner: new Map([[key, index.quotas.quotasByOwner.get(key) ?? []]]), teamsManagedBy: new Map([[standIn, [scope.subject.teamId]]]) };
    quota = findQuota(lookup, standIn, REVENUE, period, index.data.calendar);
  }
  if (!quota) return undefined;
  const quotaPeriod = resolvePeriod(quota.period, index.data.calendar);
  if (!quotaPeriod) return undefined;
  const quotaDays = periodDays(quotaPeriod);
  const days = periodDays(period);
  const currency = quota.currency ?? ctx.currency;
  const rateDate = minDate(period.start, asOf);
  const fx = index.fx.lookup(currency, ctx.currency, rateDate);
  if (fx === undefined) {
    ctx.problems.add({
      code: 'missing_fx_rate',
      recordId: quota.id,
      message: `No ${currency}→${ctx.currency} rate on or before ${rateDate} to convert quota ${quota.id}; attainment and coverage are left empty`,
      fix: `add an FX rate from ${currency} to ${ctx.currency} dated on or before ${rateDate}`,
    });
    return undefined;
  }
  const prorated = quota.target.times(days).dividedBy(quotaDays);
  return {
    quotaId: quota.id,
    version: quota.version,
    owner: quota.owner,
    quotaPeriod: quota.period,
    target: quota.target,
    currency,
    quotaDays,
    periodDays: days,
    fx: fx === 'same' ? undefined : fx,
    forPeriod: fx === 'same' ? prorated : prorated.times(fx.rate),
  };
}

export function quotaAttainment(won: Decimal, quota: RevenueQuota | undefined): QuotaAttainment {
  return { won, quota, attainment: quota === undefined || quota.forPeriod.isZero() ? undefined : won.dividedBy(quota.forPeriod) };
}
