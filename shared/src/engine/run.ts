import { ZERO, type Decimal } from '../money/decimal.js';
import { displayMoney } from '../money/money.js';
import { roundToMinor } from '../money/rounding.js';
import type { Dataset } from '../domain/dataset.js';
import type { UserId } from '../domain/ids.js';
import { InputError } from '../input/input-error.js';
import type { Plan, PlanAssignment } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { nextPeriod, periodContaining, resolvePeriod, type Period, type PeriodId } from '../time/period.js';
import { assembleStatement } from './assemble-statement.js';
import { CAUSE_TEXT, classifyChange } from './classify.js';
import { periodLines, plansInForce, type Arithmetic } from './period-lines.js';
import type { Balances, EngineException, LineKind, PayoutLine, Statement } from './statement.js';
import { indexTenant, outcomeOf, type TenantIndex } from './tenant-index.js';

/** A period whose statements were approved and locked: they are never rewritten. */
export interface LockedPeriod {
  readonly period: PeriodId;
  readonly statements: readonly Statement[];
}

export interface RunInput {
  readonly plans: readonly Plan[];
  readonly data: Dataset;
  readonly period: PeriodId;
  /** What the engine may know: records dated after it are not yet real. Never "now". */
  readonly asOf: IsoDate;
  readonly locked?: readonly LockedPeriod[];
  /** Compute only these payees (the estimator and incremental recompute use this). */
  readonly payees?: ReadonlySet<UserId>;
  /** A prebuilt index of `data`, reused across runs on the same data. */
  readonly index?: TenantIndex;
  /** 'decimal' does every step in decimal.js: the reference the default is tested against. */
  readonly arithmetic?: Arithmetic;
}

export interface PeriodStatements {
  readonly period: Period;
  readonly locked: boolean;
  readonly statements: readonly Statement[];
}

export interface RunResult {
  readonly period: Period;
  readonly statements: readonly Statement[];
  /** Every period computed on the way, oldest first (draw and carried balances flow through them). */
  readonly history: readonly PeriodStatements[];
  /** Corrections to locked periods that have no open period to land in yet (the target itself is locked). */
  readonly pendingAdjustments: readonly { readonly payeeId: UserId; readonly line: PayoutLine }[];
  readonly exceptions: readonly EngineException[];
}

const PLAN_LINE_KINDS: ReadonlySet<LineKind> = new Set(['commission', 'true-up', 'gate-release', 'spiff', 'bonus']);
const ZERO_BALANCES: Balances = { draw: ZERO, carried: ZERO };

/**
 * Computes statements for `period`, walking every period of its cadence from the first
 * plan's start so draw and carried balances are exact. Locked periods are taken as they
 * were locked; what has changed since becomes adjustment and clawback lines in the next
 * open period, each with its cause.
 */
