import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { withSourceLines } from '../../../../cli/source-lines.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { diffStatements } from '../../../../shared/src/engine/diff.js';
import { runStatements } from '../../../../shared/src/engine/run.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import { InputError, type InputIssue } from '../../../../shared/src/input/input-error.js';
import { checkPlansAgainstData, parsePlanText } from '../../../../shared/src/plan/plan-document.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import { addDays, type IsoDate } from '../../../../shared/src/time/iso-date.js';
import { periodContaining, resolvePeriod, type Period } from '../../../../shared/src/time/period.js';
import { formatAmount } from '../../../../shared/src/money/rounding.js';
import { ApiFailure } from '../http/api-failure.js';
import type { TenantState } from './period-statements.js';

/** A problem in a draft, placed on the line of the editor it is about. */
export interface DraftIssue extends InputIssue {
  readonly line: number | undefined;
}

export type DraftCheck = { readonly ok: true; readonly plan: Plan; readonly document: unknown } | { readonly ok: false; readonly issues: readonly DraftIssue[] };

const LINE_SUFFIX = / \(line (\d+)\)$/;
const SYNTAX_AT = /^line (\d+), column \d+$/;

function placed(error: InputError, text: string): DraftIssue[] {
  return withSourceLines(error, text).issues.map((issue) => {
    const suffix = LINE_SUFFIX.exec(issue.path);
    if (suffix) return { ...issue, path: issue.path.replace(LINE_SUFFIX, ''), line: Number(suffix[1]) };
    const syntax = SYNTAX_AT.exec(issue.path);
    return { ...issue, line: syntax ? Number(syntax[1]) : undefined };
  });
}

/**
 * Everything `spm validate --data` checks, for a draft typed in the console: the plan
 * format, its payees and pipelines against the tenant's data, and its version against the
 * published ones (a new version must be higher, so the engine picks it).
 */
export function checkDraft(text: string, state: TenantState): DraftCheck {
  let plan: Plan;
  try {
    plan = parsePlanText(text, 'draft');
  } catch (error) {
    if (error instanceof InputError) return { ok: false, issues: placed(error, text) };
    throw error;
  }
  const issues: DraftIssue[] = [];
  try {
    checkPlansAgainstData([plan], state.data);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const local = error.issues.map((i) => ({ ...i, path: i.path.replace(/^plan \S+ v\d+: /, '') }));
    issues.push(...placed(new InputError('draft', local), text));
  }
  const published = state.plans.filter((p) => p.id === plan.id);
  const highest = Math.max(0, ...published.map((p) => p.version));
  if (plan.version <= highest) {
    issues.push(...placed(new InputError('draft', [{ path: 'version', message: `version ${plan.version} of plan ${plan.id} is ${published.some((p) => p.version === plan.version) ? 'already published' : `older than the published version ${highest}`}`, fix: `save the change as version ${highest + 1}` }]), text));
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, plan, document: parseYaml(text) as unknown };
}

/** The period a draft is simulated on by default: the last one of its cadence that has ended by `asOf`. */
export function lastClosedPeriod(plan: Plan, state: TenantState, asOf: IsoDate): Period {
  const current = periodContaining(asOf, plan.periodKind, state.data.calendar);
  return periodContaining(addDays(current.start, -1), plan.periodKind, state.data.calendar);
}

/**
 * The draft as if it were in force for the whole simulated period. A new version usually
 * starts after the last closed period; simulating it there answers "what would last
 * period have paid under the draft", which is what an admin needs before publishing.
 */
function inForceFor(plan: Plan, period: Period): Plan {
  if (plan.effectiveFrom <= period.start && (plan.effectiveTo === undefined || plan.effectiveTo >= period.end)) return plan;
  const from = plan.effectiveFrom < period.start ? plan.effectiveFrom : period.start;
  const to = plan.effectiveTo !== undefined && plan.effectiveTo < period.end ? undefined : plan.effectiveTo;
  return {
    ...plan,
    effectiveFrom: from,
    effectiveTo: to,
    payees: plan.payees.map((a) => ({ ...a, from: a.from === plan.effectiveFrom ? from : a.from, to: a.to === plan.effectiveTo ? to : a.to })),
  };
}

export interface SimulationJson {
  readonly planId: string;
  readonly version: number;
  readonly period: string;
  /** Set when the draft's own dates do not cover the period and it was simulated as if they did. */
  readonly note: string | undefined;
  readonly payees: readonly {
    readonly payeeId: string;
    readonly payeeName: string;
    readonly currency: string;
    readonly totalBefore: string;
    readonly totalAfter: string;
    readonly delta: string;
    readonly changes: readonly { key: string; kind: string; before: string | undefined; after: string | undefined; delta: string; cause: string; explanation: string }[];
  }[];
}

/**
 * Runs the engine twice on one period of the current data, with the published plans and
 * with the draft in place of its plan, and returns the statement diff per payee. Locked
 * periods are recomputed here (not taken as locked), so the diff is the plan's effect only.
 */
export function simulateDraft(plan: Plan, state: TenantState, asOf: IsoDate, periodId: string | undefined): SimulationJson {
  const period = periodId === undefined ? lastClosedPeriod(plan, state, asOf) : resolvePeriod(periodId, state.data.calendar);
  if (!period) throw new ApiFailure('invalid_input', `"${periodId}" is not a period`, 'use an id such as 2026-Q3 or 2026-07');
  if (period.kind !== plan.periodKind) throw new ApiFailure('invalid_input', `plan ${plan.id} pays by ${plan.periodKind}, not by ${period.kind}`, `simulate on a ${plan.periodKind} period`);
  const locked = state.locked.filter((l) => l.period !== period.id);
  const run = (plans: readonly Plan[]): readonly Statement[] => {
    if (!plans.some((p) => p.periodKind === period.kind)) return [];
    return runStatements({ plans, data: state.data, ...(state.index ? { index: state.index } : {}), period: period.id, asOf, locked }).statements;
  };
  const simulated = inForceFor(plan, period);
  const before = run(state.plans);
  const after = run([...state.plans.filter((p) => p.id !== plan.id || p.version < plan.version), simulated]);
  const names = new Map<UserId, string>([...before, ...after].map((s) => [s.payeeId, s.payeeName]));
  const note = simulated === plan ? undefined : `version ${plan.version} takes effect ${plan.effectiveFrom}${plan.effectiveTo ? ` until ${plan.effectiveTo}` : ''}; it was simulated as if in force for all of ${period.id}`;
  return {
    planId: plan.id,
    version: plan.version,
    period: period.id,
    note,
    payees: diffStatements(before, after).map((d) => ({
      payeeId: d.payeeId,
      payeeName: names.get(d.payeeId) ?? d.payeeId,
      currency: d.currency,
      totalBefore: formatAmount(d.totalBefore, d.currency),
      totalAfter: formatAmount(d.totalAfter, d.currency),
      delta: formatAmount(d.delta, d.currency),
      changes: d.changes.map((c) => ({ key: c.key, kind: c.kind, before: c.before?.toString(), after: c.after?.toString(), delta: c.delta.toString(), cause: c.cause, explanation: c.explanation })),
    })),
  };
}

/** A stored plan document as the editor shows it (YAML; the stored form is the parsed document, so comments are not kept). */
export function documentText(document: unknown): string {
  return stringifyYaml(document, { lineWidth: 0 });
}
