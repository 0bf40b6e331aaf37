import { ONE, ZERO, minDecimal, type Decimal } from '../money/decimal.js';
import { displayMoney } from '../money/money.js';
import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import { measureKey, type Measure } from '../domain/quotas.js';
import type { Component, CreditKind, Plan, PlanAssignment } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { contains, type Period } from '../time/period.js';
import { componentLines, type CreditEvent, type RawLine } from './component-lines.js';
import { activityCredits, dealCredits, type DealCredit } from './credits.js';
import { effectiveQuota, findQuota, type QuotaLookup } from './quota-target.js';
import type { AttainmentSummary, EngineException, FxUse } from './statement.js';
import { outcomeOf, type TenantIndex } from './tenant-index.js';
import { attainmentPercent } from './tiers.js';

/** A plan line of a payee's period, with the plan it came from. */
export type PlanLine = RawLine;

export interface PayeePeriodLines {
  readonly payeeId: UserId;
  readonly plans: readonly Plan[];
  readonly lines: readonly PlanLine[];
  readonly attainment: readonly AttainmentSummary[];
}

export interface PeriodLinesResult {
  readonly byPayee: ReadonlyMap<UserId, PayeePeriodLines>;
  readonly exceptions: readonly EngineException[];
}

/** Of each plan id, the highest version in force during the period and paying on its cadence. */
export function plansInForce(plans: readonly Plan[], period: Period): Plan[] {
  const best = new Map<string, Plan>();
  for (const plan of plans) {
    if (plan.periodKind !== period.kind) continue;
    if (plan.effectiveFrom >= period.end || (plan.effectiveTo !== undefined && plan.effectiveTo <= period.start)) continue;
    const current = best.get(plan.id);
    if (!current || plan.version > current.version) best.set(plan.id, plan);
  }
  return [...best.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function assignmentCovers(a: PlanAssignment, date: IsoDate): boolean {
  return date >= a.from && (a.to === undefined || date < a.to);
}

function matchesFilter(component: Component, deal: Deal, valueInPlan: Decimal): boolean {
  const f = component.filter;
  if (f.pipelines && !f.pipelines.includes(deal.pipelineId)) return false;
  for (const [property, allowed] of Object.entries(f.properties)) {
    const actual = deal.properties[property];
    if (actual === undefined || !allowed.includes(actual)) return false;
  }
  return f.minAmount === undefined || valueInPlan.greaterThanOrEqualTo(f.minAmount);
}

interface CreditedRecord {
  readonly deal: Deal | undefined;
  readonly activity: Activity | undefined;
  readonly credits: DealCredit[];
}

function valueOf(measure: Measure, deal: Deal | undefined, activity: Activity | undefined, dealValue: Decimal, share: Decimal): Decimal {
  // Whole credit is the common case; skipping the multiplication by one matters at a million deals.
  if (measure.kind === 'revenue') return deal ? (share === ONE ? dealValue : dealValue.times(share)) : ZERO;
  if (measure.kind === 'deal-count') return deal ? share : ZERO;
  return activity && activity.type === measure.activityType ? share : ZERO;
}

function counts(kinds: readonly CreditKind[], credit: DealCredit, rollupLevels: number): boolean {
  return kinds.includes(credit.kind) && (credit.kind !== 'rollup' || credit.level <= rollupLevels);
}

/**
 * Every plan line of every payee for one period, computed from scratch from the data as
 * known on `asOf`: credits, quotas, tiers, gates, component and plan caps.
 */
export function periodLines(index: TenantIndex, plans: readonly Plan[], period: Period, asOf: IsoDate, onlyPayees?: ReadonlySet<UserId>): PeriodLinesResult {
  const exceptions: EngineException[] = [];
  const active = plansInForce(plans, period);
  const assigned = new Set<UserId>();
  for (const plan of active) for (const a of plan.payees) if (!onlyPayees || onlyPayees.has(a.userId)) assigned.add(a.userId);
  let rollupLevels = 0;
  for (const plan of active) for (const c of plan.components) if (c.credit.quota.includes('rollup') || c.credit.payout.includes('rollup')) rollupLevels = Math.max(rollupLevels, c.credit.rollupLevels);

  const records = new Map<UserId, CreditedRecord[]>();
  const add = (credits: DealCredit[], deal: Deal | undefined, activity: Activity | undefined): void => {
    for (const c of credits) {
      if (!assigned.has(c.payeeId)) continue;
      const bucket = records.get(c.payeeId);
      // A deal's credits arrive together, so a payee credited twice on it (two reports' roll-ups) finds it last.
      const last = bucket?.[bucket.length - 1];
      if (last && last.deal === deal && last.activity === activity) last.credits.push(c);
      else if (bucket) bucket.push({ deal, activity, credits: [c] });
      else records.set(c.payeeId, [{ deal, activity, credits: [c] }]);
    }
  };
  for (const deal of index.data.deals) {
    if (!contains(period, deal.closeDate) || deal.closeDate > asOf) continue;
    const outcome = outcomeOf(index, deal);
    if (outcome === undefined) {
      exceptions.push({ code: 'unknown_stage', recordId: deal.id, message: `Deal ${deal.id} is in stage "${deal.stageId}", which pipeline "${deal.pipelineId}" does not have`, fix: 'sync the pipeline definitions again, or correct the deal\'s stage' });
      continue;
    }
    if (outcome !== 'won') continue;
    const credits = dealCredits(deal, index.hierarchy, rollupLevels);
    if (!Array.isArray(credits)) {
      exceptions.push(credits);
      continue;
    }
    add(credits, deal, undefined);
  }
  for (const activity of index.data.activities) {
    if (activity.status !== 'completed' || !contains(period, activity.occurredAt) || activity.occurredAt > asOf) continue;
    add(activityCredits(activity, index.hierarchy, rollupLevels), undefined, activity);
  }
  for (const list of records.values()) list.sort((a, b) => compareRecords(a, b));

  const quotaLookup: QuotaLookup = { ...index.quotas, fx: index.fx, asOf };
  const byPayee = new Map<UserId, { plans: Plan[]; lines: PlanLine[]; attainment: AttainmentSummary[] }>();
  const dealValueCache = new Map<string, { value: Decimal; fx: FxUse | undefined } | undefined>();
  const dealValue = (deal: Deal, plan: Plan): { value: Decimal; fx: FxUse | undefined } | undefined => {
    if (deal.currency === plan.currency) return { value: deal.amount, fx: undefined };
    const cacheKey = `${deal.id}>${plan.currency}`;
    if (dealValueCache.has(cacheKey)) return dealValueCache.get(cacheKey);
    const fx = index.fx.lookup(deal.currency, plan.currency, deal.closeDate);
    let result: { value: Decimal; fx: FxUse | undefined } | undefined;
    if (fx === undefined) {
      exceptions.push({ code: 'missing_fx_rate', recordId: deal.id, message: `No ${deal.currency}→${plan.currency} rate on or before ${deal.closeDate} to credit deal ${deal.id} under plan ${plan.id}`, fix: `add an FX rate from ${deal.currency} to ${plan.currency} dated on or before ${deal.closeDate}` });
      result = undefined;
    } else result = fx === 'same' ? { value: deal.amount, fx: undefined } : { value: deal.amount.times(fx.rate), fx };
    dealValueCache.set(cacheKey, result);
    return result;
  };

  for (const plan of active) {
    for (const assignment of plan.payees) {
      if (!assigned.has(assignment.userId)) continue;
      if (assignment.from >= period.end || (assignment.to !== undefined && assignment.to <= period.start)) continue;
      const user = index.users.get(assignment.userId);
      const mine = (records.get(assignment.userId) ?? []).filter((r) => assignmentCovers(assignment, r.deal?.closeDate ?? r.activity!.occurredAt));
      const planLines: PlanLine[] = [];
      const summaries: AttainmentSummary[] = [];
      plan.components.forEach((component, componentIndex) => {
        const events: CreditEvent[] = [];
        for (const record of mine) {
          const { deal, activity } = record;
          let valued: { value: Decimal; fx: FxUse | undefined } | undefined = { value: ZERO, fx: undefined };
          if (deal) {
            if (component.measure.kind === 'activity') continue;
            valued = dealValue(deal, plan);
            if (!valued || !matchesFilter(component, deal, valued.value)) continue;
          } else if (component.measure.kind !== 'activity') continue;
          let quotaValue = ZERO;
          let payoutValue = ZERO;
          let payoutShare = ZERO;
          let primary: DealCredit | undefined;
          const vias: UserId[] = [];
          for (const credit of record.credits) {
            if (counts(component.credit.quota, credit, component.credit.rollupLevels)) {
              const v = valueOf(component.quotaMeasure, deal, activity, valued.value, credit.share);
              quotaValue = quotaValue.isZero() ? v : quotaValue.plus(v);
            }
            if (counts(component.credit.payout, credit, component.credit.rollupLevels)) {
              const v = valueOf(component.measure, deal, activity, valued.value, credit.share);
              if (v.isZero()) continue;
              payoutValue = payoutValue.isZero() ? v : payoutValue.plus(v);
              payoutShare = payoutShare.isZero() ? credit.share : payoutShare.plus(credit.share);
              primary ??= credit;
              if (credit.via !== undefined && !vias.includes(credit.via)) vias.push(credit.via);
            }
          }
          if (quotaValue.isZero() && payoutValue.isZero()) continue;
          events.push({
            recordId: deal?.id ?? activity!.id,
            date: deal?.closeDate ?? activity!.occurredAt,
            deal,
            activity,
            quotaValue,
            payoutValue,
            payoutShare,
            // Several credits on one deal (a manager over two split reps) are described as their total.
            credit: primary && { kind: primary.kind, percent: payoutShare.times(100), via: vias.length === 1 ? vias[0] : undefined },
            vias,
            creditFx: valued.fx,
          });
        }
        const needsQuota = (component.type === 'commission' && component.tiers.basis === 'attainment') || component.type === 'attainment-bonus' || component.gate !== undefined;
        const quotaRecord = findQuota(quotaLookup, assignment.userId, component.quotaMeasure, period, index.data.calendar);
        const quota = quotaRecord && effectiveQuota(quotaLookup, quotaRecord, plan, assignment, user, period, index.data.calendar);
        if (needsQuota && (!quota || quota.effectiveTarget.isZero())) {
          exceptions.push({
            code: 'missing_quota',
            recordId: `${assignment.userId}/${plan.id}/${component.id}`,
            message: `${user?.name ?? assignment.userId} has no ${measureKey(component.quotaMeasure)} quota for ${period.id} (needed by ${component.name} in plan ${plan.id})${quotaRecord ? ' that converts to the plan currency or is above zero' : ''}; the component pays nothing for them until it does`,
            fix: `add a ${measureKey(component.quotaMeasure)} quota for ${assignment.userId} covering ${period.id}${quotaRecord ? ', with an FX rate into the plan currency' : ''}`,
          });
          return;
        }
        const result = componentLines(plan, componentIndex, events, quota);
        for (const line of result.lines) planLines.push(line);
        summaries.push({
          planId: plan.id,
          componentId: component.id,
          measure: measureKey(component.quotaMeasure),
          quota: quota?.effectiveTarget,
          credited: result.credited,
          attainment: attainmentPercent(result.credited, quota?.effectiveTarget),
        });
      });
      const entry = byPayee.get(assignment.userId) ?? { plans: [], lines: [], attainment: [] };
      entry.plans.push(plan);
      entry.lines.push(...applyPeriodCap(plan, planLines));
      entry.attainment.push(...summaries);
      byPayee.set(assignment.userId, entry);
    }
  }
  const result = new Map<UserId, PayeePeriodLines>();
  for (const [payeeId, entry] of byPayee) result.set(payeeId, { payeeId, ...entry });
  return { byPayee: result, exceptions: dedupeExceptions(exceptions) };
}

function compareRecords(a: CreditedRecord, b: CreditedRecord): number {
  const da = a.deal?.closeDate ?? a.activity!.occurredAt;
  const db = b.deal?.closeDate ?? b.activity!.occurredAt;
  if (da !== db) return da < db ? -1 : 1;
  const ia = a.deal?.id ?? a.activity!.id;
  const ib = b.deal?.id ?? b.activity!.id;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

export function compareLines(a: RawLine, b: RawLine): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.componentIndex !== b.componentIndex) return a.componentIndex - b.componentIndex;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The plan-wide cap across components, applied after each component's own cap, in line order. */
function applyPeriodCap(plan: Plan, lines: PlanLine[]): PlanLine[] {
  const sorted = [...lines].sort(compareLines);
  if (plan.periodCap === undefined) return sorted;
  let desired = ZERO;
  let paid = ZERO;
  return sorted.map((line) => {
    desired = desired.plus(line.payable);
    const newPaid = minDecimal(desired, plan.periodCap!);
    const payable = newPaid.minus(paid);
    paid = newPaid;
    if (payable.equals(line.payable)) return line;
    return {
      ...line,
      payable,
      explanation: `${line.explanation} Plan cap: ${plan.name} pays at most ${displayMoney({ amount: plan.periodCap!, currency: plan.currency }, plan.rounding)} a period, so this line pays ${displayMoney({ amount: payable, currency: plan.currency }, plan.rounding)}.`,
      provenance: { ...line.provenance, capped: true },
    };
  });
}

function dedupeExceptions(list: EngineException[]): EngineException[] {
  const seen = new Map<string, EngineException>();
  for (const e of list) seen.set(`${e.code}|${e.recordId}|${e.message}`, e);
  return [...seen.values()].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.code < b.code ? -1 : 1));
}
