import { ONE, ZERO, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Dataset } from '../domain/dataset.js';
import type { UserId } from '../domain/ids.js';
import type { User } from '../domain/people.js';
import { measureKey, type Measure, type Quota } from '../domain/quotas.js';
import type { Plan, PlanAssignment } from '../plan/plan.js';
import { maxDate, minDate, addDays, type IsoDate } from '../time/iso-date.js';
import { monthsOf, overlapDays, periodDays, resolvePeriod, type FiscalCalendar, type Period } from '../time/period.js';
import type { FxTable } from './fx-table.js';
import type { FxUse } from './statement.js';

/**
 * The quota a payee is measured against in one period, after proration (days on the plan,
 * or the quota's own seasonal phasing) and ramp (tenure-month factors). One formula serves
 * all three: for each month m of the period,
 *
 *   target × weight(m) × coverage(m) × ramp(m)
 *
 * where weight(m) is the month's share of the quota period (by days, or by phasing),
 * coverage(m) the share of its days the payee was on the plan and employed, and ramp(m)
 * the factor for their tenure month.
 */
export interface EffectiveQuota {
  readonly quota: Quota;
  readonly effectiveTarget: Decimal;
  readonly fx: FxUse | undefined;
}

export interface QuotaLookup {
  readonly quotasByOwner: ReadonlyMap<string, readonly Quota[]>;
  readonly teamsManagedBy: ReadonlyMap<UserId, readonly string[]>;
  readonly fx: FxTable;
  readonly asOf: IsoDate;
}

export function quotaOwnerKey(owner: Quota['owner']): string {
  return 'userId' in owner ? `user:${owner.userId}` : `team:${owner.teamId}`;
}

export function indexQuotas(data: Dataset): Pick<QuotaLookup, 'quotasByOwner' | 'teamsManagedBy'> {
  const quotasByOwner = new Map<string, Quota[]>();
  for (const quota of data.quotas) {
    const key = quotaOwnerKey(quota.owner);
    const list = quotasByOwner.get(key) ?? [];
    list.push(quota);
    quotasByOwner.set(key, list);
  }
  const teamsManagedBy = new Map<UserId, string[]>();
  for (const team of data.teams) {
    if (team.managerId === undefined) continue;
    teamsManagedBy.set(team.managerId, [...(teamsManagedBy.get(team.managerId) ?? []), team.id]);
  }
  return { quotasByOwner, teamsManagedBy };
}

/** The quota record (latest version known on `asOf`) for a user, or their team when they manage one. */
export function findQuota(lookup: QuotaLookup, userId: UserId, measure: Measure, period: Period, calendar: FiscalCalendar): Quota | undefined {
  const key = measureKey(measure);
  const candidates = [
    ...(lookup.quotasByOwner.get(`user:${userId}`) ?? []),
    ...(lookup.teamsManagedBy.get(userId) ?? []).flatMap((teamId) => lookup.quotasByOwner.get(`team:${teamId}`) ?? []),
  ];
  let best: { quota: Quota; span: number; personal: boolean } | undefined;
  for (const quota of candidates) {
    if (measureKey(quota.measure) !== key || quota.effectiveFrom > lookup.asOf) continue;
    const personal = 'userId' in quota.owner;
    const qp = resolvePeriod(quota.period, calendar);
    if (!qp || qp.start > period.start || qp.end < period.end) continue;
    const span = periodDays(qp);
    // A personal quota beats a team's; a shorter quota period is more specific; a higher version is newer.
    const better =
      !best ||
      (personal && !best.personal) ||
      (personal === best.personal && (span < best.span || (span === best.span && (quota.period !== best.quota.period ? quota.period < best.quota.period : quota.version > best.quota.version))));
    if (better) best = { quota, span, personal };
  }
  return best?.quota;
}

/** Tenure month (1-based) of the calendar month starting `monthStart`, counted from the user's start month. */
function tenureMonth(user: User | undefined, monthStart: IsoDate): number | undefined {
  if (!user?.startDate) return undefined;
  const [sy, sm] = user.startDate.split('-').map(Number) as [number, number];
  const [y, m] = monthStart.split('-').map(Number) as [number, number];
  return (y - sy) * 12 + (m - sm) + 1;
}

export function effectiveQuota(
  lookup: QuotaLookup,
  quota: Quota,
  plan: Plan,
  assignment: PlanAssignment,
  user: User | undefined,
  period: Period,
  calendar: FiscalCalendar,
): EffectiveQuota | undefined {
  const qp = resolvePeriod(quota.period, calendar);
  if (!qp) return undefined;
  const usePhasing = plan.proration === 'phasing' && quota.phasing !== undefined;
  // Employment dates are inclusive end dates; plan assignment ends are exclusive.
  const onFrom = maxDate(assignment.from, user?.startDate ?? assignment.from);
  const employedTo = user?.endDate === undefined ? undefined : addDays(user.endDate, 1);
  const onTo = assignment.to === undefined ? employedTo : employedTo === undefined ? assignment.to : minDate(assignment.to, employedTo);
  // The factor is summed as an exact fraction and divided once, so 365,000 × 92/365 is 92,000, not 91,999.99….
  let numerator = ZERO;
  let denominator = ONE;
  const addFraction = (num: Decimal, den: number): void => {
    numerator = numerator.times(den).plus(num.times(denominator));
    denominator = denominator.times(den);
  };
  for (const month of monthsOf(period)) {
    const segment = { start: maxDate(month.start, period.start), end: minDate(month.end, period.end) };
    if (periodDays(segment) <= 0) continue;
    const covered = overlapDays(segment, onFrom, onTo);
    if (covered === 0) continue;
    const tenure = tenureMonth(user, month.start);
    const ramp = tenure !== undefined && tenure >= 1 ? (assignment.ramp[tenure - 1] ?? ONE) : ONE;
    // days: covered days of the quota period's days; phasing: the month's weight × covered share of the month.
    if (usePhasing) addFraction((quota.phasing!.get(month.id) ?? ZERO).times(covered).times(ramp), periodDays(month));
    else addFraction(ramp.times(covered), periodDays(qp));
  }
  let target = quota.target.times(numerator).dividedBy(denominator);
  let fx: FxUse | undefined;
  if (quota.measure.kind === 'revenue' && quota.currency !== undefined && quota.currency !== plan.currency) {
    const rate = lookup.fx.lookup(quota.currency, plan.currency as CurrencyCode, period.start);
    if (rate === undefined) return undefined;
    if (rate !== 'same') {
      fx = rate;
      target = target.times(rate.rate);
    }
  }
  return { quota, effectiveTarget: target, fx };
}
