import { ZERO, add, minDecimal, maxDecimal, type Decimal } from '../money/decimal.js';
import { displayMoney } from '../money/money.js';
import { roundToMinor } from '../money/rounding.js';
import type { CurrencyCode } from '../money/currency.js';
import type { TenantId, UserId } from '../domain/ids.js';
import type { User } from '../domain/people.js';
import type { DrawTerms, Plan } from '../plan/plan.js';
import { minDate, type IsoDate } from '../time/iso-date.js';
import { lastDay, overlapDays, type Period } from '../time/period.js';
import { Words } from './explain.js';
import type { FxTable } from './fx-table.js';
import { PlanPayoutLine } from './payout-line.js';
import type { PayeePeriodLines } from './period-lines.js';
import type { AttainmentSummary, Balances, EngineException, FxUse, PayoutLine, Statement } from './statement.js';

export interface AssembleInput {
  readonly tenantId: TenantId;
  readonly user: User | undefined;
  readonly payeeId: UserId;
  readonly period: Period;
  readonly asOf: IsoDate;
  readonly planLines: PayeePeriodLines | undefined;
  /** Corrections to locked periods, already in the pay currency and rounded. */
  readonly adjustments: readonly PayoutLine[];
  readonly opening: Balances;
  /** Plans that name this payee in the period (for rounding and the netting policy), even with no lines. */
  readonly plans: readonly Plan[];
  /** The payee's draw agreement: one per payee, from the first plan (by id) that grants one in the period. */
  readonly draw: { readonly plan: Plan; readonly terms: DrawTerms } | undefined;
  readonly fx: FxTable;
}

/**
 * One payee's statement for one period: plan lines converted into the pay currency and
 * rounded once each, then corrections to locked periods, carried-balance netting and
 * draws, in that order (draws see earnings after clawbacks, and never absorb them).
 */
