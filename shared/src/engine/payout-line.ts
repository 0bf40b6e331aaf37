import { compact, type Decimal } from '../money/decimal.js';
import { minorUnits, type CurrencyCode } from '../money/currency.js';
import { roundAmount } from '../money/rounding.js';
import { fromScaled, roundScaled, timesScaled, toScaled } from '../money/scaled.js';
import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import type { Component, Plan } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { resolve, type MaybeDeferred } from './deferred.js';
import { textOf, withNote, type Text } from './explain.js';
import type { FxUse, LineKind, PayoutLine, Provenance } from './statement.js';
import { resolveSlice, type RawSlice } from './tiers.js';

/** What a line comes from: its plan and component, and what every provenance of the component states. */
export interface LineSource {
  /** `${plan id}|${component id}`: what every key of the component begins with. */
  readonly base: string;
  readonly plan: Plan;
  readonly component: Component;
  readonly componentIndex: number;
  readonly quotaInfo: Provenance['quota'];
  /** The scale of the component's amounts held as scaled integers (see Amount). */
  readonly amountScale: number;
}

/**
 * An amount as a line holds it: a Decimal, or (what a component paid in scaled integers
 * gives, see scaled-tiers.ts) a number of 10^-amountScale units of its source, turned into
 * a Decimal only when read: a full recompute keeps a million lines whose amounts are read
 * by nothing but the statement's own sums.
 */
export type Amount = Decimal | number;

/**
 * A credit that is the whole amount of the line's deal (in its own currency, the plan's),
 * read from the deal only when provenance or a replay asks: the paying loop then never
 * visits the deal (see DealColumns).
 */
export const WHOLE_DEAL_AMOUNT: unique symbol = Symbol('the whole amount of the line\'s deal');
export type CreditValue = Decimal | typeof WHOLE_DEAL_AMOUNT;

/** What provenance states about attainment and the tier slices a line was paid in. */
export interface TierFacts {
  readonly attainmentBefore: MaybeDeferred<Decimal | undefined>;
  readonly attainmentAfter: MaybeDeferred<Decimal | undefined>;
  readonly slices: readonly RawSlice[];
}

/**
 * Tier facts worked out when provenance is first read rather than while paying: a full
 * recompute pays a million commission events whose slices and attainments nobody reads,
 * and keeping them was a third of each line's memory (see CommissionTrace).
 */
export abstract class FactsSource {
  abstract factsOf(line: PlanPayoutLine): TierFacts;
}

/** The credited record a line pays on, as its component received it: what the line's date and provenance come from. */
export interface LineEvent {
  readonly date: IsoDate;
  readonly deal: Deal | undefined;
  readonly activity: Activity | undefined;
  readonly credit: Provenance['credit'];
  /** Everyone whose credit passed up to this payee on the record (roll-ups). */
  readonly vias: readonly UserId[];
  readonly creditFx: FxUse | undefined;
}

/** A line as its component computed it, before its gate and cap. */
export interface LineDraft {
  /** The key after `${plan id}|${component id}|${kind}|` (see PlanPayoutLine.key). */
  readonly keyRest: string;
  readonly kind: LineKind;
  /** The record paid on; the line is dated on it. */
  readonly event: LineEvent;
  readonly amount: Amount;
  /** Quota credit after the line's event: the gate compares it (undefined when paid in scaled integers: such components have no gate). */
  readonly cumulativeAfter: Decimal | undefined;
  readonly text: Text;
  readonly facts: TierFacts | FactsSource;
  /** The quota credit of the event paid (what a FactsSource replays); undefined for other lines. */
  readonly quotaCredit: CreditValue | undefined;
  readonly creditedValue: CreditValue | undefined;
}

/** A deal as provenance names it. */
function dealProvenance(deal: Deal): NonNullable<Provenance['deal']> {
  return { id: deal.id, name: deal.name, version: deal.sourceVersion, amount: deal.amount, currency: deal.currency, closeDate: deal.closeDate };
}

const CAPPED = 1;
const WITHHELD = 2;
/** Settled: amount is in the pay currency and rounded. */
const PAID = 4;

