import { HUNDRED, ONE, ZERO, minDecimal, type Decimal } from '../money/decimal.js';
import { displayMoney } from '../money/money.js';
import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { Component, Plan } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { pct, quantity, ratePhrase, slicesPhrase } from './explain.js';
import type { EffectiveQuota } from './quota-target.js';
import type { FxUse, LineKind, Provenance, TierSlice } from './statement.js';
import { attainmentPercent, initialTierState, payTiered, TierSchedule } from './tiers.js';
import type { CreditKind } from '../plan/plan.js';
import type { UserId } from '../domain/ids.js';

/** One deal or activity as it counts for one payee under one component. */
export interface CreditEvent {
  readonly recordId: string;
  readonly date: IsoDate;
  readonly deal: Deal | undefined;
  readonly activity: Activity | undefined;
  /** Moves attainment (plan currency for revenue, units for counts). */
  readonly quotaValue: Decimal;
  /** What is paid on. */
  readonly payoutValue: Decimal;
  /** The payee's share of the record across the payout credits (for per-deal fixed amounts). */
  readonly payoutShare: Decimal;
  readonly credit: { readonly kind: CreditKind; readonly percent: Decimal; readonly via: UserId | undefined } | undefined;
  /** Everyone whose credit passed up to this payee on the record (roll-ups). */
  readonly vias: readonly UserId[];
  readonly creditFx: FxUse | undefined;
}

/** A line in the plan currency, exact, with gate and caps applied but not yet converted or rounded. */
export interface RawLine {
  readonly plan: Plan;
  readonly key: string;
  readonly kind: LineKind;
  readonly date: IsoDate;
  readonly componentIndex: number;
  /** Before caps (0 while withheld by a gate). */
  readonly uncapped: Decimal;
  readonly payable: Decimal;
  readonly explanation: string;
  readonly provenance: Provenance;
}

interface DraftLine {
  readonly key: string;
  readonly kind: LineKind;
  readonly date: IsoDate;
  readonly amount: Decimal;
  readonly cumulativeAfter: Decimal;
  readonly explanation: string;
  readonly provenance: Omit<Provenance, 'calculated' | 'capped' | 'withheld' | 'payFx'>;
}

export interface ComponentResult {
  readonly lines: RawLine[];
  readonly credited: Decimal;
}

function label(event: CreditEvent): string {
  if (event.deal) return `Deal "${event.deal.name || event.deal.id}" (${event.deal.id})`;
  return `${event.activity?.type ?? 'Activity'} ${event.recordId}`;
}

function creditPhrase(event: CreditEvent): string {
  // An activity is simply the payee's own; only deals have shares worth spelling out.
  if (!event.credit || !event.deal) return '';
  const via = event.vias.length > 0 ? ` via ${event.vias.join(', ')}` : '';
  return ` (${pct(event.credit.percent)} ${event.credit.kind} credit${via})`;
}

/**
 * Pays one component for one payee over their credit events, in the declared order
 * (date, then record id), so the result never depends on the order records arrived in.
 */