export function assembleStatement(input: AssembleInput): Statement | EngineException {
  const { period, payeeId } = input;
  const currency = input.user?.payCurrency ?? input.plans[0]?.currency;
  if (currency === undefined) throw new Error(`assembleStatement for ${payeeId} without plans or user`);
  // Paid at the period's last day's rate, or the latest one known if the period is not over yet.
  const payDate = minDate(lastDay(period), input.asOf);
  const lines: PayoutLine[] = [];
  const fxByPlanCurrency = new Map<string, FxUse | 'same' | undefined>();
  const fxNotes = new Map<string, PayFxNote>();
  const payFxNote = (planCurrency: string, rate: FxUse): PayFxNote => {
    let note = fxNotes.get(planCurrency);
    if (!note) fxNotes.set(planCurrency, (note = new PayFxNote(currency, rate)));
    return note;
  };
  for (const line of input.planLines?.lines ?? []) {
    const plan = line.plan;
    let fx: FxUse | 'same' | undefined = 'same';
    if (plan.currency !== currency) {
      fx = fxByPlanCurrency.get(plan.currency);
      if (!fxByPlanCurrency.has(plan.currency)) {
        fx = input.fx.lookup(plan.currency, currency, payDate);
        fxByPlanCurrency.set(plan.currency, fx);
      }
    }
    if (fx === undefined) {
      return { code: 'missing_fx_rate', recordId: payeeId, message: `No ${plan.currency}→${currency} rate on or before ${payDate} to pay ${input.user?.name ?? payeeId} for ${period.id}`, fix: `add an FX rate from ${plan.currency} to ${currency} dated on or before ${payDate}` };
    }
    const rate = fx === 'same' ? undefined : fx;
    line.settle(currency, rate, rate && payFxNote(plan.currency, rate));
    lines.push(line);
  }
  for (const adjustment of input.adjustments) lines.push(adjustment);

  // Earnings matter only to netting and draws. Without a carried balance or a draw, and with no
  // negative line, the period cannot net negative: nothing more is added, and the total is
  // added up when first read.
  if (!input.opening.carried.greaterThan(0) && input.draw === undefined && !lines.some(amountIsNegative)) {
    const attainment: AttainmentSummary[] = [...(input.planLines?.attainment ?? [])];
    return new AssembledStatement(input.tenantId, payeeId, input.user?.name ?? payeeId, period, input.asOf, currency, lines, undefined, attainment, input.opening, { draw: input.opening.draw, carried: input.opening.carried });
  }
  // The total is then kept as lines are added: the same left-to-right sum as adding them up at the end.
  let running = totalOf(lines);
  const pushLine = (line: PayoutLine): void => {
    lines.push(line);
    running = add(running, line.amount);
  };

  const rounding = input.plans[0]?.rounding ?? 'half-even';
  const round = (d: Decimal): Decimal => roundToMinor(d, currency, rounding).amount;
  const money = (d: Decimal): string => displayMoney({ amount: d, currency });
  const simple = (key: string, kind: PayoutLine['kind'], amount: Decimal, explanation: string): PayoutLine => ({ key, kind, date: payDate, amount, exact: amount, uncapped: amount, explanation, provenance: undefined, adjusts: undefined });

  // Netting: a carried balance is recovered from positive earnings; a negative period is carried (or not) by policy.
  const nettingPlan = input.plans[0];
  let carried = input.opening.carried;
  let earned = running;
  if (carried.greaterThan(0) && earned.greaterThan(0)) {
    const recovered = minDecimal(carried, earned);
    carried = carried.minus(recovered);
    pushLine(simple('netting|balance-recovery', 'balance-recovery', recovered.negated(), `Recovery of ${money(recovered)} carried from earlier periods (clawbacks that exceeded pay); ${money(carried)} still carried.`));
    earned = earned.minus(recovered);
  }
  if (earned.lessThan(0) && nettingPlan?.clawback.netting === 'carry-forward') {
    const owed = earned.negated();
    carried = carried.plus(owed);
    pushLine(simple('netting|carry-forward', 'carry-forward', owed, `This period nets to ${money(earned)}; under ${nettingPlan.name}'s carry-forward policy nothing is deducted now and ${money(owed)} is carried to be recovered from later pay.`));
    earned = ZERO;
  }

  let drawBalance = input.opening.draw;
  const drawPlan = input.draw?.plan;
  const terms = input.draw?.terms;
  if (terms) {
    const draw = terms.amount;
    const active = overlapDays(period, terms.from, terms.to) > 0;
    const cap = (d: Decimal): Decimal => (terms.recoveryCap === undefined ? d : minDecimal(d, terms.recoveryCap));
    const label = `${terms.type} draw of ${money(draw)} a period (${drawPlan!.name})`;
    const recover = (available: Decimal, why: string): void => {
      const recovered = round(cap(minDecimal(drawBalance, maxDecimal(available, ZERO))));
      if (recovered.lessThanOrEqualTo(0)) return;
      drawBalance = drawBalance.minus(recovered);
      const capNote = terms.recoveryCap !== undefined && recovered.equals(terms.recoveryCap) ? `, the most recovered in one period` : '';
      pushLine(simple('draw|recovery', 'draw-recovery', recovered.negated(), `Recovery of ${money(recovered)} of the ${label} balance${capNote} (${why}); ${money(drawBalance)} still owed.`));
    };
    switch (terms.type) {
      case 'non-recoverable':
        if (active) pushLine(simple('draw|pay', 'draw', draw, `Non-recoverable draw of ${money(draw)} (${drawPlan!.name}): paid on top of earnings and never owed back.`));
        break;
      case 'non-recoverable-guarantee':
        if (active && earned.lessThan(draw)) {
          const topUp = draw.minus(earned);
          pushLine(simple('draw|pay', 'draw', topUp, `Guarantee top-up: earnings of ${money(earned)} are below the ${label}, so ${money(topUp)} is added; it is never owed back.`));
        }
        break;
      case 'recoverable-guarantee':
        if (active && earned.lessThan(draw)) {
          const topUp = draw.minus(earned);
          drawBalance = drawBalance.plus(topUp);
          pushLine(simple('draw|pay', 'draw', topUp, `Guarantee top-up: earnings of ${money(earned)} are below the ${label}, so ${money(topUp)} is added and owed back from later earnings above the guarantee; ${money(drawBalance)} owed.`));
        } else if (drawBalance.greaterThan(0)) {
          // While the guarantee runs, recovery never takes net pay below it.
          recover(active ? earned.minus(draw) : earned, active ? `earnings above the ${money(draw)} guarantee` : 'the guarantee has ended');
        }
        break;
      case 'recoverable':
        if (active) {
          drawBalance = drawBalance.plus(draw);
          pushLine(simple('draw|pay', 'draw', draw, `Draw advance of ${money(draw)} (${drawPlan!.name}), recoverable from earnings; ${money(drawBalance)} owed.`));
        }
        if (drawBalance.greaterThan(0)) recover(earned, 'earnings this period');
        break;
    }
  }

  const attainment: AttainmentSummary[] = [...(input.planLines?.attainment ?? [])];
  return new AssembledStatement(input.tenantId, payeeId, input.user?.name ?? payeeId, period, input.asOf, currency, lines, running, attainment, input.opening, { draw: drawBalance, carried });
}

