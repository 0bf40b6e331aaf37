import { HUNDRED, ONE, ZERO, add, compact, compare, fitsPrecision, multiply, type Decimal } from '../money/decimal.js';
import { minorUnits } from '../money/currency.js';
import { fromScaled, toScaled } from '../money/scaled.js';
import { displayMoney } from '../money/money.js';
import type { Activity } from '../domain/activities.js';
import type { AttainmentBonusComponent, CommissionComponent, Component, Plan, SpiffComponent } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { Deferred, type MaybeDeferred } from './deferred.js';
import { LazyWords, Words, pct, quantity, ratePhrase, slicesPhrase } from './explain.js';
import { FactsSource, PlanPayoutLine, WHOLE_DEAL_AMOUNT, type Amount, type CreditValue, type LineDraft, type LineEvent, type TierFacts } from './payout-line.js';
import type { EffectiveQuota } from './quota-target.js';
import type { Provenance } from './statement.js';
import { RunningCap, ScaledRunningCap } from './running-cap.js';
import { ScaledTierState, ScaledTiers, payTieredScaled } from './scaled-tiers.js';
import { attainmentPercent, initialTierState, payTiered, TierSchedule, type RawSlice, type TierState } from './tiers.js';

/** One credited record for one payee under one component, in the order components pay them. */
export interface CreditEvent extends LineEvent {
  readonly recordId: string;
  /** Moves attainment (plan currency for revenue, units for counts). */
  readonly quotaValue: Decimal;
  /** What is paid on. */
  readonly payoutValue: Decimal;
  /** The payee's share of the record across the payout credits (for per-deal fixed amounts). */
  readonly payoutShare: Decimal;
}

/** A plan line in the plan currency, exact, with gate and caps applied but not yet converted or rounded. */
export type RawLine = PlanPayoutLine;

export interface ComponentResult {
  readonly lines: RawLine[];
  readonly credited: Decimal;
}

function label(event: CreditEvent): string {
  if (event.deal) return `Deal "${event.deal.name || event.deal.id}" (${event.deal.id})`;
  return `${event.activity?.type ?? 'Activity'} ${event.recordId}`;
}

/** `label` from what a line keeps: its provenance and detail. */
function lineLabel(line: PlanPayoutLine): string {
  const deal = line.provenance.deal;
  if (deal) return `Deal "${deal.name || deal.id}" (${deal.id})`;
  const activity = line.detail as Activity | undefined;
  return `${activity?.type ?? 'Activity'} ${line.provenance.activityId}`;
}

/** A deal line's credit in words: the share, the kind, and the reports a roll-up came through (one is on the credit itself, more are the line's detail). */
function creditPhrase(line: PlanPayoutLine): string {
  const credit = line.provenance.credit;
  // An activity is simply the payee's own; only deals have shares worth spelling out.
  if (!credit || !line.provenance.deal) return '';
  const vias = Array.isArray(line.detail) ? line.detail.join(', ') : credit.via;
  return ` (${pct(credit.percent)} ${credit.kind} credit${vias !== undefined ? ` via ${vias}` : ''})`;
}

function attainmentText(a0: Decimal | undefined, a1: Decimal | undefined): string {
  return a0 === undefined || a1 === undefined ? '' : `; attainment ${pct(a0)} → ${pct(a1)}`;
}

/**
 * What every line of one component shares: names for the words, ids for the provenance.
 * It is also the words of the component's commission lines — the one sentence nearly
 * every line of a big run has — rendered from the line's own provenance, so those lines
 * carry no words object of their own.
 */
class ComponentContext extends Words {
  readonly component: Component;
  readonly base: string;
  readonly quotaInfo: Provenance['quota'];
  /** Whether commission sentences name the tier of each slice. */
  tiered = false;
  /** The scale of amounts its lines hold as scaled integers (set when the component pays in them). */
  amountScale = NaN;
  private withheld: string | undefined;

