import type { Dataset } from '../../shared/src/domain/dataset.js';
import type { UserId } from '../../shared/src/domain/ids.js';
import { plansInForce } from '../../shared/src/engine/period-lines.js';
import { runStatements, type LockedPeriod, type RunResult } from '../../shared/src/engine/run.js';
import type { EngineException, Statement } from '../../shared/src/engine/statement.js';
import { statementToJson } from '../../shared/src/engine/statement-json.js';
import { indexTenant, type TenantIndex } from '../../shared/src/engine/tenant-index.js';
import { InputError } from '../../shared/src/input/input-error.js';
import { ZERO, type Decimal } from '../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import type { Plan } from '../../shared/src/plan/plan.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { lastDay, resolvePeriod, type Period } from '../../shared/src/time/period.js';
import { cadenceLabel, planCadences, type CadencePlan } from '../cadence.js';
import { amount, money, percent, plural, table, totalsByCurrency, units, wrap } from '../format.js';
import { Progress, type CliIo } from '../io.js';
import { usesQuota } from '../plan-info.js';
import { checkPlansData, loadData, loadLocked, loadPlans, type LoadedPlan } from '../load.js';
import { list, optionalDate, requireList, requireString, width, type ParsedValues } from '../options.js';

export interface Inputs {
  readonly plans: readonly LoadedPlan[];
  readonly data: Dataset;
}

/** Plans and data, each checked, then checked against each other. */
export function loadInputs(values: ParsedValues, command: 'calc' | 'estimate' | 'validate', io: CliIo, progress: Progress): Inputs {
  const cwd = io.cwd ?? process.cwd();
  const planPaths = requireList(values, 'plan', command);
  const dataPath = requireString(values, 'data', command);
  const plans = loadPlans(cwd, planPaths);
  const data = loadData(cwd, dataPath, progress);
  checkPlansData(plans, data);
  return { plans, data };
}

export function resolveTarget(id: string, data: Dataset): Period {
  const target = resolvePeriod(id.trim(), data.calendar);
  if (!target) throw new InputError('--period', [{ path: '', message: `"${id}" is not a period`, fix: 'use "2026-Q3", "2026-07", "2026", "2026-W27" or the id of a custom period in the data\'s calendar' }]);
  return target;
}

export function checkPayees(ids: readonly string[], data: Dataset): Set<UserId> {
  const users = new Set(data.users.map((u) => u.id as string));
  const unknown = ids.filter((id) => !users.has(id));
  if (unknown.length > 0) throw new InputError('--payee', unknown.map((id) => ({ path: '', message: `unknown user "${id}"`, fix: 'use the id of a user in the data file (users[].id or users.csv)' })));
  return new Set(ids as UserId[]);
}

export interface PeriodResult {
  readonly period: Period;
  readonly locked: boolean;
  readonly statements: readonly Statement[];
  readonly exceptions: readonly EngineException[];
  /** Corrections to this (locked) period that wait for the next open one. */
  readonly pending: RunResult['pendingAdjustments'];
}

export interface CalcResult {
  readonly target: Period;
  readonly asOf: IsoDate;
  readonly cadences: CadencePlan;
  readonly periods: readonly PeriodResult[];
}

/**
 * Runs the engine for every period the cadence plan asks for. Each cadence is one engine
 * run to its last period; the periods before it come from the run's history, which is
 * exactly what separate runs would give (the engine walks from the first plan's start anyway).
 */
export function computeCalc(plans: readonly Plan[], data: Dataset, target: Period, asOf: IsoDate, locked: readonly LockedPeriod[], payees: ReadonlySet<UserId> | undefined, progress: Progress, index: TenantIndex = indexTenant(data)): CalcResult {
  const cadences = planCadences(target, plans, data.calendar, asOf);
  if (cadences.groups.length === 0) {
    const kinds = [...new Set(plans.map((p) => p.periodKind))];
    throw new InputError('--period', [
      {
        path: '',
        message: `no plan can be computed for ${target.id}: ${cadences.skipped.map((s) => `${s.plans.map((p) => p.id).join(', ')} (${cadenceLabel(s.kind)}): ${s.reason}`).join('; ') || `the plans pay by ${kinds.join(', ')}`}`,
        fix: `ask for a period the plans pay by (${kinds.join(', ')}), within their effective dates`,
      },
    ]);
  }
  const periods: PeriodResult[] = [];
  for (const group of cadences.groups) {
    const last = group.periods[group.periods.length - 1]!;
    progress.step(`computing ${group.periods.length === 1 ? last.id : `${group.periods[0]!.id} to ${last.id}`}`);
    const run = runStatements({ plans, data, period: last.id, asOf, index, ...(locked.length > 0 ? { locked } : {}), ...(payees ? { payees } : {}) });
    for (const p of group.periods) {
      const h = run.history.find((x) => x.period.id === p.id);
      periods.push({
        period: p,
        locked: h?.locked ?? false,
        statements: h?.statements ?? [],
        exceptions: run.exceptions.filter((e) => e.period === p.id),
        pending: p.id === last.id ? run.pendingAdjustments : [],
      });
    }
  }
  return { target, asOf, cadences, periods };
}

