import { ONE, ZERO, compact, type Decimal } from '../money/decimal.js';
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
  const candidates = candidateQuotas(lookup, userId);
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

/** A user's own quotas, then those of the teams they manage; kept per index (its maps) and user, as every period asks again. */
function candidateQuotas(lookup: Pick<QuotaLookup, 'quotasByOwner' | 'teamsManagedBy'>, userId: UserId): readonly Quota[] {
  let byUser = candidatesCache.get(lookup.quotasByOwner);
  if (!byUser || byUser.teams !== lookup.teamsManagedBy) {
    byUser = { teams: lookup.teamsManagedBy, lists: new Map() };
    candidatesCache.set(lookup.quotasByOwner, byUser);
  }
  let list = byUser.lists.get(userId);
  if (!list) {
    list = [
      ...(lookup.quotasByOwner.get(`user:${userId}`) ?? []),
      ...(lookup.teamsManagedBy.get(userId) ?? []).flatMap((teamId) => lookup.quotasByOwner.get(`team:${teamId}`) ?? []),
    ];
    byUser.lists.set(userId, list);
  }
  return list;
}

const candidatesCache = new WeakMap<QuotaLookup['quotasByOwner'], { teams: QuotaLookup['teamsManagedBy']; lists: Map<UserId, readonly Quota[]> }>();

/** Tenure month (1-based) of the calendar month starting `monthStart`, counted from the user's start month. */
function tenureMonth(user: User | undefined, monthStart: IsoDate): number | undefined {
  if (!user?.startDate) return undefined;
  const [sy, sm] = yearAndMonth(user.startDate);
  const [y, m] = yearAndMonth(monthStart);
  return (y - sy) * 12 + (m - sm) + 1;
}

/** The year and month numbers of a date; the common YYYY-MM-DD form is read without splitting. */
function yearAndMonth(date: string): [number, number] {
  if (date.length === 10 && date[4] === '-' && date[7] === '-') return [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  return date.split('-').map(Number) as [number, number];
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
  const included: { month: Period; covered: number; ramp: Decimal }[] = [];
  for (const month of monthsOf(period)) {
    const segment = { start: maxDate(month.start, period.start), end: minDate(month.end, period.end) };
    if (periodDays(segment) <= 0) continue;
    const covered = overlapDays(segment, onFrom, onTo);
    if (covered === 0) continue;
    const tenure = tenureMonth(user, month.start);
    included.push({ month, covered, ramp: tenure !== undefined && tenure >= 1 ? (assignment.ramp[tenure - 1] ?? ONE) : ONE });
  }
  let target: Decimal;
  const quotaDays = periodDays(qp);
  if (!usePhasing && included.length <= 3 && quotaDays > 0 && included.every((m) => m.ramp === ONE) && quota.target.precision() <= 31) {
    // By days, without ramp: the fraction below is (Σ covered)·D^(k−1) / D^k with every step an
    // exact integer, and target × it one exact product (≤ 31 + 9 digits); the division
    // then rounds target × Σ covered / D, which is what this computes directly.
    let coveredDays = 0;
    for (const m of included) coveredDays += m.covered;
    target = quota.target.times(coveredDays).dividedBy(quotaDays);
  } else {
    // The factor is summed as an exact fraction and divided once, so 365,000 × 92/365 is 92,000, not 91,999.99….
    let numerator = ZERO;
    let denominator = ONE;
    const addFraction = (num: Decimal, den: number): void => {
      numerator = numerator.times(den).plus(num.times(denominator));
      denominator = denominator.times(den);
    };
    for (const { month, covered, ramp } of included) {
      // days: covered days of the quota period's days; phasing: the month's weight × covered share of the month.
      if (usePhasing) addFraction((quota.phasing!.get(month.id) ?? ZERO).times(covered).times(ramp), periodDays(month));
      else addFraction(ramp.times(covered), quotaDays);
    }
    target = quota.target.times(numerator).dividedBy(denominator);
  }
  let fx: FxUse | undefined;
  if (quota.measure.kind === 'revenue' && quota.currency !== undefined && quota.currency !== plan.currency) {
    const rate = lookup.fx.lookup(quota.currency, plan.currency as CurrencyCode, period.start);
    if (rate === undefined) return undefined;
    if (rate !== 'same') {
      fx = rate;
      target = target.times(rate.rate);
    }
  }
  // Kept by every payer of the period (and its provenance) for the whole run: a compact copy.
  return { quota, effectiveTarget: compact(target), fx };
}