/**
 * A plan line (commission, true-up, gate release, spiff, bonus), from the component that
 * computes it to the statement that pays it: one object per line, completed in place by
 * the plan cap and the pay step before the statement is returned (then it is read-only).
 *
 * Its explanation and its provenance are built when first read, then kept: a full
 * recompute produces millions of lines that nobody reads, and building them (rendering
 * the sentence, working out the attainments in the provenance) was most of its cost.
 * When read they are exactly what an eager computation gave: the same text, and a plain
 * provenance object with the same values.
 *
 * Both are getters on the class, not own properties: defining two own accessors on each
 * of a million lines took a tenth of a full recompute. The key is a getter too (joined
 * when read, see key), and so are the amounts (see Amount). So a spread (`{ ...line }`)
 * copies only kind and date; copy a line with `toJSON()` (which JSON.stringify calls), which gives
 * the plain line, fields in PayoutLine order, exactly as an eagerly built line would be.
 * The working state is private, so it never shows up in copies.
 */
export class PlanPayoutLine implements PayoutLine {
  declare readonly kind: LineKind;
  declare readonly date: IsoDate;
  readonly #source: LineSource;
  /** Until the pay step: the payable amount in the plan currency. */
  #amount: Amount;
  #exact: Amount;
  /** Until the pay step: in the plan currency. */
  #uncapped: Amount;
  /** The scale of amount, exact and uncapped when they are scaled integers: the source's, plus a pay rate's decimals once converted. */
  #scale: number;
  readonly #keyRest: string;
  /** Its place among its component's lines, in the order the component made them. */
  readonly #order: number;
  /** The sentence and its notes until first read, then the text. */
  #text: Text;
  // What the provenance is built from (kept as fields: a big run keeps a million lines).
  readonly #deal: Deal | undefined;
  /** The activity paid on, or the reports (two or more) a roll-up came through. */
  readonly #detail: Activity | readonly UserId[] | undefined;
  readonly #credit: Provenance['credit'];
  readonly #creditFx: FxUse | undefined;
  readonly #creditedValue: CreditValue | undefined;
  #calculated: Amount;
  /** Attainment and slices, or what works them out when provenance is read. */
  #facts: TierFacts | FactsSource | undefined;
  #quotaCredit: CreditValue | undefined;
  #flags: number;
  #payFx: FxUse | undefined;
  #provenance: (Provenance & { capped: boolean; payFx: FxUse | undefined }) | undefined;

  constructor(source: LineSource, draft: LineDraft, order: number, uncapped: Amount, payable: Amount, capped: boolean, withheld: boolean) {
    // Every line gets the same fields in the same order: one hidden class for a million lines.
    this.kind = draft.kind;
    const event = draft.event;
    this.date = event.date;
    this.#source = source;
    this.#amount = payable;
    this.#exact = payable;
    this.#uncapped = uncapped;
    this.#scale = source.amountScale;
    this.#keyRest = draft.keyRest;
    this.#order = order;
    this.#text = draft.text;
    this.#deal = event.deal;
    // A single report a roll-up came through is named by the credit; the line keeps two or more.
    this.#detail = event.activity ?? (event.vias.length > 1 ? event.vias : undefined);
    this.#credit = event.credit;
    this.#creditFx = event.creditFx;
    this.#creditedValue = draft.creditedValue;
    this.#calculated = draft.amount;
    this.#facts = draft.facts;
    this.#quotaCredit = draft.quotaCredit;
    this.#flags = (capped ? CAPPED : 0) | (withheld ? WITHHELD : 0);
    this.#payFx = undefined;
    this.#provenance = undefined;
  }

  /**
   * `${plan id}|${component id}|${kind}|${keyRest}`, joined when read: a big run keeps a
   * million lines whose keys are read only by what compares them with other runs.
   */
  get key(): string {
    return `${this.#source.base}|${this.kind}|${this.#keyRest}`;
  }

  get plan(): Plan {
    return this.#source.plan;
  }