export function calcCommand(values: ParsedValues, io: CliIo): number {
  const progress = new Progress(io);
  try {
    const { plans, data } = loadInputs(values, 'calc', io, progress);
    const target = resolveTarget(requireString(values, 'period', 'calc'), data);
    const asOf = optionalDate(values, 'as-of', 'calc') ?? lastDay(target);
    const locked = loadLocked(io.cwd ?? process.cwd(), list(values, 'locked'));
    const payeeIds = list(values, 'payee');
    const payees = payeeIds.length > 0 ? checkPayees(payeeIds, data) : undefined;
    const result = computeCalc(plans.map((p) => p.plan), data, target, asOf, locked, payees, progress);
    progress.done();
    const exceptionCount = result.periods.reduce((n, p) => n + p.exceptions.length, 0);
    if (values['json']) io.stdout(`${JSON.stringify(calcJson(result), null, 2)}\n`);
    else io.stdout(renderCalc(result, plans, values['as-of'] === undefined, payees !== undefined, width(values, io.columns, 'calc')));
    return values['strict'] && exceptionCount > 0 ? 3 : 0;
  } finally {
    progress.done();
  }
}

export function exceptionJson(e: EngineException) {
  return { code: e.code, recordId: e.recordId, period: e.period, message: e.message, fix: e.fix };
}

/** The --json shape: `{ period, asOf, statements, exceptions }`, which --locked reads back. */
export function calcJson(result: CalcResult) {
  return {
    period: result.target,
    asOf: result.asOf,
    periods: result.periods.map((p) => ({ id: p.period.id, kind: p.period.kind, locked: p.locked })),
    skipped: result.cadences.skipped.map((s) => ({ cadence: s.kind, plans: s.plans.map((p) => `${p.id} v${p.version}`), reason: s.reason })),
    statements: result.periods.flatMap((p) => p.statements.map(statementToJson)),
    exceptions: result.periods.flatMap((p) => p.exceptions.map(exceptionJson)),
    pendingAdjustments: result.periods.flatMap((p) =>
      p.pending.map(({ payeeId, line: l }) => ({ period: p.period.id, payeeId, key: l.key, kind: l.kind, amount: l.amount.toString(), explanation: l.explanation, adjusts: l.adjusts })),
    ),
  };
}

function planNames(plans: readonly Plan[]): string {
  const ids = [...new Map(plans.map((p) => [p.id, p])).values()];
  return ids.map((p) => p.id).join(', ');
}