export function componentLines(plan: Plan, componentIndex: number, events: readonly CreditEvent[], quota: EffectiveQuota | undefined): ComponentResult {
  const component = plan.components[componentIndex]!;
  const target = quota?.effectiveTarget;
  const base = `${plan.id}|${component.id}`;
  const cur = plan.currency;
  const measure = component.measure;
  // Amounts in the words are rounded the way the line will be, so the sentence and the figure agree.
  const money = (amount: Decimal): string => displayMoney({ amount, currency: cur }, plan.rounding);
  const quotaInfo = quota && { id: quota.quota.id, version: quota.quota.version, target: quota.quota.target, effectiveTarget: quota.effectiveTarget };
  const drafts: DraftLine[] = [];
  const provenanceFor = (event: CreditEvent | undefined, a0: Decimal | undefined, a1: Decimal | undefined, slices: TierSlice[]): DraftLine['provenance'] => ({
    planId: plan.id,
    planVersion: plan.version,
    componentId: component.id,
    deal: event?.deal && { id: event.deal.id, name: event.deal.name, version: event.deal.sourceVersion, amount: event.deal.amount, currency: event.deal.currency, closeDate: event.deal.closeDate },
    activityId: event?.activity?.id,
    credit: event?.credit,
    creditFx: event?.creditFx,
    creditedValue: event?.payoutValue,
    quota: quotaInfo,
    attainmentBefore: a0,
    attainmentAfter: a1,
    slices,
  });
  // Attainment is a division; each event computes it once for its text and its provenance.
  const attainmentText = (a0: Decimal | undefined, a1: Decimal | undefined): string => (a0 === undefined || a1 === undefined ? '' : `; attainment ${pct(a0)} → ${pct(a1)}`);
  let previousAttainment: Decimal | undefined = attainmentPercent(ZERO, target);

  let cumulative = ZERO;
  if (component.type === 'commission') {
    const unit = component.tiers.basis === 'attainment' ? (target ?? ZERO).dividedBy(HUNDRED) : ONE;
    const schedule = new TierSchedule(component.tiers, unit);
    let state = initialTierState(schedule);
    for (const event of events) {
      const result = payTiered(schedule, state, event.quotaValue, event.payoutValue);
      state = result.state;
      const a0 = previousAttainment;
      const a1 = event.quotaValue.isZero() ? a0 : attainmentPercent(state.cumulative, target);
      previousAttainment = a1;
      const attained = attainmentText(a0, a1);
      drafts.push({
        key: `${base}|commission|${event.recordId}`,
        kind: 'commission',
        date: event.date,
        amount: result.amount,
        cumulativeAfter: state.cumulative,
        explanation: `${label(event)} on ${event.date}: ${quantity(event.payoutValue, measure, cur)} credited${creditPhrase(event)}${attained}; ${result.slices.length ? slicesPhrase(result.slices, measure, cur, schedule.rates.length > 1) : 'nothing to pay on'} = ${money(result.amount)} under ${component.name} (${plan.name} v${plan.version}).`,
        provenance: provenanceFor(event, a0, a1, result.slices),
      });
      if (result.trueUp) {
        const t = result.trueUp;
        drafts.push({
          key: `${base}|true-up|${event.recordId}`,
          kind: 'true-up',
          date: event.date,
          amount: t.amount,
          cumulativeAfter: state.cumulative,
          explanation: `Retroactive tier change on ${event.date} (${label(event)} moved attainment${attained.replace('; attainment', '')}): ${quantity(t.base, measure, cur)} credited earlier this period is re-rated from ${ratePhrase(t.fromRate, measure, cur)} to ${ratePhrase(t.toRate, measure, cur)} = ${money(t.amount)} under ${component.name}.`,
          provenance: { ...provenanceFor(event, a0, a1, []), creditedValue: t.base },
        });
      }
    }
    cumulative = state.cumulative;
  } else if (component.type === 'spiff') {
    let paidOnce = false;
    for (const event of events) {
      cumulative = cumulative.plus(event.quotaValue);
      const a0 = previousAttainment;
      previousAttainment = attainmentPercent(cumulative, target);
      if (component.frequency === 'once-per-period' && paidOnce) continue;
      if (event.payoutShare.isZero()) continue;
      paidOnce = true;
      const amount = component.amount !== undefined ? component.amount.times(event.payoutShare) : event.payoutValue.times(component.rate!);
      const how = component.amount !== undefined
        ? `${money(component.amount)}${event.payoutShare.equals(1) ? '' : ` × ${pct(event.payoutShare.times(HUNDRED))} credit share`}`
        : `${quantity(event.payoutValue, measure, cur)} at ${ratePhrase(component.rate!, measure, cur)}`;
      drafts.push({
        key: `${base}|spiff|${event.recordId}`,
        kind: 'spiff',
        date: event.date,
        amount,
        cumulativeAfter: cumulative,
        explanation: `${component.name}${component.frequency === 'once-per-period' ? ' (once per period)' : ''}: ${label(event)} on ${event.date} qualifies; ${how} = ${money(amount)} (${plan.name} v${plan.version}).`,
        provenance: provenanceFor(event, a0, previousAttainment, []),
      });
    }
  } else {
    const paid = new Set<number>();
    for (const event of events) {
      cumulative = cumulative.plus(event.quotaValue);
      const a0 = previousAttainment;
      const attained = attainmentPercent(cumulative, target);
      previousAttainment = attained;
      if (attained === undefined) continue;
      component.thresholds.forEach((threshold, i) => {
        if (paid.has(i) || attained.lessThan(threshold.attainment)) return;
        paid.add(i);
        drafts.push({
          key: `${base}|bonus|${threshold.attainment.toString()}`,
          kind: 'bonus',
          date: event.date,
          amount: threshold.amount,
          cumulativeAfter: cumulative,
          explanation: `${component.name}: attainment reached ${pct(threshold.attainment)} on ${event.date} with ${label(event)}${attainmentText(a0, attained)}; bonus ${money(threshold.amount)} (${plan.name} v${plan.version}).`,
          provenance: provenanceFor(event, a0, attained, []),
        });
      });
    }
  }
  return { lines: applyGateAndCap(component, plan, drafts, target, componentIndex), credited: cumulative };
}