export function runStatements(input: RunInput): RunResult {
  const index = input.index ?? indexTenant(input.data);
  const calendar = input.data.calendar;
  const target = resolvePeriod(input.period, calendar);
  if (!target) throw new InputError('period', [{ path: 'period', message: `"${input.period}" is not a period`, fix: 'use "2026-Q3", "2026-07", "2026", "2026-W27" or the id of a custom period' }]);
  const cadencePlans = input.plans.filter((p) => p.periodKind === target.kind);
  if (cadencePlans.length === 0) {
    const kinds = [...new Set(input.plans.map((p) => p.periodKind))].join(', ');
    throw new InputError('period', [{ path: 'period', message: `no plan pays by ${target.kind} (the plans pay by ${kinds || 'nothing'})`, fix: `ask for a ${kinds.split(', ')[0] ?? 'plan'} period instead` }]);
  }
  const locked = new Map((input.locked ?? []).map((l) => [l.period as string, l]));
  let start = cadencePlans.reduce((d, p) => (p.effectiveFrom < d ? p.effectiveFrom : d), target.start);
  for (const l of locked.values()) {
    const lp = resolvePeriod(l.period, calendar);
    if (lp && lp.kind === target.kind && lp.start < start) start = lp.start;
  }

  const exceptions: EngineException[] = [];
  const history: PeriodStatements[] = [];
  const balances = new Map<UserId, Balances>();
  let pending = new Map<UserId, PayoutLine[]>();
  const selected = (id: UserId): boolean => !input.payees || input.payees.has(id);
  const tenantId = input.data.tenant.id;

  for (let period = periodContaining(start, target.kind, calendar); period.start <= target.start; period = nextPeriod(period, calendar)) {
    const active = plansInForce(input.plans, period);
    const computed = periodLines(index, input.plans, period, input.asOf, input.payees, input.arithmetic);
    exceptions.push(...computed.exceptions.map((e) => ({ ...e, period: period.id })));
    const payees = new Set<UserId>(computed.byPayee.keys());
    for (const plan of active) for (const a of plan.payees) if (selected(a.userId) && a.from < period.end && (a.to === undefined || a.to > period.start)) payees.add(a.userId);
    const assignments = new Map<UserId, { plan: Plan; assignment: PlanAssignment }[]>();
    for (const plan of active) {
      for (const assignment of plan.payees) {
        const list = assignments.get(assignment.userId);
        if (list) list.push({ plan, assignment });
        else assignments.set(assignment.userId, [{ plan, assignment }]);
      }
    }
    const assemble = (payeeId: UserId, adjustments: readonly PayoutLine[], opening: Balances): Statement | undefined => {
      const mine = assignments.get(payeeId) ?? [];
      const plans = mine.map((m) => m.plan);
      const user = index.users.get(payeeId);
      if (plans.length === 0 && !user) return undefined;
      const withDraw = mine.find((m) => m.assignment.draw !== undefined);
      const draw = withDraw && { plan: withDraw.plan, terms: withDraw.assignment.draw! };
      const s = assembleStatement({ tenantId, user, payeeId, period, asOf: input.asOf, planLines: computed.byPayee.get(payeeId), adjustments, opening, plans, draw, fx: index.fx });
      if ('code' in s) {
        exceptions.push({ ...s, period: period.id });
        return undefined;
      }
      return s;
    };

    const lockedHere = locked.get(period.id);
    if (lockedHere) {
      const lockedByPayee = new Map(lockedHere.statements.filter((s) => selected(s.payeeId)).map((s) => [s.payeeId, s]));
      for (const payeeId of new Set([...payees, ...lockedByPayee.keys()])) {
        const fresh = assemble(payeeId, [], ZERO_BALANCES);
        const corrections = adjustmentsFor(lockedByPayee.get(payeeId), fresh, period, input.plans, index);
        if (corrections.length > 0) pending.set(payeeId, [...(pending.get(payeeId) ?? []), ...corrections]);
      }
      for (const s of lockedByPayee.values()) balances.set(s.payeeId, s.closing);
      history.push({ period, locked: true, statements: [...lockedByPayee.values()] });
      continue;
    }

    for (const payeeId of pending.keys()) payees.add(payeeId);
    for (const [payeeId, b] of balances) if (!b.draw.isZero() || !b.carried.isZero()) payees.add(payeeId);
    const statements: Statement[] = [];
    for (const payeeId of [...payees].sort()) {
      const adjustments = (pending.get(payeeId) ?? []).map((l) => ({ ...l, date: period.start }));
      const s = assemble(payeeId, adjustments, balances.get(payeeId) ?? ZERO_BALANCES);
      if (!s) continue;
      balances.set(payeeId, s.closing);
      statements.push(s);
    }
    pending = new Map();
    history.push({ period, locked: false, statements });
  }
  const last = history[history.length - 1]!;
  return { period: target, statements: last.statements, history, pendingAdjustments: [...pending].flatMap(([payeeId, lines]) => lines.map((line) => ({ payeeId, line }))), exceptions: dedupe(exceptions) };
}

