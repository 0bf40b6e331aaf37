import type { Dataset } from '../../shared/src/domain/dataset.js';
import type { DealId, UserId } from '../../shared/src/domain/ids.js';
import { estimateOpenDeals, type DealEstimate } from '../../shared/src/engine/estimator.js';
import type { AttainmentSummary } from '../../shared/src/engine/statement.js';
import { lineToJson } from '../../shared/src/engine/statement-json.js';
import { indexTenant, outcomeOf } from '../../shared/src/engine/tenant-index.js';
import { InputError } from '../../shared/src/input/input-error.js';
import type { Plan } from '../../shared/src/plan/plan.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { money, percent, plural, signed, table, units } from '../format.js';
import { Progress, type CliIo } from '../io.js';
import { loadLocked } from '../load.js';
import { usesQuota } from '../plan-info.js';
import { list, optionalDate, requireString, width, type ParsedValues } from '../options.js';
import { checkPayees, loadInputs } from './calc.js';

/**
 * The default as-of for estimates: the latest date the data records as having happened
 * (a closed deal's close date, a completed activity), never the wall clock, so the same
 * data always gives the same estimate.
 */
export function dataAsOf(data: Dataset): IsoDate | undefined {
  const index = indexTenant(data);
  let latest: IsoDate | undefined;
  const consider = (d: IsoDate): void => {
    if (latest === undefined || d > latest) latest = d;
  };
  for (const deal of data.deals) {
    const outcome = outcomeOf(index, deal);
    if (outcome === 'won' || outcome === 'lost') consider(deal.closeDate);
  }
  for (const a of data.activities) if (a.status === 'completed') consider(a.occurredAt);
  return latest;
}

export function estimateCommand(values: ParsedValues, io: CliIo): number {
  const progress = new Progress(io);
  try {
    const { plans, data } = loadInputs(values, 'estimate', io, progress);
    const payeeId = requireString(values, 'payee', 'estimate').trim();
    checkPayees([payeeId], data);
    const explicitAsOf = optionalDate(values, 'as-of', 'estimate');
    const asOf = explicitAsOf ?? dataAsOf(data) ?? data.deals.map((d) => d.closeDate).sort()[0];
    if (asOf === undefined) throw new InputError('estimate', [{ path: '', message: 'the data has no deals to estimate', fix: 'add open deals to the data' }]);
    const dealIds = list(values, 'deal').map((d) => d.trim());
    const unknown = dealIds.filter((id) => !data.deals.some((d) => d.id === id));
    if (unknown.length > 0) throw new InputError('--deal', unknown.map((id) => ({ path: '', message: `unknown deal "${id}"`, fix: 'use the id of a deal in the data file' })));
    const locked = loadLocked(io.cwd ?? process.cwd(), list(values, 'locked'));
    progress.step('estimating');
    const estimates = estimateOpenDeals({
      plans: plans.map((p) => p.plan),
      data,
      payeeId: payeeId as UserId,
      asOf,
      ...(dealIds.length > 0 ? { dealIds: dealIds as DealId[] } : {}),
      ...(locked.length > 0 ? { locked } : {}),
    });
    progress.done();
    if (values['json']) {
      io.stdout(`${JSON.stringify({ payeeId, asOf, estimates: estimates.map(estimateJson) }, null, 2)}\n`);
      return 0;
    }
    const user = data.users.find((u) => u.id === payeeId)!;
    io.stdout(renderEstimates(estimates, data, plans.map((p) => p.plan), `${user.name} (${user.id})`, asOf, explicitAsOf === undefined, width(values, io.columns, 'estimate')));
    return 0;
  } finally {
    progress.done();
  }
}

const summaryJson = (a: AttainmentSummary) => ({ planId: a.planId, componentId: a.componentId, measure: a.measure, quota: a.quota?.toString(), credited: a.credited.toString(), attainment: a.attainment?.toString() });

function estimateJson(e: DealEstimate) {
  return {
    dealId: e.dealId,
    payeeId: e.payeeId,
    period: e.period,
    closeDate: e.closeDate,
    currency: e.currency,
    commission: e.commission.toString(),
    netPay: e.netPay.toString(),
    landsInTier: e.landsInTier,
    nextTier: e.nextTier && { ...e.nextTier, atAttainment: e.nextTier.atAttainment.toString(), creditNeeded: e.nextTier.creditNeeded.toString() },
    attainmentBefore: e.attainmentBefore.map(summaryJson),
    attainmentAfter: e.attainmentAfter.map(summaryJson),
    lines: e.lines.map((l) => lineToJson(l, e)),
  };
}