function applyGateAndCap(component: Component, plan: Plan, drafts: readonly DraftLine[], target: Decimal | undefined, componentIndex: number): RawLine[] {
  const cur = plan.currency;
  const gateValue = component.gate === undefined ? undefined : (target ?? ZERO).times(component.gate).dividedBy(HUNDRED);
  const lines: RawLine[] = [];
  let withheld = ZERO;
  let withheldSince: DraftLine | undefined;
  let desired = ZERO;
  let paid = ZERO;
  const capped = (draft: Omit<DraftLine, 'cumulativeAfter'>, isWithheld: boolean): void => {
    // Running caps: the cumulative payable is min(cumulative desired, cap), so a negative
    // line frees room under the cap exactly as much as it took.
    desired = desired.plus(isWithheld ? ZERO : draft.amount);
    const newPaid = component.cap === undefined ? desired : minDecimal(desired, component.cap);
    const payable = newPaid.minus(paid);
    paid = newPaid;
    const wasCapped = !isWithheld && !payable.equals(draft.amount);
    let explanation = draft.explanation;
    if (isWithheld) explanation += ` Withheld: nothing pays until attainment reaches ${pct(component.gate!)} (the gate).`;
    else if (wasCapped) explanation += ` Capped: ${component.name} pays at most ${displayMoney({ amount: component.cap!, currency: cur }, plan.rounding)} a period, so this line pays ${displayMoney({ amount: payable, currency: cur }, plan.rounding)}.`;
    lines.push({
      plan,
      key: draft.key,
      kind: draft.kind,
      date: draft.date,
      componentIndex,
      uncapped: isWithheld ? ZERO : draft.amount,
      payable,
      explanation,
      provenance: { ...draft.provenance, calculated: draft.amount, capped: wasCapped, withheld: isWithheld, payFx: undefined },
    });
  };
  for (const draft of drafts) {
    const gateOpen = gateValue === undefined || draft.cumulativeAfter.greaterThanOrEqualTo(gateValue);
    if (!gateOpen) {
      withheld = withheld.plus(draft.amount);
      withheldSince ??= draft;
      capped(draft, true);
      continue;
    }
    if (!withheld.isZero()) {
      const recordId = draft.key.split('|').pop()!;
      capped(
        {
          key: `${plan.id}|${component.id}|gate-release|${recordId}`,
          kind: 'gate-release',
          date: draft.date,
          amount: withheld,
          explanation: `Gate reached on ${draft.date}: attainment passed ${pct(component.gate!)}, releasing ${displayMoney({ amount: withheld, currency: cur }, plan.rounding)} withheld since ${withheldSince!.date} under ${component.name}.`,
          provenance: { ...draft.provenance, slices: [], creditedValue: undefined },
        },
        false,
      );
      withheld = ZERO;
    }
    capped(draft, false);
  }
  return lines;
}
