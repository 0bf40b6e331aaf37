import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import { roundAmount } from '../money/rounding.js';
import type { Activity } from '../domain/activities.js';
import type { UserId } from '../domain/ids.js';
import type { Plan } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { textOf, withNote, type Text } from './explain.js';
import type { FxUse, LineKind, PayoutLine, Provenance } from './statement.js';

/**
 * A line's provenance while the statement is being built: complete except for the plan
 * cap (`capped`) and the pay currency (`payFx`), which later steps fill in on this same
 * object before the statement is returned. Each line's provenance is built once.
 */
export interface ProvenanceDraft extends Provenance {
  capped: boolean;
  payFx: FxUse | undefined;
}

/** What a line's sentence needs beyond its provenance: the activity it pays on, or the reports a roll-up came through (two or more). */
export type LineDetail = Activity | readonly UserId[] | undefined;

/** What a line comes from: its plan and the component's position in it. */
export interface LineSource {
  readonly plan: Plan;
  readonly componentIndex: number;
}

/** The accessor every plan line shares; its getter is set by the class below. */
const EXPLANATION: PropertyDescriptor = { enumerable: true, configurable: true };

/**
 * A plan line (commission, true-up, gate release, spiff, bonus), from the component that
 * computes it to the statement that pays it: one object per line, completed in place by
 * the plan cap and the pay step before the statement is returned (then it is read-only).
 *
 * Its explanation is rendered when first read, then kept (see `Words`). `explanation` is
 * an own, enumerable accessor property rather than a prototype getter, so everything that
 * copies a plain object — `{ ...line }`, JSON.stringify, structuredClone, test matchers —
 * sees the text exactly as on an eagerly built line. The accessor is one shared function,
 * which keeps every line on the same hidden class. The working state (plan, payable,
 * words) is private, so it never shows up in such copies either.
 */
export class PlanPayoutLine implements PayoutLine {
  declare readonly key: string;
  declare readonly kind: LineKind;
  declare readonly date: IsoDate;
  /** Until the pay step: the payable amount in the plan currency. */
  declare amount: Decimal;
  declare exact: Decimal;
  /** Until the pay step: in the plan currency. */
  declare uncapped: Decimal;
  declare readonly explanation: string;
  declare readonly provenance: ProvenanceDraft;
  declare readonly adjusts: undefined;
  // Few private fields: a big run keeps a million lines.
  readonly #source: LineSource;
  readonly #detail: LineDetail;
  /** In the plan currency; undefined once the line is paid. */
  #payable: Decimal | undefined;
  /** The sentence and its notes until first read, then the text. */
  #text: Text;

  constructor(source: LineSource, key: string, kind: LineKind, date: IsoDate, uncapped: Decimal, payable: Decimal, sentence: Text, provenance: ProvenanceDraft, detail: LineDetail) {
    // Assigned in the order of the PayoutLine fields, so own keys enumerate as on a literal line.
    this.key = key;
    this.kind = kind;
    this.date = date;
    this.amount = payable;
    this.exact = payable;
    this.uncapped = uncapped;
    Object.defineProperty(this, 'explanation', EXPLANATION);
    this.provenance = provenance;
    this.adjusts = undefined;
    this.#source = source;
    this.#detail = detail;
    this.#payable = payable;
    this.#text = sentence;
  }

  get plan(): Plan {
    return this.#source.plan;
  }

  get componentIndex(): number {
    return this.#source.componentIndex;
  }

  /** In the plan currency, after the component's gate and cap and the plan cap. */
  get payable(): Decimal {
    if (this.#payable === undefined) throw new Error(`Line ${this.key} was already paid`);
    return this.#payable;
  }

  get detail(): LineDetail {
    return this.#detail;
  }

  /** Adds a note after the sentence (cap, gate, pay currency), in the order the steps run. */
  addNote(note: Text): void {
    this.#text = withNote(this.#text, note);
  }

  /** The plan cap: the line pays `payable` instead, and says why. */
  capTo(payable: Decimal, note: Text): void {
    this.#payable = payable;
    this.amount = payable;
    this.exact = payable;
    this.provenance.capped = true;
    this.addNote(note);
  }

  /** The pay step: converts into the statement currency (`rate` undefined when it is the plan currency) and rounds once. */
  settle(currency: CurrencyCode, rate: FxUse | undefined, fxNote: Text | undefined): void {
    const payable = this.payable;
    this.#payable = undefined;
    this.exact = rate ? payable.times(rate.rate) : payable;
    if (rate) this.uncapped = this.uncapped.times(rate.rate);
    this.amount = roundAmount(this.exact, currency, this.#source.plan.rounding);
    if (rate) {
      this.addNote(fxNote!);
      this.provenance.payFx = rate;
    }
  }

  static #explanation(line: PlanPayoutLine): string {
    const text = line.#text;
    if (typeof text === 'string') return text;
    const rendered = textOf(text, line);
    line.#text = rendered;
    return rendered;
  }

  static {
    EXPLANATION.get = function (this: PlanPayoutLine): string {
      return PlanPayoutLine.#explanation(this);
    };
  }
}
