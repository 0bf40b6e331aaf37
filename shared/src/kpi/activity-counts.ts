import { Decimal } from '../money/decimal.js';
import { ACTIVITY_TYPES, type ActivityType } from '../domain/activities.js';
import { addDays, daysBetween, maxDate, minDate } from '../time/iso-date.js';
import { contains } from '../time/period.js';
import type { KpiContext } from './kpi-context.js';
import { subjectActivities } from './subject.js';

export interface ActivityRate {
  readonly count: number;
  /** count × 7 ÷ observed days; undefined before the period has started. */
  readonly perWeek: Decimal | undefined;
}

export interface ActivityCounts {
  /** Days of the period on or before `asOf`: the whole period once it is over. */
  readonly observedDays: number;
  readonly total: ActivityRate;
  readonly byType: Readonly<Record<ActivityType, ActivityRate>>;
}

/**
 * Completed activities of the subject (a team's members while members) in the period up to
 * `asOf`. Rates divide by the days observed so far rather than the whole period, so a rep
 * three weeks into a quarter is not shown a rate diluted by ten weeks that have not happened.
 */
export function activityCounts(ctx: KpiContext): ActivityCounts {
  const { period, asOf, scope } = ctx;
  const observedEnd = minDate(period.end, addDays(asOf, 1));
  const observedDays = Math.max(0, daysBetween(period.start, maxDate(period.start, observedEnd)));
  const counts = new Map<ActivityType, number>(ACTIVITY_TYPES.map((t) => [t, 0]));
  for (const a of subjectActivities(ctx.index, scope)) {
    if (a.status !== 'completed' || a.occurredAt > asOf || !contains(period, a.occurredAt)) continue;
    if (!scope.includes(a.userId, a.occurredAt)) continue;
    counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  }
  const rate = (count: number): ActivityRate => ({ count, perWeek: observedDays === 0 ? undefined : new Decimal(count).times(7).dividedBy(observedDays) });
  const byType = Object.fromEntries(ACTIVITY_TYPES.map((t) => [t, rate(counts.get(t) ?? 0)])) as Record<ActivityType, ActivityRate>;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return { observedDays, total: rate(total), byType };
}