  constructor(
    readonly plan: Plan,
    readonly componentIndex: number,
    quota: EffectiveQuota | undefined,
  ) {
    super();
    this.component = plan.components[componentIndex]!;
    this.base = `${plan.id}|${this.component.id}`;
    this.quotaInfo = quota && { id: quota.quota.id, version: quota.quota.version, target: quota.quota.target, effectiveTarget: quota.effectiveTarget };
  }

  /** Amounts in the words are rounded the way the line will be, so the sentence and the figure agree. */
  money(amount: Decimal): string {
    return displayMoney({ amount, currency: this.plan.currency }, this.plan.rounding);
  }

  withheldNote(): string {
    this.withheld ??= ` Withheld: nothing pays until attainment reaches ${pct(this.component.gate!)} (the gate).`;
    return this.withheld;
  }

  /** A commission line's sentence: what was credited, where attainment went, the slices and the amount. */
  render(line: PlanPayoutLine): string {
    const p = line.provenance;
    const measure = this.component.measure;
    const cur = this.plan.currency;
    const paid = p.slices.length ? slicesPhrase(p.slices, measure, cur, this.tiered) : 'nothing to pay on';
    return `${lineLabel(line)} on ${line.date}: ${quantity(p.creditedValue!, measure, cur)} credited${creditPhrase(line)}${attainmentText(p.attainmentBefore, p.attainmentAfter)}; ${paid} = ${this.money(p.calculated)} under ${this.component.name} (${this.plan.name} v${this.plan.version}).`;
  }
}

/** Attainment % at a cumulative credit, worked out when read. */
class AttainmentPoint extends Deferred<Decimal | undefined> {
  constructor(
    private readonly cumulative: Decimal,
    private readonly target: Decimal | undefined,
  ) {
    super();
  }

  protected compute(): Decimal | undefined {
    return attainmentPercent(this.cumulative, this.target);
  }
}

/** Attainment % at a cumulative credit, remembering the last answer: consecutive lines share a bound. */
class AttainmentAt {
  private cumulative: Decimal | undefined;
  private attainment: Decimal | undefined;

  constructor(private readonly target: Decimal | undefined) {}

  at(cumulative: Decimal): Decimal | undefined {
    if (cumulative !== this.cumulative) {
      this.cumulative = cumulative;
      this.attainment = attainmentPercent(cumulative, this.target);
    }
    return this.attainment;
  }
}

/**
 * Pays one component for one payee, one credit event at a time, so a period can pay each
 * record as it passes instead of collecting every payee's events first. Events must come
 * in the declared order (date, then record id), so the result never depends on the order
 * records arrived in.
 */
export interface ComponentPayer {
  accept(event: CreditEvent): void;
  /** Commission payers have it (see CommissionPayer.acceptWholeDeal): in scaled integers while the payer pays in them, else through accept. */
  readonly acceptWholeDeal?: (event: CreditEvent, credit: number) => void;
  finish(): ComponentResult;
}

/**
 * `creditScale`: pay commissions in scaled integers (money/scaled.ts) with credit values
 * at this many decimals, falling back to decimals for whatever does not fit; undefined
 * pays in decimals throughout (the reference the scaled path is tested against).
 */
export function componentPayer(plan: Plan, componentIndex: number, quota: EffectiveQuota | undefined, creditScale?: number): ComponentPayer {
  const ctx = new ComponentContext(plan, componentIndex, quota);
  const component = ctx.component;
  if (component.type === 'commission') return new CommissionPayer(ctx, component, quota?.effectiveTarget, creditScale);
  if (component.type === 'spiff') return new SpiffPayer(ctx, component, quota?.effectiveTarget);
  return new BonusPayer(ctx, component, quota?.effectiveTarget);
}

