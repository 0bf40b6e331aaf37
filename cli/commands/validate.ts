import { lastDay } from '../../shared/src/time/period.js';
import { cadenceLabel } from '../cadence.js';
import { plural } from '../format.js';
import { Progress, type CliIo } from '../io.js';
import { checkPlanVersions, checkPlansData, loadData, loadPlans } from '../load.js';
import { optionalDate, requireList, type ParsedValues } from '../options.js';
import { computeCalc, resolveTarget } from './calc.js';

/**
 * Checks plans (and data, and the plans against the data) without printing statements.
 * Any problem is an InputError, reported by main() with exit 2; with --period, records
 * the engine would refuse to pay on are listed and the exit code is 3.
 */
export function validateCommand(values: ParsedValues, io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  const progress = new Progress(io);
  try {
    const plans = loadPlans(cwd, requireList(values, 'plan', 'validate'));
    checkPlanVersions(plans);
    const out: string[] = [`ok: ${plural(plans.length, 'plan')}`];
    for (const { plan, file } of plans) {
      const until = plan.effectiveTo ? ` until ${plan.effectiveTo}` : '';
      out.push(`  ${file}: ${plan.id} v${plan.version} "${plan.name}", ${cadenceLabel(plan.periodKind)}, ${plan.currency}, from ${plan.effectiveFrom}${until}; ${plural(plan.payees.length, 'payee')}, ${plural(plan.components.length, 'component')}`);
    }
    const dataPath = values['data'];
    if (typeof dataPath !== 'string') {
      io.stdout(`${out.join('\n')}\n`);
      return 0;
    }
    const data = loadData(cwd, dataPath, progress);
    checkPlansData(plans, data);
    out.push(
      `ok: data ${dataPath}: ${plural(data.users.length, 'user')}, ${plural(data.deals.length, 'deal')}, ${plural(data.pipelines.length, 'pipeline')}, ${plural(data.activities.length, 'activity', 'activities')}, ${plural(data.quotas.length, 'quota')}, ${plural(data.fxRates.length, 'FX rate')}; every payee and pipeline the plans name exists`,
    );
    const periodId = values['period'];
    if (typeof periodId !== 'string') {
      io.stdout(`${out.join('\n')}\n`);
      return 0;
    }
    const target = resolveTarget(periodId, data);
    const asOf = optionalDate(values, 'as-of', 'validate') ?? lastDay(target);
    const result = computeCalc(plans.map((p) => p.plan), data, target, asOf, [], undefined, progress);
    progress.done();
    const exceptions = result.periods.flatMap((p) => p.exceptions);
    if (exceptions.length === 0) {
      out.push(`ok: ${result.periods.map((p) => p.period.id).join(', ')} computed as of ${asOf} with no exceptions`);
      io.stdout(`${out.join('\n')}\n`);
      return 0;
    }
    io.stdout(`${out.join('\n')}\n`);
    const lines = [`problems: ${plural(exceptions.length, 'record')} the engine would refuse to pay on in ${result.periods.map((p) => p.period.id).join(', ')} (as of ${asOf}):`];
    for (const e of exceptions) lines.push(`  ${e.period ?? ''} ${e.code} (${e.recordId}): ${e.message}. Fix: ${e.fix}.`);
    io.stderr(`${lines.join('\n')}\n`);
    return 3;
  } finally {
    progress.done();
  }
}
