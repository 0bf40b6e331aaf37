import type { z } from 'zod';
import type { RawDataset } from '../input/dataset.schema.js';
import type { planSchema } from '../plan/plan.schema.js';

/** A plan document as `parsePlan` reads it (decimal strings, YYYY-MM-DD dates). */
export type RawPlan = z.input<typeof planSchema>;

export const AE_PLAN_ID = 'ae-commission';
export const MANAGER_PLAN_ID = 'flm-rollup';

/** AE on-target commission rate (of credited revenue, between 50 % and 100 % attainment). */
const AE_BASE_RATE = 0.1;
/** The AE component pays at most this many times the median rep's on-target quarterly commission. */
const AE_CAP_MULTIPLE = 3;
/** New hires: quota factor for their first tenure months. */
const NEW_HIRE_RAMP = ['0.5', '0.75'];
/** New hires: a non-recoverable guarantee of this share of their on-target commission, for 90 days. */
const NEW_HIRE_GUARANTEE_SHARE = 0.5;
const NEW_HIRE_GUARANTEE_DAYS = 90;

function addDaysText(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Three significant digits, at least 1 ("31245.7" → "31200"). */
function roundAmount(value: number): string {
  if (!(value >= 1)) return '1';
  const step = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 2);
  return String(Math.round(value / step) * step);
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The plans that go with a tenant document (from `generateTenant`, or any document with
 * the same conventions: reps are team members, first-line managers are team managers):
 *
 * - an AE plan for reps: quarterly, hybrid tiers on attainment (a decelerator below 50 %,
 *   the base rate to 100 %, paid retroactively; accelerators above 100 %, paid marginally),
 *   capped per quarter. Reps who start during `year` join on their start date with a
 *   two-month ramp and a 90-day non-recoverable guarantee.
 * - a first-line manager plan: quarterly, on rollup credit from direct reports, with
 *   retroactive tiers on the manager's own quota.
 */
export function generatePlans(tenantDoc: RawDataset, year: number): RawPlan[] {
  const from = `${String(year).padStart(4, '0')}-01-01`;
  const to = `${String(year + 1).padStart(4, '0')}-01-01`;
  const currency = tenantDoc.tenant.currency;
  const teams = tenantDoc.teams ?? [];
  const managerIds: string[] = [];
  const repIds: string[] = [];
  const seenManagers = new Set<string>();
  const seenReps = new Set<string>();
  for (const team of teams) {
    if (team.managerId !== undefined && !seenManagers.has(team.managerId)) {
      seenManagers.add(team.managerId);
      managerIds.push(team.managerId);
    }
    for (const member of team.members) {
      const id = typeof member === 'string' ? member : member.userId;
      if (!seenReps.has(id)) {
        seenReps.add(id);
        repIds.push(id);
      }
    }
  }
  if (repIds.length === 0 || managerIds.length === 0) throw new RangeError('generatePlans needs a tenant with teams: members are the reps, team managers the first-line managers');

  // Quarterly quota per rep for the year, in the home currency where we have it.
  const repQuota = new Map<string, number>();
  const homeQuotas: number[] = [];
  const quarter = new RegExp(`^${year}-Q[1-4]$`);
  for (const q of tenantDoc.quotas ?? []) {
    if (q.userId === undefined || !seenReps.has(q.userId) || !quarter.test(q.period) || (q.measure !== undefined && q.measure !== 'revenue')) continue;
    const target = Number(q.target);
    if (!Number.isFinite(target)) continue;
    if (!repQuota.has(q.userId)) repQuota.set(q.userId, target);
    if ((q.currency ?? currency) === currency) homeQuotas.push(target);
  }
  const typicalQuota = median(homeQuotas) ?? 250_000;
  const cap = roundAmount(typicalQuota * AE_BASE_RATE * AE_CAP_MULTIPLE);

  const startDates = new Map<string, string>();
  for (const user of tenantDoc.users) if (user.startDate !== undefined) startDates.set(user.id, user.startDate);

  const aePayees: RawPlan['payees'] = repIds.map((id) => {
    const start = startDates.get(id);
    if (start === undefined || start <= from || start >= to) return { user: id };
    const onTarget = (repQuota.get(id) ?? typicalQuota) * AE_BASE_RATE;
    return {
      user: id,
      from: start,
      ramp: NEW_HIRE_RAMP,
      draw: { type: 'non-recoverable-guarantee' as const, amount: roundAmount(onTarget * NEW_HIRE_GUARANTEE_SHARE), from: start, to: addDaysText(start, NEW_HIRE_GUARANTEE_DAYS) },
    };
  });

  const ae: RawPlan = {
    id: AE_PLAN_ID,
    version: 1,
    name: `Account Executive ${year}`,
    effective: { from, to },
    period: 'quarter',
    currency,
    rounding: 'half-even',
    proration: 'days',
    payees: aePayees,
    components: [
      {
        id: 'bookings',
        name: 'Bookings commission',
        type: 'commission',
        measure: 'revenue',
        credit: { quota: ['revenue'], payout: ['revenue'] },
        tiers: {
          mode: 'hybrid',
          basis: 'attainment',
          marginalFrom: '100',
          baseRate: String(AE_BASE_RATE),
          table: [
            { upTo: '50', multiplier: '0.5' },
            { upTo: '100', multiplier: '1' },
            { upTo: '150', multiplier: '1.5' },
            { multiplier: '2' },
          ],
        },
        cap,
      },
    ],
  };

  const manager: RawPlan = {
    id: MANAGER_PLAN_ID,
    version: 1,
    name: `First-line manager ${year}`,
    effective: { from, to },
    period: 'quarter',
    currency,
    rounding: 'half-even',
    proration: 'days',
    payees: managerIds.map((id) => ({ user: id })),
    components: [
      {
        id: 'team-bookings',
        name: 'Team bookings override',
        type: 'commission',
        measure: 'revenue',
        credit: { quota: ['rollup'], payout: ['rollup'], rollupLevels: 1 },
        tiers: {
          mode: 'retroactive',
          basis: 'attainment',
          table: [
            { upTo: '80', rate: '0.01' },
            { upTo: '100', rate: '0.015' },
            { rate: '0.025' },
          ],
        },
      },
    ],
  };
  return [ae, manager];
}
