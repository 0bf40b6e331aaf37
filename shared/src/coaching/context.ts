import { Decimal, ZERO } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Activity } from '../domain/activities.js';
import type { Deal, Stage } from '../domain/deals.js';
import type { DealId, UserId } from '../domain/ids.js';
import type { User } from '../domain/people.js';
import { dealCredits } from '../engine/credits.js';
import { runStatements } from '../engine/run.js';
import type { Statement } from '../engine/statement.js';
import { indexTenant, type TenantIndex } from '../engine/tenant-index.js';
import { computeKpis, type KpiReport } from '../kpi/kpi-report.js';
import type { Plan } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import { marginalRate, type MarginalRate } from './marginal-rate.js';
import type { CoachingInput } from './types.js';

/** What every rule reads about one rep, computed once. */
export interface RepFacts {
  readonly repId: UserId;
  readonly user: User;
  readonly kpis: KpiReport;
  /** The rep's statement for the period as of asOf; undefined when no plan pays them on its cadence. */
  readonly statement: Statement | undefined;
  readonly payCurrency: CurrencyCode;
  readonly rate: MarginalRate;
}

export interface CoachingContext {
  readonly plans: readonly Plan[];
  readonly index: TenantIndex;
  readonly managerId: UserId;
  readonly period: Period;
  readonly asOf: IsoDate;
  readonly stalledDays: number;
  readonly coverageTarget: Decimal;
  readonly minStageDeals: Decimal;
  /** The manager's reports on asOf, by id: the reps prompted and the team conversion is compared with. */
  readonly team: readonly RepFacts[];
  /** The latest completed activity linked to each deal, up to asOf. */
  readonly lastActivity: ReadonlyMap<DealId, Activity>;
  stageOf(pipelineId: string, stageId: string): Stage | undefined;
}

export function buildContext(input: CoachingInput): CoachingContext {
  const index = input.index ?? indexTenant(input.data);
  const { period, asOf, plans } = input;
  const stalledDays = input.options?.stalledDays ?? 14;
  const coverageTarget = input.options?.coverageTarget ?? new Decimal(3);
  const minStageDeals = input.options?.minStageDeals ?? new Decimal(3);
  if (!Number.isInteger(stalledDays) || stalledDays < 0) throw new RangeError(`stalledDays must be a whole number of days ≥ 0, got ${stalledDays}`);
  if (!coverageTarget.greaterThan(0)) throw new RangeError(`coverageTarget must be above 0, got ${coverageTarget.toString()}`);
  if (minStageDeals.lessThan(0)) throw new RangeError(`minStageDeals must be ≥ 0, got ${minStageDeals.toString()}`);

  // A rep who has left (or whose CRM user is deactivated) cannot act on a prompt.
  const reps = index.hierarchy
    .reportsOf(input.managerId, asOf)
    .map((id) => index.users.get(id))
    .filter((u): u is User => u !== undefined && u.active && (u.endDate === undefined || u.endDate >= asOf));

  // One run for the whole team; without a plan on the period's cadence there is no statement to read.
  const statements = new Map<UserId, Statement>();
  if (reps.length > 0 && plans.some((p) => p.periodKind === period.kind)) {
    const run = runStatements({ plans, data: index.data, period: period.id, asOf, payees: new Set(reps.map((u) => u.id)), index });
    for (const s of run.statements) statements.set(s.payeeId, s);
  }

  const team = reps.map((user): RepFacts => {
    const statement = statements.get(user.id);
    const payCurrency = statement?.currency ?? user.payCurrency;
    return {
      repId: user.id,
      user,
      kpis: computeKpis({ index, period, asOf, subject: { userId: user.id } }),
      statement,
      payCurrency,
      rate: marginalRate(index, plans, statement, user.id, period, asOf, payCurrency),
    };
  });

  const lastActivity = new Map<DealId, Activity>();
  for (const a of index.data.activities) {
    if (a.dealId === undefined || a.status !== 'completed' || a.occurredAt > asOf) continue;
    const seen = lastActivity.get(a.dealId);
    // Ties on a day resolve by id so the evidence never depends on input order.
    if (!seen || a.occurredAt > seen.occurredAt || (a.occurredAt === seen.occurredAt && a.id > seen.id)) lastActivity.set(a.dealId, a);
  }

  // Read from the pipelines themselves so the rules do not depend on how the index lays stages out.
  const stages = new Map<string, Stage>();
  for (const p of index.data.pipelines) for (const s of p.stages) stages.set(JSON.stringify([p.id, s.id]), s);
  const stageOf = (pipelineId: string, stageId: string): Stage | undefined => stages.get(JSON.stringify([pipelineId, stageId]));

  return { plans, index, managerId: input.managerId, period, asOf, stalledDays, coverageTarget, minStageDeals, team, lastActivity, stageOf };
}

/** The rep's revenue share of a deal (0..1); zero when the deal's splits are invalid, as the engine pays nobody on it then. */
export function revenueShare(index: TenantIndex, deal: Deal, repId: UserId): Decimal {
  const credits = dealCredits(deal, index.hierarchy, 0);
  if (!Array.isArray(credits)) return ZERO;
  return credits.filter((c) => c.kind === 'revenue' && c.payeeId === repId).reduce((t, c) => t.plus(c.share), ZERO);
}