class CommissionPayer implements ComponentPayer {
  private readonly out: GateAndCap;
  private readonly schedule: TierSchedule;
  /** The tier table in scaled integers while the component pays in them; undefined once it pays in decimals. */
  private scaled: ScaledTiers | undefined;
  private scaledState: ScaledTierState | undefined;
  private state: TierState | undefined;
  private readonly trace: CommissionTrace;

  constructor(
    private readonly ctx: ComponentContext,
    component: CommissionComponent,
    target: Decimal | undefined,
    creditScale: number | undefined,
  ) {
    const unit = component.tiers.basis === 'attainment' ? compact((target ?? ZERO).dividedBy(HUNDRED)) : ONE;
    this.schedule = new TierSchedule(component.tiers, unit);
    ctx.tiered = this.schedule.rates.length > 1;
    // A gate compares decimal attainment on every line: gated components pay in decimals.
    const scaled = creditScale === undefined || component.gate !== undefined ? undefined : ScaledTiers.of(this.schedule, creditScale);
    this.out = new GateAndCap(ctx, target, scaled?.amountScale);
    if (scaled && this.out.paysScaled) {
      this.scaled = scaled;
      this.scaledState = new ScaledTierState(scaled);
      ctx.amountScale = scaled.amountScale;
    } else this.state = initialTierState(this.schedule);
    this.trace = new CommissionTrace(this.schedule, target, this.out.lines);
  }

  accept(event: CreditEvent): void {
    if (this.scaled && this.acceptScaled(this.scaled, this.scaledState!, event)) return;
    const { ctx } = this;
    const state = this.state!;
    // Amounts only: the slices and attainments are replayed when provenance is read.
    const result = payTiered(this.schedule, state, event.quotaValue, event.payoutValue, false);
    const line = this.out.add({
      keyRest: event.recordId,
      kind: 'commission',
      event,
      amount: result.amount,
      cumulativeAfter: state.cumulative,
      text: ctx,
      facts: this.trace,
      quotaCredit: event.quotaValue,
      creditedValue: event.payoutValue,
    });
    if (result.trueUp) this.addTrueUp(event, line, result.trueUp, state.cumulative);
  }

  /** The retroactive re-rating of earlier credit that `line`'s event caused. */
  private addTrueUp(event: CreditEvent, line: PlanPayoutLine, t: { readonly amount: Amount; readonly fromRate: Decimal; readonly toRate: Decimal; readonly base: Decimal }, cumulativeAfter: Decimal | undefined): void {
    const { ctx } = this;
    const measure = ctx.component.measure;
    const cur = ctx.plan.currency;
    // The true-up states the attainment move of the commission line it follows.
    const facts = new SameAttainment(() => line);
    this.out.add({
      keyRest: event.recordId,
      kind: 'true-up',
      event,
      amount: t.amount,
      cumulativeAfter,
      text: new LazyWords(() => {
        const { attainmentBefore, attainmentAfter } = line.provenance;
        return `Retroactive tier change on ${event.date} (${label(event)} moved attainment${attainmentText(attainmentBefore, attainmentAfter).replace('; attainment', '')}): ${quantity(t.base, measure, cur)} credited earlier this period is re-rated from ${ratePhrase(t.fromRate, measure, cur)} to ${ratePhrase(t.toRate, measure, cur)} = ${ctx.money(typeof t.amount === 'number' ? fromScaled(t.amount, ctx.amountScale) : t.amount)} under ${ctx.component.name}.`;
      }),
      facts,
      quotaCredit: undefined,
      creditedValue: t.base,
    });
  }

  /**
   * Pays the event in scaled integers, as `accept` would in decimals; false (having changed
   * nothing) when a value or step does not fit, after which the component goes on in decimals
   * from where it stands.
   */
  private acceptScaled(tiers: ScaledTiers, state: ScaledTierState, event: CreditEvent): boolean {
    const quotaCredit = toScaled(event.quotaValue, tiers.creditScale);
    const payoutCredit = event.payoutValue === event.quotaValue ? quotaCredit : toScaled(event.payoutValue, tiers.creditScale);
    const amount = Number.isNaN(quotaCredit) || Number.isNaN(payoutCredit) ? NaN : payTieredScaled(tiers, state, quotaCredit, payoutCredit);
    if (Number.isNaN(amount)) {
      this.payInDecimals(tiers, state);
      return false;
    }
    this.addScaled(tiers, state, event, amount, event.quotaValue, event.payoutValue);
    return true;
  }

