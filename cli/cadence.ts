import type { Plan } from '../shared/src/plan/plan.js';
import { plansInForce } from '../shared/src/engine/period-lines.js';
import type { IsoDate } from '../shared/src/time/iso-date.js';
import { nextPeriod, periodContaining, type FiscalCalendar, type Period, type PeriodKind } from '../shared/src/time/period.js';

/**
 * Which periods `spm calc --period X` computes when the plan folder mixes cadences.
 *
 * A commission admin closing Q3 wants everything Q3 pays: the quarterly plans for Q3, and
 * the monthly plans for July, August and September (periods that tile the quarter). A plan
 * whose periods are longer than the one asked for (a quarterly plan when asking for a
 * month), or that do not tile it (weeks, custom periods), is not computed; the output
 * says which plans were skipped and which --period computes them.
 */
export interface CadenceGroup {
  readonly kind: PeriodKind;
  /** The periods of this cadence inside the requested one, oldest first. */
  readonly periods: readonly Period[];
  readonly plans: readonly Plan[];
}

export interface SkippedPlans {
  readonly kind: PeriodKind;
  readonly plans: readonly Plan[];
  readonly reason: string;
}

export interface CadencePlan {
  readonly groups: readonly CadenceGroup[];
  readonly skipped: readonly SkippedPlans[];
}

const RANK: Partial<Record<PeriodKind, number>> = { month: 1, quarter: 2, year: 3 };

export function cadenceLabel(kind: PeriodKind): string {
  return kind === 'month' ? 'monthly' : kind === 'quarter' ? 'quarterly' : kind === 'year' ? 'yearly' : kind === 'week' ? 'weekly' : 'custom-period';
}

export function planCadences(target: Period, plans: readonly Plan[], calendar: FiscalCalendar, asOf: IsoDate): CadencePlan {
  const kinds = [...new Set(plans.map((p) => p.periodKind))];
  const groups: CadenceGroup[] = [];
  const skipped: SkippedPlans[] = [];
  for (const kind of kinds) {
    const ofKind = plans.filter((p) => p.periodKind === kind);
    if (kind === target.kind) {
      if (plansInForce(ofKind, target).length > 0) groups.push({ kind, periods: [target], plans: ofKind });
      else skipped.push({ kind, plans: ofKind, reason: `not in force during ${target.id}` });
      continue;
    }
    const rank = RANK[kind];
    const targetRank = RANK[target.kind];
    if (rank === undefined || targetRank === undefined) {
      skipped.push({ kind, plans: ofKind, reason: `${cadenceLabel(kind)} periods do not line up with ${target.id}; run spm calc with a ${kind} --period for them` });
      continue;
    }
    if (rank > targetRank) {
      const containing = periodContaining(target.start, kind, calendar);
      skipped.push({ kind, plans: ofKind, reason: `they pay by ${kind}, and ${target.id} is only part of one; run spm calc --period ${containing.id} for them` });
      continue;
    }
    const periods: Period[] = [];
    const later: Period[] = [];
    for (let p = periodContaining(target.start, kind, calendar); p.start < target.end; p = nextPeriod(p, calendar)) {
      if (p.end > target.end) break;
      if (plansInForce(ofKind, p).length === 0) continue;
      if (p.start > asOf) later.push(p);
      else periods.push(p);
    }
    if (periods.length > 0) groups.push({ kind, periods, plans: ofKind });
    if (later.length > 0) skipped.push({ kind, plans: ofKind, reason: `${later.map((p) => p.id).join(', ')} start${later.length === 1 ? 's' : ''} after the as-of date ${asOf}` });
    if (periods.length === 0 && later.length === 0) skipped.push({ kind, plans: ofKind, reason: `not in force during ${target.id}` });
  }
  // The requested cadence first, then finer ones; coarse to fine reads like a pay calendar.
  groups.sort((a, b) => (RANK[b.kind] ?? 0) - (RANK[a.kind] ?? 0));
  return { groups, skipped };
}