/** Corrections for one payee's locked period: for every line key, what it computes now minus what it paid then. */
export function adjustmentsFor(lockedStatement: Statement | undefined, fresh: Statement | undefined, period: Period, plans: readonly Plan[], index: TenantIndex): PayoutLine[] {
  const then = new Map((lockedStatement?.lines ?? []).filter((l) => PLAN_LINE_KINDS.has(l.kind)).map((l) => [l.key, l]));
  const now = new Map((fresh?.lines ?? []).filter((l) => PLAN_LINE_KINDS.has(l.kind)).map((l) => [l.key, l]));
  const currency = fresh?.currency ?? lockedStatement?.currency;
  if (!currency) return [];
  const money = (d: Decimal): string => displayMoney({ amount: d, currency });
  const out: PayoutLine[] = [];
  for (const key of [...new Set([...then.keys(), ...now.keys()])].sort()) {
    const before = then.get(key);
    const after = now.get(key);
    const ref = (after ?? before)!;
    const subject = ref.provenance?.deal ? `deal "${ref.provenance.deal.name || ref.provenance.deal.id}" (${ref.provenance.deal.id})` : ref.key.split('|').slice(1).join(' ');
    // A deal line that vanished is a clawback only if the deal is no longer won; a deal that is
    // still won but now closes in another period, or no longer credits this payee, is an edit.
    const dealId = before?.provenance?.deal?.id;
    const current = dealId === undefined ? undefined : index.dealsById.get(dealId);
    const stillWon = current !== undefined && outcomeOf(index, current) === 'won';
    if (before && !after && (before.kind === 'commission' || before.kind === 'spiff') && !stillWon) {
      const plan = plansInForce(plans, period).find((p) => p.id === before.provenance?.planId);
      const basis = plan?.clawback.basis ?? 'original';
      const reversed = basis === 'original' ? roundToMinor(before.uncapped, currency, plan?.rounding ?? 'half-even').amount : before.amount;
      if (reversed.isZero()) continue;
      const amount = reversed.negated();
      out.push({
        key: `clawback|${period.id}|${key}`,
        kind: 'clawback',
        date: period.end,
        amount,
        exact: amount,
        uncapped: amount,
        explanation: `Clawback: ${subject} paid ${money(before.amount)} in locked period ${period.id} and is no longer closed-won; ${basis === 'original' ? `its original calculation of ${money(reversed)} is reversed (draw top-ups are never clawed back)` : `the ${money(reversed)} it actually paid is reversed`}.`,
        provenance: before.provenance,
        adjusts: { period: period.id, key, cause: 'clawback' },
      });
      continue;
    }
    const delta = (after?.amount ?? ZERO).minus(before?.amount ?? ZERO);
    if (delta.isZero()) continue;
    const cause = before && !after && stillWon ? 'deal-edited' : classifyChange(before, after);
    out.push({
      key: `adjustment|${period.id}|${key}`,
      kind: 'adjustment',
      date: period.end,
      amount: delta,
      exact: delta,
      uncapped: delta,
      explanation: `Correction to locked period ${period.id}: ${ref.kind} line for ${subject} paid ${money(before?.amount ?? ZERO)} then and computes ${money(after?.amount ?? ZERO)} now because ${CAUSE_TEXT[cause]}, so ${money(delta.abs())} is ${delta.isNegative() ? 'deducted' : 'paid'} here.`,
      provenance: after?.provenance ?? before?.provenance,
      adjusts: { period: period.id, key, cause },
    });
  }
  return out;
}

function dedupe(list: EngineException[]): EngineException[] {
  const seen = new Map<string, EngineException>();
  for (const e of list) seen.set(`${e.code}|${e.recordId}|${e.period ?? ''}|${e.message}`, e);
  return [...seen.values()];
}