  /**
   * Pays an event whose quota and payout credit are both its deal's whole amount in the plan
   * currency, `credit` being that amount in scaled units at the credit scale: the paying loop
   * read it from the deal columns, and neither it nor the line reads the deal (the event's
   * decimal values are read only if the component goes on in decimals).
   */
  acceptWholeDeal(event: CreditEvent, credit: number): void {
    const tiers = this.scaled;
    if (tiers) {
      const state = this.scaledState!;
      const amount = payTieredScaled(tiers, state, credit, credit);
      if (!Number.isNaN(amount)) {
        this.addScaled(tiers, state, event, amount, WHOLE_DEAL_AMOUNT, WHOLE_DEAL_AMOUNT);
        return;
      }
      this.payInDecimals(tiers, state);
    }
    this.accept(event);
  }

  private addScaled(tiers: ScaledTiers, state: ScaledTierState, event: CreditEvent, amount: number, quotaCredit: CreditValue, creditedValue: CreditValue): void {
    const line = this.out.add({
      keyRest: event.recordId,
      kind: 'commission',
      event,
      amount,
      cumulativeAfter: undefined,
      text: this.ctx,
      facts: this.trace,
      quotaCredit,
      creditedValue,
    });
    if (!Number.isNaN(state.trueUp)) {
      const fromRate = this.schedule.rates[state.trueUpFromTier]!;
      const toRate = this.schedule.rates[state.retroTier]!;
      this.addTrueUp(event, line, { amount: state.trueUp, fromRate, toRate, base: fromScaled(state.trueUpBase, tiers.creditScale) }, undefined);
    }
  }

  /** From here on the component pays in decimals, from the position the scaled payer reached. */
  private payInDecimals(tiers: ScaledTiers, scaledState: ScaledTierState): void {
    const state = initialTierState(this.schedule);
    scaledState.continueIn(state, tiers);
    this.state = state;
    this.scaled = undefined;
    this.scaledState = undefined;
    this.out.payInDecimals();
  }

  finish(): ComponentResult {
    const credited = this.scaled ? fromScaled(this.scaledState!.cumulative, this.scaled.creditScale) : this.state!.cumulative;
    return { lines: this.out.lines, credited };
  }
}

/**
 * The slices and attainments of one component's commission lines, worked out when the
 * first of them has its provenance read, by paying the component's events again in the
 * same order from a fresh tier state, this time with slices. payTiered is a function of
 * the state and the event alone, so the replay reaches the same states and amounts as the
 * first pass; it keeps nothing until then but the lines (which the component keeps anyway).
 */
class CommissionTrace extends FactsSource {
  private replayed = false;

  constructor(
    private readonly schedule: TierSchedule,
    private readonly target: Decimal | undefined,
    private readonly lines: readonly PlanPayoutLine[],
  ) {
    super();
  }

  /** The facts of `line`; the replay hands every other commission line its own. */
  factsOf(line: PlanPayoutLine): TierFacts {
    // Every commission line of the component is among its lines, so one replay answers them all.
    const facts = this.replayed ? undefined : this.replay(line);
    this.replayed = true;
    if (!facts) throw new Error(`Line ${line.key} is not among its component's lines, so its tier slices cannot be replayed`);
    return facts;
  }

