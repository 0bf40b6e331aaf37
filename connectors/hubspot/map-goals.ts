import type { QuotaId, TeamId, UserId } from '../../shared/src/domain/ids.js';
import type { Measure, Quota } from '../../shared/src/domain/quotas.js';
import { parseCurrency } from '../../shared/src/money/currency.js';
import type { PeriodId } from '../../shared/src/time/period.js';
import { parseInstant, parseNumber, utcDate, type HsObject, type Mapped } from './hubspot-values.js';

/** Goal target properties (goal_targets object); names per HubSpot's goals guide, see BEHAVIOR.md. */
export const GOAL_PROPERTIES = ['hs_goal_name', 'hs_target_amount', 'hs_start_datetime', 'hs_end_datetime', 'hs_assignee_user_id', 'hs_assignee_team_id', 'hs_goal_target_currency_code', 'hs_lastmodifieddate'] as const;

/** The calendar period a goal target spans: a month, a quarter or a year (others are not quota periods here). */
export function periodOf(startMs: number, endMs: number): PeriodId | undefined {
  const start = utcDate(startMs);
  // Goal targets end either at the last millisecond of the period or at the next period's midnight.
  const lastDay = utcDate(endMs - 1);
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  if (d !== 1) return undefined;
  const [ey, em] = lastDay.split('-').map(Number) as [number, number];
  const lastOfMonth = utcDate(Date.UTC(ey, em, 0));
  if (lastDay !== lastOfMonth) return undefined;
  const months = (ey - y) * 12 + (em - m) + 1;
  if (months === 1) return `${y}-${String(m).padStart(2, '0')}` as PeriodId;
  if (months === 3 && (m - 1) % 3 === 0) return `${y}-Q${(m - 1) / 3 + 1}` as PeriodId;
  if (months === 12 && m === 1) return `${y}` as PeriodId;
  return undefined;
}

/**
 * What a goal measures. The API exposes no template field, so the goal's name decides
 * (HubSpot's templates are named "Revenue", "Deals won", "Calls made", …); a goal with a
 * currency is revenue whatever its name.
 */
export function measureOf(name: string, hasCurrency: boolean): Measure {
  if (hasCurrency) return { kind: 'revenue' };
  const n = name.toLowerCase();
  if (n.includes('call')) return { kind: 'activity', activityType: 'call' };
  if (n.includes('email')) return { kind: 'activity', activityType: 'email' };
  if (n.includes('meeting')) return { kind: 'activity', activityType: 'meeting' };
  if (n.includes('task')) return { kind: 'activity', activityType: 'task' };
  if (n.includes('deal')) return { kind: 'deal-count' };
  return { kind: 'revenue' };
}

/**
 * A goal target as a quota for the owner behind its assignee (or for its team). Goals are
 * assigned to HubSpot USERS, deals to OWNERS: the user id goes through the owners' userId map.
 */
export function mapGoal(o: HsObject, ownerByUserId: ReadonlyMap<string, string>, homeCurrency: string): Mapped<Omit<Quota, 'version' | 'effectiveFrom'>> {
  const p = o.properties;
  const where = `HubSpot goal target ${o.id}${p['hs_goal_name'] ? ` ("${p['hs_goal_name']}")` : ''}`;
  const target = parseNumber(p['hs_target_amount']);
  if (target === undefined || target === 'invalid') return { ok: false, problem: `${where} has target "${p['hs_target_amount'] ?? ''}", which is not a number; fix the goal's target in HubSpot` };
  const start = parseInstant(p['hs_start_datetime'] ?? undefined);
  const end = parseInstant(p['hs_end_datetime'] ?? undefined);
  const period = start !== undefined && end !== undefined ? periodOf(start, end) : undefined;
  if (!period) return { ok: false, problem: `${where} does not span a calendar month, quarter or year; quotas need one of those periods` };
  const userId = p['hs_assignee_user_id']?.trim();
  const teamId = p['hs_assignee_team_id']?.trim();
  const ownerId = userId ? ownerByUserId.get(userId) : undefined;
  if (!ownerId && !teamId) return { ok: false, problem: `${where} is assigned to HubSpot user ${userId ?? '(none)'}, who is not a deal owner; assign it to a sales rep or a team` };
  const currencyCode = p['hs_goal_target_currency_code']?.trim();
  const measure = measureOf(p['hs_goal_name'] ?? '', Boolean(currencyCode));
  const currency = measure.kind === 'revenue' ? parseCurrency(currencyCode || homeCurrency) : undefined;
  return {
    ok: true,
    value: { id: `goal-${o.id}` as QuotaId, owner: ownerId ? { userId: ownerId as UserId } : { teamId: teamId as TeamId }, measure, period, target, currency, phasing: undefined },
  };
}