function renderCalc(result: CalcResult, loaded: readonly LoadedPlan[], defaultAsOf: boolean, filtered: boolean, cols: number): string {
  const out: string[] = [];
  const { target, asOf } = result;
  out.push(`Commission statements for ${target.id} (${target.start} to ${lastDay(target)}), as of ${asOf}${defaultAsOf ? ' (the period\'s last day; --as-of changes it)' : ''}.`);
  for (const group of result.cadences.groups) {
    const ids = group.periods.map((p) => p.id);
    const which = group.kind === target.kind ? `for ${target.id}` : `for each ${group.kind} of ${target.id}: ${ids.join(', ')}`;
    out.push(`  ${cadenceLabel(group.kind)[0]!.toUpperCase()}${cadenceLabel(group.kind).slice(1)} plans (${planNames(group.plans)}): computed ${which}.`);
  }
  for (const s of result.cadences.skipped) out.push(`  Skipped ${cadenceLabel(s.kind)} plans (${planNames(s.plans)}): ${s.reason}.`);
  const plansInPeriod = (period: Period): Plan[] => plansInForce(loaded.map((l) => l.plan), period);

  const totals = new Map<CurrencyCode, Decimal>();
  const payees = new Set<string>();
  let statements = 0;
  let exceptions = 0;
  for (const pr of result.periods) {
    // Asked about some payees only: periods with nothing about them are noise.
    if (filtered && pr.statements.length === 0 && pr.exceptions.length === 0 && pr.pending.length === 0) continue;
    out.push('', `═══ ${pr.period.id} (${pr.period.start} to ${lastDay(pr.period)})${pr.locked ? ' — LOCKED: shown as approved, never rewritten' : ''} ═══`);
    if (pr.statements.length === 0) out.push('', '  No statements: nobody on these plans was paid or owed anything in this period.');
    for (const s of pr.statements) {
      out.push('', ...renderStatement(s, plansInPeriod(pr.period), cols));
      totals.set(s.currency, (totals.get(s.currency) ?? ZERO).plus(s.total));
      payees.add(s.payeeId);
      statements++;
    }
    if (pr.pending.length > 0) {
      out.push('', `  ${plural(pr.pending.length, 'correction')} to this locked period will be paid in the next open period:`);
      out.push(...table([{ header: 'PAYEE' }, { header: 'KIND' }, { header: 'AMOUNT', align: 'right' }, { header: 'EXPLANATION', wrap: true }], pr.pending.map(({ payeeId, line: l }) => [payeeId, l.kind, l.amount.toString(), l.explanation]), cols, '    '));
    }
    if (pr.exceptions.length > 0) {
      exceptions += pr.exceptions.length;
      out.push('', `  Exceptions in ${pr.period.id} — records the engine refused to pay on rather than guess (fix the data and run again):`);
      for (const e of pr.exceptions) {
        out.push(...wrapBullet(`${e.code} (${e.recordId}): ${e.message}.`, cols, '    - '));
        out.push(...wrapBullet(`Fix: ${e.fix}.`, cols, '      '));
      }
    }
  }
  if (filtered && statements === 0) out.push('', `No statements for the selected payees: they are on no plan in force in ${target.id}, or nothing was due.`);
  out.push('');
  if (statements > 1) {
    out.push(`═══ Totals ═══`, '');
    const rows = result.periods.flatMap((pr) => pr.statements.map((s) => [`${s.payeeName} (${s.payeeId})`, s.period.id, money(s.total, s.currency), pr.locked ? 'locked' : '']));
    out.push(...table([{ header: 'PAYEE' }, { header: 'PERIOD' }, { header: 'TOTAL', align: 'right' }, { header: '' }], rows, cols), '');
  }
  const shown = (p: Period): boolean => !filtered || result.periods.some((pr) => pr.period.id === p.id && pr.statements.length > 0);
  const periodText =
    result.cadences.groups
      .map((g) => ({ g, ids: g.periods.filter(shown).map((p) => p.id) }))
      .filter((x) => x.ids.length > 0)
      .map((x) => `${x.ids.join(', ')} (${cadenceLabel(x.g.kind)})`)
      .join(' and ') || target.id;
  out.push(`Summary: ${plural(payees.size, 'payee')}, ${plural(statements, 'statement')}, total payout ${totalsByCurrency(totals)} for ${periodText}, as of ${asOf}; ${exceptions === 0 ? 'no exceptions' : plural(exceptions, 'exception')}.`);
  return `${out.join('\n')}\n`;
}

function wrapBullet(text: string, cols: number, lead: string): string[] {
  return wrap(text, Math.max(30, cols - lead.length)).map((l, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + l);
}

const BALANCE_NOTE = 'amounts the payee owes back';

export function renderStatement(s: Statement, plans: readonly Plan[], cols: number): string[] {
  const out: string[] = [];
  out.push(`${s.payeeName} (${s.payeeId}) · ${s.period.id} · paid in ${s.currency}`);
  if (s.attainment.length > 0) {
    const rows = s.attainment.map((a) => {
      const plan = plans.find((p) => p.id === a.planId);
      const component = plan?.components.find((c) => c.id === a.componentId);
      const revenue = a.measure === 'revenue';
      const cur = plan?.currency;
      const show = (d: Decimal | undefined): string => (d === undefined ? '—' : revenue && cur ? money(d, cur) : units(d));
      // The engine measures every component against the quota; only some pay by it.
      const quotaMatters = usesQuota(plans, a.planId, a.componentId);
      return [`${a.planId} / ${component?.name ?? a.componentId}`, a.measure, quotaMatters ? show(a.quota) : 'not used', show(a.credited), quotaMatters ? percent(a.attainment) : '—'];
    });
    out.push(...table([{ header: 'PLAN / COMPONENT' }, { header: 'MEASURE' }, { header: 'QUOTA', align: 'right' }, { header: 'CREDITED', align: 'right' }, { header: 'ATTAINMENT', align: 'right' }], rows, cols));
    out.push('');
  }
  if (s.lines.length === 0) out.push('  No payout lines in this period.');
  else {
    out.push(
      ...table(
        [{ header: 'KIND' }, { header: 'DATE' }, { header: `AMOUNT ${s.currency}`, align: 'right' }, { header: 'EXPLANATION', wrap: true }],
        s.lines.map((l) => [l.kind, l.date, amount(l.amount, s.currency), l.explanation]),
        cols,
      ),
    );
  }
  out.push('');
  out.push(`  Total ${money(s.total, s.currency)}   (rounding residual ${s.residual.toDecimalPlaces(10).toString()} ${s.currency}: exact minus paid, summed over lines)`);
  const b = (d: Decimal): string => amount(d, s.currency);
  out.push(`  Balances (${BALANCE_NOTE}): draw ${b(s.opening.draw)} → ${b(s.closing.draw)}; carried ${b(s.opening.carried)} → ${b(s.closing.carried)}`);
  return out;
}