  private replay(asked: PlanPayoutLine): TierFacts | undefined {
    const { schedule, target } = this;
    const state = initialTierState(schedule);
    // Attainment tables already divide by the quota for their slices; the attainment is that same quotient.
    const attainmentFromBasis = schedule.basisIsAttainment && target !== undefined && !target.isZero() && fitsPrecision(target);
    let previous: MaybeDeferred<Decimal | undefined> = attainmentPercent(ZERO, target);
    let answer: TierFacts | undefined;
    for (const line of this.lines) {
      if (line.kind !== 'commission') continue;
      const [quotaCredit, payoutCredit] = line.tierInputs;
      const result = payTiered(schedule, state, quotaCredit!, payoutCredit!);
      const a0: MaybeDeferred<Decimal | undefined> = previous;
      const a1: MaybeDeferred<Decimal | undefined> = quotaCredit!.isZero() ? a0 : attainmentFromBasis ? state.cumulativeBasis! : new AttainmentPoint(state.cumulative, target);
      previous = a1;
      const facts: TierFacts = { attainmentBefore: a0, attainmentAfter: a1, slices: result.slices };
      if (line === asked) answer = facts;
      else line.setFacts(facts);
    }
    return answer;
  }
}

/** A line (true-up, gate release) that states the attainment move of another line, and no slices. */
class SameAttainment extends FactsSource {
  /** `other` is asked only when provenance is read: a gate release comes before the line it follows exists. */
  constructor(private readonly other: () => PlanPayoutLine) {
    super();
  }

  factsOf(): TierFacts {
    const { attainmentBefore, attainmentAfter } = this.other().provenance;
    return { attainmentBefore, attainmentAfter, slices: NO_SLICES };
  }
}

const NO_SLICES: readonly RawSlice[] = Object.freeze([]);

class SpiffPayer implements ComponentPayer {
  private readonly out: GateAndCap;
  private readonly attainment: AttainmentAt;
  private cumulative = ZERO;
  private paidOnce = false;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly component: SpiffComponent,
    target: Decimal | undefined,
  ) {
    this.out = new GateAndCap(ctx, target, undefined);
    this.attainment = new AttainmentAt(target);
  }

  accept(event: CreditEvent): void {
    const { ctx, component } = this;
    // Attainment is only worked out for the lines that pay: a once-per-period spiff skips most events.
    const before = this.cumulative;
    const cumulative = add(before, event.quotaValue);
    this.cumulative = cumulative;
    if (component.frequency === 'once-per-period' && this.paidOnce) return;
    if (event.payoutShare.isZero()) return;
    this.paidOnce = true;
    const a0 = this.attainment.at(before);
    const a1 = this.attainment.at(cumulative);
    const amount = component.amount !== undefined ? multiply(component.amount, event.payoutShare) : event.payoutValue.times(component.rate!);
    const { plan } = ctx;
    const measure = component.measure;
    this.out.add({
      keyRest: event.recordId,
      kind: 'spiff',
      event,
      amount,
      cumulativeAfter: cumulative,
      text: new LazyWords(() => {
        const how =
          component.amount !== undefined
            ? `${ctx.money(component.amount)}${event.payoutShare.equals(1) ? '' : ` × ${pct(event.payoutShare.times(HUNDRED))} credit share`}`
            : `${quantity(event.payoutValue, measure, plan.currency)} at ${ratePhrase(component.rate!, measure, plan.currency)}`;
        return `${component.name}${component.frequency === 'once-per-period' ? ' (once per period)' : ''}: ${label(event)} on ${event.date} qualifies; ${how} = ${ctx.money(amount)} (${plan.name} v${plan.version}).`;
      }),
      facts: { attainmentBefore: a0, attainmentAfter: a1, slices: NO_SLICES },
      quotaCredit: undefined,
      creditedValue: event.payoutValue,
    });
  }

  finish(): ComponentResult {
    return { lines: this.out.lines, credited: this.cumulative };
  }
}