/** A plan line answers without turning a scaled amount into a Decimal. */
function amountIsNegative(line: PayoutLine): boolean {
  return line instanceof PlanPayoutLine ? line.amountIsNegative : line.amount.isNegative();
}

/** Sum of the lines' amounts, in line order. */
function totalOf(lines: readonly PayoutLine[]): Decimal {
  let total = ZERO;
  for (const l of lines) total = add(total, l.amount);
  return total;
}

/** Sum of the lines' rounding residuals (exact − amount), in line order. */
function residualOf(lines: readonly PayoutLine[]): Decimal {
  let residual = ZERO;
  // A line already on the minor unit has no residual (x − x is +0), which adds nothing.
  for (const l of lines) if (l.exact !== l.amount) residual = residual.plus(l.exact.minus(l.amount));
  return residual;
}

/** The accessors every statement shares; their getters are set by the class below. */
const TOTAL: PropertyDescriptor = { enumerable: true, configurable: true };
const RESIDUAL: PropertyDescriptor = { enumerable: true, configurable: true };

/**
 * A statement whose rounding residual (and, when netting and draws did not need it, its
 * total) is added up when first read: operations per line that a full recompute would
 * otherwise spend on figures few read. Both are own, enumerable accessors, so copies,
 * JSON and matchers see them like plain fields.
 */
class AssembledStatement implements Statement {
  declare readonly tenantId: Statement['tenantId'];
  declare readonly payeeId: Statement['payeeId'];
  declare readonly payeeName: string;
  declare readonly period: Statement['period'];
  declare readonly asOf: Statement['asOf'];
  declare readonly currency: CurrencyCode;
  declare readonly lines: readonly PayoutLine[];
  declare readonly total: Decimal;
  declare readonly residual: Decimal;
  declare readonly attainment: readonly AttainmentSummary[];
  declare readonly opening: Balances;
  declare readonly closing: Balances;
  #total: Decimal | undefined;
  #residual: Decimal | undefined;

  constructor(
    tenantId: Statement['tenantId'],
    payeeId: Statement['payeeId'],
    payeeName: string,
    period: Statement['period'],
    asOf: Statement['asOf'],
    currency: CurrencyCode,
    lines: readonly PayoutLine[],
    /** Undefined: added up from the lines when first read. */
    total: Decimal | undefined,
    attainment: readonly AttainmentSummary[],
    opening: Balances,
    closing: Balances,
  ) {
    // Assigned in the order of the Statement fields, so own keys enumerate as on a literal statement.
    this.tenantId = tenantId;
    this.payeeId = payeeId;
    this.payeeName = payeeName;
    this.period = period;
    this.asOf = asOf;
    this.currency = currency;
    this.lines = lines;
    Object.defineProperty(this, 'total', TOTAL);
    Object.defineProperty(this, 'residual', RESIDUAL);
    this.attainment = attainment;
    this.opening = opening;
    this.closing = closing;
    this.#total = total;
    this.#residual = undefined;
  }

  static {
    TOTAL.get = function (this: AssembledStatement): Decimal {
      this.#total ??= totalOf(this.lines);
      return this.#total;
    };
    RESIDUAL.get = function (this: AssembledStatement): Decimal {
      this.#residual ??= residualOf(this.lines);
      return this.#residual;
    };
  }
}

/** The note on a line paid in another currency than its plan's; one per statement and plan currency, reading each line's amount. */
class PayFxNote extends Words {
  constructor(
    private readonly currency: CurrencyCode,
    private readonly rate: FxUse,
  ) {
    super();
  }

  render(line: PlanPayoutLine): string {
    return ` Paid in ${this.currency} at ${this.rate.rate.toString()} (${this.rate.source}, ${this.rate.date}): ${displayMoney({ amount: line.amount, currency: this.currency })}.`;
  }
}