/** "new-business 95 % → 140 %" for each component whose credit the deal moved. */
function attainmentMoves(e: DealEstimate, plans: readonly Plan[]): string {
  const moves: string[] = [];
  for (const after of e.attainmentAfter) {
    if (!usesQuota(plans, after.planId, after.componentId)) continue;
    const before = e.attainmentBefore.find((b) => b.planId === after.planId && b.componentId === after.componentId);
    if (before && before.credited.equals(after.credited)) continue;
    if (after.attainment === undefined) continue;
    moves.push(`${after.componentId} ${percent(before?.attainment ?? undefined)} → ${percent(after.attainment)}`);
  }
  return moves.join('; ') || '—';
}

function renderEstimates(estimates: readonly DealEstimate[], data: Dataset, plans: readonly Plan[], who: string, asOf: IsoDate, defaultAsOf: boolean, cols: number): string {
  const out: string[] = [];
  out.push(`What open deals would pay ${who} if they closed won on their expected close dates, as of ${asOf}${defaultAsOf ? ' (the latest closed deal or activity in the data; --as-of changes it)' : ''}.`);
  out.push('Deals are taken in order of expected close date, then id; each estimate assumes the deals above it closed too.');
  if (estimates.length === 0) {
    out.push('', `No open deal credits ${who} under a plan in force on its expected close date.`);
    return `${out.join('\n')}\n`;
  }
  out.push('');
  const rows = estimates.map((e) => {
    const deal = data.deals.find((d) => d.id === e.dealId)!;
    return [e.dealId, deal.name, e.closeDate, e.period, money(deal.amount, deal.currency), signed(e.commission, e.currency), signed(e.netPay, e.currency), e.landsInTier === undefined ? '—' : String(e.landsInTier), attainmentMoves(e, plans)];
  });
  out.push(
    ...table(
      [
        { header: 'DEAL' },
        { header: 'NAME' },
        { header: 'CLOSES' },
        { header: 'PERIOD' },
        { header: 'DEAL AMOUNT', align: 'right' },
        { header: `COMMISSION ${estimates[0]!.currency}`, align: 'right' },
        { header: 'NET PAY', align: 'right' },
        { header: 'TIER', align: 'right' },
        { header: 'ATTAINMENT', wrap: true },
      ],
      rows,
      cols,
    ),
  );
  for (const e of estimates) {
    out.push('', `${e.dealId} — lines that would be added or change in ${e.period} (${e.currency}):`);
    if (e.lines.length === 0) out.push('  none: the deal would pay nothing (a cap, a gate, or no component matches it)');
    else out.push(...table([{ header: 'KIND' }, { header: 'AMOUNT', align: 'right' }, { header: 'EXPLANATION', wrap: true }], e.lines.map((l) => [l.kind, signed(l.amount, e.currency), l.explanation]), cols));
    if (!e.netPay.equals(e.commission)) out.push(`  Net pay changes by ${signed(e.netPay, e.currency)} rather than ${signed(e.commission, e.currency)}: draws and carried balances absorb part of it.`);
    if (e.nextTier) {
      const plan = plans.find((p) => p.id === e.nextTier!.planId);
      const needed = plan && e.attainmentAfter.find((a) => a.componentId === e.nextTier!.componentId)?.measure === 'revenue' ? money(e.nextTier.creditNeeded, plan.currency) : units(e.nextTier.creditNeeded);
      out.push(`  Next tier: tier ${e.nextTier.tier} of ${e.nextTier.componentId} starts at ${percent(e.nextTier.atAttainment)} attainment; ${needed} more credit reaches it.`);
    }
  }
  const total = estimates.reduce((t, e) => t.plus(e.netPay), estimates[0]!.netPay.minus(estimates[0]!.netPay));
  const currencies = new Set(estimates.map((e) => e.currency));
  out.push('', `Summary: ${plural(estimates.length, 'open deal')}${currencies.size === 1 ? `, net pay ${signed(total, estimates[0]!.currency)} ${estimates[0]!.currency} if all close as expected` : ''}.`);
  return `${out.join('\n')}\n`;
}