class BonusPayer implements ComponentPayer {
  private readonly out: GateAndCap;
  private readonly attainment: AttainmentAt;
  private readonly paid = new Set<number>();
  private cumulative = ZERO;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly component: AttainmentBonusComponent,
    target: Decimal | undefined,
  ) {
    this.out = new GateAndCap(ctx, target, undefined);
    this.attainment = new AttainmentAt(target);
  }

  accept(event: CreditEvent): void {
    const { ctx, component, paid } = this;
    const before = this.cumulative;
    const cumulative = add(before, event.quotaValue);
    this.cumulative = cumulative;
    // Once every threshold has paid, attainment is no longer needed.
    if (paid.size === component.thresholds.length) return;
    const a0 = this.attainment.at(before);
    const attained = this.attainment.at(cumulative);
    if (attained === undefined) return;
    const { plan } = ctx;
    component.thresholds.forEach((threshold, i) => {
      if (paid.has(i) || attained.lessThan(threshold.attainment)) return;
      paid.add(i);
      this.out.add({
        keyRest: threshold.attainment.toString(),
        kind: 'bonus',
        event,
        amount: threshold.amount,
        cumulativeAfter: cumulative,
        text: new LazyWords(
          () =>
            `${component.name}: attainment reached ${pct(threshold.attainment)} on ${event.date} with ${label(event)}${attainmentText(a0, attained)}; bonus ${ctx.money(threshold.amount)} (${plan.name} v${plan.version}).`,
        ),
        facts: { attainmentBefore: a0, attainmentAfter: attained, slices: NO_SLICES },
        quotaCredit: undefined,
        creditedValue: event.payoutValue,
      });
    });
  }

  finish(): ComponentResult {
    return { lines: this.out.lines, credited: this.cumulative };
  }
}

/**
 * The component's gate and cap, applied to each draft line as it is produced: while the
 * gate is closed lines are withheld (paying 0), and the line that opens it is preceded by
 * a release of everything withheld; the cap limits the running total.
 *
 * A component paying in scaled integers has no gate (see CommissionPayer) and keeps its
 * cap's running total in them too, until a total does not fit or the payer goes on in
 * decimals (payInDecimals).
 */
class GateAndCap {
  readonly lines: RawLine[] = [];
  private readonly gateValue: Decimal | undefined;
  private withheld = ZERO;
  private withheldSince: IsoDate | undefined;
  /** Undefined without a cap: every line then pays its own amount. */
  private cap: RunningCap | undefined;
  private scaledCap: ScaledRunningCap | undefined;
  /** Whether lines may hold scaled amounts (at ctx.amountScale). */
  paysScaled: boolean;

  constructor(
    private readonly ctx: ComponentContext,
    target: Decimal | undefined,
    amountScale: number | undefined,
  ) {
    const { gate, cap } = ctx.component;
    this.gateValue = gate === undefined ? undefined : (target ?? ZERO).times(gate).dividedBy(HUNDRED);
    const scaledCap = cap === undefined || amountScale === undefined ? NaN : toScaled(cap, amountScale);
    this.paysScaled = amountScale !== undefined && gate === undefined && (cap === undefined || !Number.isNaN(scaledCap));
    if (this.paysScaled && cap !== undefined) this.scaledCap = new ScaledRunningCap(scaledCap);
    else this.cap = cap === undefined ? undefined : new RunningCap(cap);
  }

  /** Lines from here on hold decimal amounts; the cap goes on from its scaled running totals. */
  payInDecimals(): void {
    if (!this.paysScaled) return;
    this.paysScaled = false;
    if (this.scaledCap) this.cap = this.scaledCap.inDecimals(this.ctx.component.cap!, this.ctx.amountScale);
    this.scaledCap = undefined;
  }

