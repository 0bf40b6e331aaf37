import { HUNDRED, ZERO, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Dataset } from '../domain/dataset.js';
import type { Deal } from '../domain/deals.js';
import type { DealId, UserId } from '../domain/ids.js';
import { InputError } from '../input/input-error.js';
import type { Plan } from '../plan/plan.js';
import { maxDate, type IsoDate } from '../time/iso-date.js';
import { periodContaining, type PeriodId } from '../time/period.js';
import { payeeShare, shareIndex, type PayeeShare } from './payee-scope.js';
import { plansInForce } from './period-lines.js';
import { runStatements, type LockedPeriod } from './run.js';
import { commissionLineFor, type AttainmentSummary, type PayoutLine, type Statement } from './statement.js';
import { indexTenant, outcomeOf, type TenantIndex } from './tenant-index.js';

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
  /** A prebuilt index of `data` (indexTenant), reused across estimates; built here when absent. */
  readonly index?: TenantIndex;
}

const PLAN_KINDS = new Set(['commission', 'true-up', 'gate-release', 'spiff', 'bonus']);

/**
 * "What would this open deal pay me if it closed on its expected date?" The same engine
 * on the same data, with the deal marked won. When several deals are estimated, they are
 * taken in a declared order (expected close date, then id) and each estimate assumes the
 * earlier ones closed too, so estimates add up to the combined outcome.
 *
 * Each run is restricted to the payee and reads only the records that credit them
 * (payee-scope.ts): the statement is the same as on the whole tenant, at a cost that
 * follows the payee's records rather than the tenant's. A deal's "before" is the previous
 * deal's "after" whenever the two runs cannot differ, so N deals in one period usually
 * cost N + 1 runs. Pass the caller's `index` of `data` so it is not rebuilt.
 */
export function estimateOpenDeals(input: EstimateInput): DealEstimate[] {
  const baseIndex = input.index ?? indexTenant(input.data);
  const payees = new Set([input.payeeId]);
  const share = payeeShare(baseIndex, input.payeeId);
  const wanted = input.dealIds && new Set<string>(input.dealIds);
  const candidates = share.deals
    .filter((d) => (wanted ? wanted.has(d.id) : true))
    .filter((d) => outcomeOf(baseIndex, d) === 'open')
    .sort((a, b) => (a.closeDate !== b.closeDate ? (a.closeDate < b.closeDate ? -1 : 1) : a.id < b.id ? -1 : 1));
  if (input.dealIds) {
    const found = new Set<string>(candidates.map((d) => d.id));
    const missing = input.dealIds.filter((id) => !found.has(id));
    if (missing.length > 0) throw new InputError('estimate', missing.map((id) => ({ path: `dealIds`, message: `deal ${id} is not an open deal that credits ${input.payeeId}`, fix: 'estimate only open deals the payee owns, is split on, or manages' })));
  }
  // Deals that are neither won nor to be estimated are never paid: left out, they cost no run anything.
  const estimated = new Set<string>(candidates.map((d) => d.id));
  let deals = share.deals.filter((d) => estimated.has(d.id) || outcomeOf(baseIndex, d) === 'won');
  let changed = new Map<string, Deal>();
  const learnsBetween = knowledgeChanges(baseIndex, share);
  // The last "after" run, on the data the next deal's "before" runs on: that "before" when it asks for the same period, as of a day that knows nothing more.
  let previous: { period: PeriodId; asOf: IsoDate; statement: Statement | undefined } | undefined;
  const estimates: DealEstimate[] = [];
  for (const deal of candidates) {
    const plan = input.plans.find((p) => p.payees.some((a) => a.userId === input.payeeId) && plansInForce([p], periodContaining(deal.closeDate, p.periodKind, input.data.calendar)).length > 0);
    if (!plan) continue;
    const period = periodContaining(deal.closeDate, plan.periodKind, input.data.calendar);
    const asOf = maxDate(input.asOf, deal.closeDate);
    const wonStage = baseIndex.wonStageByPipeline.get(deal.pipelineId);
    if (!wonStage) continue;
    // A run pays only won deals and completed activities dated up to the period's end and asOf
    // (the rest only raise exceptions, unread here): the fewer records, the less each run sorts.
    const readable = (date: IsoDate): boolean => date < period.end && date <= asOf;
    const activities = share.activities.filter((a) => a.status === 'completed' && readable(a.occurredAt));
    const run = (d: readonly Deal[], c: ReadonlyMap<string, Deal>): Statement | undefined => {
      const paid = d.filter((x) => readable(x.closeDate) && outcomeOf(baseIndex, x) === 'won');
      const index = shareIndex(baseIndex, paid, activities, c);
      return runStatements({ plans: input.plans, data: index.data, index, period: period.id, asOf, payees, ...(input.locked ? { locked: input.locked } : {}) }).statements.find((s) => s.payeeId === input.payeeId);
    };
    const same = previous !== undefined && previous.period === period.id && !learnsBetween(previous.asOf, asOf);
    const before = same ? previous!.statement : run(deals, changed);
    const won: Deal = { ...deal, stageId: wonStage.id };
    const withDeal = deals.map((d) => (d.id === deal.id ? won : d));
    changed = new Map(changed).set(deal.id, won);
    const after = run(withDeal, changed);
    deals = withDeal;
    previous = { period: period.id, asOf, statement: after };
    if (!after) continue;
    const planTotal = (s: Statement | undefined): Decimal => (s?.lines ?? []).filter((l) => PLAN_KINDS.has(l.kind)).reduce((t, l) => t.plus(l.amount), ZERO);
    const beforeLines = new Map((before?.lines ?? []).map((l) => [l.key, l]));
    const changedLines = after.lines.filter((l) => !beforeLines.get(l.key)?.amount.equals(l.amount));
    const own = commissionLineFor(after.lines, deal.id);
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
      lines: changedLines,
    });
  }
  return estimates;
}

/**
 * Whether a run as of `to` may know anything a run as of `from` (on or before it) does not:
 * a paid record of the payee's, a quota version or an FX rate dated in between. When not,
 * the two runs pay the same lines, totals and attainment (only the statement's as-of date
 * and the dates of lines paid "today" differ, and an estimate's "before" reads neither).
 * Deals estimated as won close on or before `from`, so the payee's won deals are read as they are.
 */
function knowledgeChanges(index: TenantIndex, share: PayeeShare): (from: IsoDate, to: IsoDate) => boolean {
  const dates: IsoDate[] = [];
  for (const d of share.deals) if (outcomeOf(index, d) === 'won') dates.push(d.closeDate);
  for (const a of share.activities) if (a.status === 'completed') dates.push(a.occurredAt);
  for (const q of index.data.quotas) dates.push(q.effectiveFrom);
  for (const r of index.data.fxRates) dates.push(r.date);
  dates.sort();
  return (from, to) => {
    if (from === to) return false;
    if (from > to) return true;
    // The first date after `from`, by binary search.
    let lo = 0;
    let hi = dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dates[mid]! > from) hi = mid;
      else lo = mid + 1;
    }
    return lo < dates.length && dates[lo]! <= to;
  };
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