  get componentIndex(): number {
    return this.#source.componentIndex;
  }

  /** The key after "plan|component|kind|": the record id (or a bonus's threshold). */
  get keyRest(): string {
    return this.#keyRest;
  }

  /** Its place among its component's lines, in the order the component made them. */
  get order(): number {
    return this.#order;
  }

  /** In the plan currency, after the component's gate and cap and the plan cap. */
  get payable(): Decimal {
    // Until the pay step the amount is the payable one, in the plan currency.
    if ((this.#flags & PAID) !== 0) throw new Error(`Line ${this.key} was already paid`);
    return this.amount;
  }

  get amount(): Decimal {
    const held = this.#amount;
    return typeof held === 'number' ? PlanPayoutLine.#inDecimals(this).amount : held;
  }

  get exact(): Decimal {
    const held = this.#exact;
    return typeof held === 'number' ? PlanPayoutLine.#inDecimals(this).exact : held;
  }

  get uncapped(): Decimal {
    const held = this.#uncapped;
    return typeof held === 'number' ? PlanPayoutLine.#inDecimals(this).uncapped : held;
  }

  /** Whether the amount is below zero (or a negative zero, as Decimal.isNegative says), without turning it into a Decimal. */
  get amountIsNegative(): boolean {
    const held = this.#amount;
    return typeof held === 'number' ? held < 0 || Object.is(held, -0) : held.isNegative();
  }

  /**
   * Turns the amounts held as scaled integers into Decimals, once. Equal amounts share
   * one Decimal, as they did when every line held Decimals (a line whose rounding changed
   * nothing has one object for its exact and rounded amounts: no residual).
   */
  static #inDecimals(line: PlanPayoutLine): PlanPayoutLine {
    const made: [number, number, Decimal][] = [];
    const decimal = (held: Amount, scale: number): Decimal => {
      if (typeof held !== 'number') return held;
      for (const [n, s, d] of made) if (s === scale && Object.is(n, held)) return d;
      const d = fromScaled(held, scale);
      made.push([held, scale, d]);
      return d;
    };
    line.#amount = decimal(line.#amount, line.#scale);
    line.#exact = decimal(line.#exact, line.#scale);
    line.#uncapped = decimal(line.#uncapped, line.#scale);
    // Always in the plan currency.
    line.#calculated = decimal(line.#calculated, line.#source.amountScale);
    return line;
  }

  /** The activity a line pays on, or the reports (two or more) a roll-up came through; what the sentence needs beyond provenance. */
  get detail(): Activity | readonly UserId[] | undefined {
    return this.#detail;
  }

  /** The quota and payout credit of the event the line pays, for a FactsSource to replay. */
  get tierInputs(): readonly [quotaCredit: Decimal | undefined, payoutCredit: Decimal | undefined] {
    return [this.#valueOf(this.#quotaCredit), this.#valueOf(this.#creditedValue)];
  }

  #valueOf(value: CreditValue | undefined): Decimal | undefined {
    return value === WHOLE_DEAL_AMOUNT ? this.#deal!.amount : value;
  }

  /** Called by the line's FactsSource when it has replayed the line's event. */
  setFacts(facts: TierFacts): void {
    this.#facts = facts;
  }

  /** Adds a note after the sentence (cap, gate, pay currency), in the order the steps run. */
  addNote(note: Text): void {
    this.#text = withNote(this.#text, note);
  }

  /** The plan cap: the line pays `payable` instead, and says why. */
  capTo(payable: Decimal, note: Text): void {
    PlanPayoutLine.#inDecimals(this);
    this.#amount = payable;
    this.#exact = payable;
    this.#flags |= CAPPED;
    if (this.#provenance) this.#provenance.capped = true;
    this.addNote(note);
  }

  /** The pay step: converts into the statement currency (`rate` undefined when it is the plan currency) and rounds once. */
  settle(currency: CurrencyCode, rate: FxUse | undefined, fxNote: Text | undefined): void {
    if ((this.#flags & PAID) !== 0) throw new Error(`Line ${this.key} was already paid`);
    if (!this.#settleScaled(currency, rate)) {
      const payable = this.payable;
      this.#flags |= PAID;
      // Converted amounts are kept for the whole run: compact copies (see compact). An uncapped
      // line's uncapped amount is its payable one, so one product serves both.
      const exact = rate ? compact(payable.times(rate.rate)) : payable;
      this.#exact = exact;
      if (rate) this.#uncapped = this.#uncapped === payable ? exact : compact(this.uncapped.times(rate.rate));
      this.#amount = roundAmount(exact, currency, this.#source.plan.rounding);
    }
    if (rate) {
      this.addNote(fxNote!);
      this.#payFx = rate;
      if (this.#provenance) this.#provenance.payFx = rate;
    }
  }

  /** settle's conversion and rounding in scaled integers (the same steps); false, having changed nothing, when they do not fit. */
  #settleScaled(currency: CurrencyCode, rate: FxUse | undefined): boolean {
    const held = this.#amount;
    const uncappedHeld = this.#uncapped;
    if (typeof held !== 'number' || typeof uncappedHeld !== 'number') return false;
    let scale = this.#scale;
    let exact = held;
    let uncapped = uncappedHeld;
    if (rate) {
      const places = rate.rate.decimalPlaces();
      const factor = toScaled(rate.rate, places);
      exact = timesScaled(held, factor);
      uncapped = uncappedHeld === held ? exact : timesScaled(uncappedHeld, factor);
      scale += places;
    }
    const rounded = Number.isNaN(exact) || Number.isNaN(uncapped) ? NaN : roundScaled(exact, scale, minorUnits(currency), this.#source.plan.rounding);
    if (Number.isNaN(rounded)) return false;
    this.#flags |= PAID;
    this.#scale = scale;
    this.#exact = exact;
    this.#uncapped = uncapped;
    this.#amount = rounded;
    return true;
  }

  static #explanation(line: PlanPayoutLine): string {
    const text = line.#text;
    if (typeof text === 'string') return text;
    const rendered = textOf(text, line);
    line.#text = rendered;
    return rendered;
  }

  /** The provenance, built (in the field order of Provenance) on first read and kept. */
  static #provenanceOf(line: PlanPayoutLine): Provenance {
    if (line.#provenance) return line.#provenance;
    const { plan, component, quotaInfo } = line.#source;
    const held = line.#facts!;
    const facts = held instanceof FactsSource ? held.factsOf(line) : held;
    line.#provenance = {
      planId: plan.id,
      planVersion: plan.version,
      componentId: component.id,
      deal: line.#deal && dealProvenance(line.#deal),
      activityId: line.#detail === undefined || Array.isArray(line.#detail) ? undefined : (line.#detail as Activity).id,
      credit: line.#credit,
      creditFx: line.#creditFx,
      creditedValue: line.#valueOf(line.#creditedValue),
      quota: quotaInfo,
      attainmentBefore: resolve(facts.attainmentBefore),
      attainmentAfter: resolve(facts.attainmentAfter),
      slices: facts.slices.map(resolveSlice),
      calculated: PlanPayoutLine.#inDecimals(line).#calculated as Decimal,
      capped: (line.#flags & CAPPED) !== 0,
      withheld: (line.#flags & WITHHELD) !== 0,
      payFx: line.#payFx,
    };
    // Only the provenance holds these now.
    line.#facts = line.#quotaCredit = undefined;
    return line.#provenance;
  }

  get explanation(): string {
    return PlanPayoutLine.#explanation(this);
  }

  get provenance(): Provenance {
    return PlanPayoutLine.#provenanceOf(this);
  }

  /** Plan lines are never corrections to a locked period. */
  get adjusts(): undefined {
    return undefined;
  }

  /** The line as a plain object, as an eagerly built line would be (JSON.stringify calls this). */
  toJSON(): PayoutLine {
    return { key: this.key, kind: this.kind, date: this.date, amount: this.amount, exact: this.exact, uncapped: this.uncapped, explanation: this.explanation, provenance: this.provenance, adjusts: this.adjusts };
  }
}