  /** Adds the draft's line (after a gate release when it opens the gate) and returns it. */
  add(draft: LineDraft): PlanPayoutLine {
    if (typeof draft.amount === 'number') return this.pushScaled(draft, draft.amount);
    const gateOpen = this.gateValue === undefined || compare(draft.cumulativeAfter!, this.gateValue) >= 0;
    if (!gateOpen) {
      this.withheld = add(this.withheld, draft.amount);
      this.withheldSince ??= draft.event.date;
      return this.push(draft, draft.amount, true);
    }
    if (this.withheld.isZero()) return this.push(draft, draft.amount, false);
    let opener: PlanPayoutLine | undefined;
    this.release(draft, new SameAttainment(() => opener!));
    opener = this.push(draft, draft.amount, false);
    return opener;
  }

  private release(opener: LineDraft, facts: FactsSource): void {
    const { plan, component } = this.ctx;
    const released = this.withheld;
    const since = this.withheldSince!;
    const rest = opener.keyRest;
    this.push(
      {
        keyRest: rest,
        kind: 'gate-release',
        event: opener.event,
        amount: released,
        cumulativeAfter: opener.cumulativeAfter,
        text: new LazyWords(
          () => `Gate reached on ${opener.event.date}: attainment passed ${pct(component.gate!)}, releasing ${displayMoney({ amount: released, currency: plan.currency }, plan.rounding)} withheld since ${since} under ${component.name}.`,
        ),
        facts,
        quotaCredit: undefined,
        creditedValue: undefined,
      },
      released,
      false,
    );
    this.withheld = ZERO;
  }

  /** A line with a scaled amount: the cap, if any, takes it in scaled integers too. */
  private pushScaled(draft: LineDraft, amount: number): PlanPayoutLine {
    if (!this.paysScaled) return this.push(draft, fromScaled(amount, this.ctx.amountScale), false);
    this.checkCurrency();
    if (!this.scaledCap) return this.keep(new PlanPayoutLine(this.ctx, draft, this.lines.length, amount, amount, false, false));
    const payable = this.scaledCap.take(amount);
    if (Number.isNaN(payable)) {
      // The running total no longer fits: this line and the rest are capped in decimals.
      this.payInDecimals();
      return this.push(draft, fromScaled(amount, this.ctx.amountScale), false);
    }
    if (payable === amount) return this.keep(new PlanPayoutLine(this.ctx, draft, this.lines.length, amount, amount, false, false));
    return this.keep(this.cappedNote(new PlanPayoutLine(this.ctx, draft, this.lines.length, amount, payable, true, false), () => fromScaled(payable, this.ctx.amountScale)));
  }

  private push(draft: LineDraft, amount: Decimal, isWithheld: boolean): PlanPayoutLine {
    this.checkCurrency();
    const added = isWithheld ? ZERO : amount;
    const payable = this.cap ? this.cap.take(added) : added;
    // Only a cap changes what a line pays; an equal value is kept as the line's own amount object (one Decimal fewer per line).
    const wasCapped = this.cap !== undefined && !isWithheld && payable !== amount && compare(payable, amount) !== 0;
    const line = new PlanPayoutLine(this.ctx, draft, this.lines.length, added, wasCapped ? payable : added, wasCapped, isWithheld);
    if (isWithheld) line.addNote(this.ctx.withheldNote());
    else if (wasCapped) this.cappedNote(line, () => payable);
    return this.keep(line);
  }

  private cappedNote(line: PlanPayoutLine, payable: () => Decimal): PlanPayoutLine {
    const { plan, component } = this.ctx;
    const cap = component.cap!;
    line.addNote(new LazyWords(() => ` Capped: ${component.name} pays at most ${displayMoney({ amount: cap, currency: plan.currency }, plan.rounding)} a period, so this line pays ${displayMoney({ amount: payable(), currency: plan.currency }, plan.rounding)}.`));
    return line;
  }

  /** The words are rendered later; an unknown plan currency must still fail here, where formatting them did. */
  private checkCurrency(): void {
    if (this.lines.length === 0) minorUnits(this.ctx.plan.currency);
  }

  private keep(line: PlanPayoutLine): PlanPayoutLine {
    this.lines.push(line);
    return line;
  }
}
