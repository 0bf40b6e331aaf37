import { HUNDRED, ZERO, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Dataset } from '../domain/dataset.js';
import type { Deal } from '../domain/deals.js';
import type { DealId, UserId } from '../domain/ids.js';
import { InputError } from '../input/input-error.js';
import type { Plan } from '../plan/plan.js';
import { maxDate, type IsoDate } from '../time/iso-date.js';
import { periodContaining, type PeriodId } from '../time/period.js';
import { dealCredits } from './credits.js';
import { plansInForce } from './period-lines.js';
import { runStatements, type LockedPeriod } from './run.js';
import type { AttainmentSummary, PayoutLine, Statement } from './statement.js';
import { indexTenant, outcomeOf } from './tenant-index.js';

export interface NextTier {
  readonly planId: string;
  readonly componentId: string;
  readonly tier: number;
  /** Attainment % at which the next tier starts. */
  readonly atAttainment: Decimal;
  /** Quota credit still needed to reach it (plan currency, or units). */
  readonly creditNeeded: Decimal;
}

export interface DealEstimate {
  readonly dealId: DealId;
  readonly payeeId: UserId;
  readonly period: PeriodId;
  readonly closeDate: IsoDate;
  readonly currency: CurrencyCode;
  /** Change in plan lines (commission, true-ups, spiffs, bonuses) if the deal closes won. */
  readonly commission: Decimal;
  /** Change in the statement total, after draws and netting (may be less than `commission` under a guarantee). */
  readonly netPay: Decimal;
  readonly attainmentBefore: readonly AttainmentSummary[];
  readonly attainmentAfter: readonly AttainmentSummary[];
  /** The tier the deal's own commission lands in (highest slice), if it pays tiered commission. */
  readonly landsInTier: number | undefined;
  readonly nextTier: NextTier | undefined;
  /** The lines that would be added or change, with their explanations. */
  readonly lines: readonly PayoutLine[];
}

export interface EstimateInput {
  readonly plans: readonly Plan[];
  readonly data: Dataset;
  readonly payeeId: UserId;
  readonly asOf: IsoDate;
  /** Which open deals; default: every open deal that would credit the payee. */
  readonly dealIds?: readonly DealId[];
  readonly locked?: readonly LockedPeriod[];
}

const PLAN_KINDS = new Set(['commission', 'true-up', 'gate-release', 'spiff', 'bonus']);

/**
 * "What would this open deal pay me if it closed on its expected date?" The same engine
 * on the same data, with the deal marked won. When several deals are estimated, they are
 * taken in a declared order (expected close date, then id) and each estimate assumes the
 * earlier ones closed too, so estimates add up to the combined outcome.
 */
export function estimateOpenDeals(input: EstimateInput): DealEstimate[] {
  const baseIndex = indexTenant(input.data);
  const payees = new Set([input.payeeId]);
  const candidates = input.data.deals
    .filter((d) => (input.dealIds ? input.dealIds.includes(d.id) : true))
    .filter((d) => outcomeOf(baseIndex, d) === 'open')
    .filter((d) => creditsPayee(d, input.payeeId, baseIndex))
    .sort((a, b) => (a.closeDate !== b.closeDate ? (a.closeDate < b.closeDate ? -1 : 1) : a.id < b.id ? -1 : 1));
  if (input.dealIds) {
    const missing = input.dealIds.filter((id) => !candidates.some((d) => d.id === id));
    if (missing.length > 0) throw new InputError('estimate', missing.map((id) => ({ path: `dealIds`, message: `deal ${id} is not an open deal that credits ${input.payeeId}`, fix: 'estimate only open deals the payee owns, is split on, or manages' })));
  }
  let deals = [...input.data.deals];
  const estimates: DealEstimate[] = [];
  for (const deal of candidates) {
    const plan = input.plans.find((p) => p.payees.some((a) => a.userId === input.payeeId) && plansInForce([p], periodContaining(deal.closeDate, p.periodKind, input.data.calendar)).length > 0);
    if (!plan) continue;
    const period = periodContaining(deal.closeDate, plan.periodKind, input.data.calendar);
    const asOf = maxDate(input.asOf, deal.closeDate);
    const wonStage = baseIndex.wonStageByPipeline.get(deal.pipelineId);
    if (!wonStage) continue;
    const run = (d: readonly Deal[]): Statement | undefined => runStatements({ plans: input.plans, data: { ...input.data, deals: d }, period: period.id, asOf, payees, ...(input.locked ? { locked: input.locked } : {}) }).statements.find((s) => s.payeeId === input.payeeId);
    const before = run(deals);
    const withDeal = deals.map((d) => (d.id === deal.id ? { ...d, stageId: wonStage.id } : d));
    const after = run(withDeal);
    deals = withDeal;
    if (!after) continue;
    const planTotal = (s: Statement | undefined): Decimal => (s?.lines ?? []).filter((l) => PLAN_KINDS.has(l.kind)).reduce((t, l) => t.plus(l.amount), ZERO);
    const beforeLines = new Map((before?.lines ?? []).map((l) => [l.key, l]));
    const changed = after.lines.filter((l) => !beforeLines.get(l.key)?.amount.equals(l.amount));
    const own = after.lines.find((l) => l.kind === 'commission' && l.provenance?.deal?.id === deal.id);
    const slices = own?.provenance?.slices ?? [];
    estimates.push({
      dealId: deal.id,
      payeeId: input.payeeId,
      period: period.id,
      closeDate: deal.closeDate,
      currency: after.currency,
      commission: planTotal(after).minus(planTotal(before)),
      netPay: after.total.minus(before?.total ?? ZERO),
      attainmentBefore: before?.attainment ?? [],
      attainmentAfter: after.attainment,
      landsInTier: slices.length ? Math.max(...slices.map((s) => s.tier)) : undefined,
      nextTier: nextTierGap(input.plans, after.attainment),
      lines: changed,
    });
  }
  return estimates;
}

function creditsPayee(deal: Deal, payeeId: UserId, index: ReturnType<typeof indexTenant>): boolean {
  const credits = dealCredits(deal, index.hierarchy, 10);
  return Array.isArray(credits) && credits.some((c) => c.payeeId === payeeId);
}

/** The next attainment tier above where the payee stands, and the credit still needed to reach it. */
export function nextTierGap(plans: readonly Plan[], attainment: readonly AttainmentSummary[]): NextTier | undefined {
  for (const summary of attainment) {
    if (summary.attainment === undefined || summary.quota === undefined) continue;
    const plan = plans.find((p) => p.id === summary.planId);
    const component = plan?.components.find((c) => c.id === summary.componentId);
    if (!component || component.type !== 'commission' || component.tiers.basis !== 'attainment') continue;
    const rowIndex = component.tiers.rows.findIndex((r) => r.upTo !== undefined && r.upTo.greaterThan(summary.attainment!));
    if (rowIndex < 0) continue;
    const bound = component.tiers.rows[rowIndex]!.upTo!;
    return { planId: summary.planId, componentId: summary.componentId, tier: rowIndex + 2, atAttainment: bound, creditNeeded: bound.times(summary.quota).dividedBy(HUNDRED).minus(summary.credited) };
  }
  return undefined;
}
