import { z } from 'zod';
import { measureKey } from '../../../../shared/src/domain/quotas.js';
import type { CreditedDeal } from '../../../../shared/src/kpi/period-deals.js';
import { outcomeOf } from '../../../../shared/src/engine/tenant-index.js';
import { periodContaining } from '../../../../shared/src/time/period.js';
import { ApiFailure } from '../http/api-failure.js';
import { assertCanSee, currentPeriod, dealPaid, kpisFor, ledgerFor, periodKindFor, statementOf, type CardContext } from './card-context.js';
import { estimateFor, measureLookup } from './deal-card.js';
import { fromLedger, fromPayoutLine } from './explanation-lines.js';
import { moneyView, percentView, quantityView } from './format.js';
import { KPI_DEFINITIONS } from './kpi-comparison.js';
import { projectionFor } from './rep-card.js';
import { CARD_API_VERSION, EXPLAINED_FIGURES, KPI_IDS, type ExplanationLine, type ExplanationView } from './view-models.js';

export const ExplainQuery = z.object({
  figure: z.enum(EXPLAINED_FIGURES),
  userId: z.string().min(1).max(256).optional(),
  period: z.string().min(1).max(64).optional(),
  dealId: z.string().min(1).max(256).optional(),
  planId: z.string().min(1).max(256).optional(),
  componentId: z.string().min(1).max(256).optional(),
  kpi: z.enum(KPI_IDS).optional(),
});
export type ExplainQuery = z.infer<typeof ExplainQuery>;

function need<T>(value: T | undefined, name: string, figure: string): T {
  if (value === undefined) throw new ApiFailure('bad_request', `Explaining ${figure} needs ${name}`, `use the explain link the card returned, which carries ${name}`);
  return value;
}

const RESIDUAL_NOTE = 'Each line is rounded once to the currency\'s minor unit; the total is the sum of the rounded lines.';

/** "Why is this my number": the statement lines (or deals) behind one figure on a card. */
export async function explain(ctx: CardContext, q: ExplainQuery): Promise<ExplanationView> {
  const subject = assertCanSee(ctx, q.userId ?? ctx.viewer.userId);
  const { snapshot } = ctx;
  const base = { kind: 'explanation' as const, version: CARD_API_VERSION, figure: q.figure, subjectId: subject.userId, subjectName: subject.name, asOf: ctx.asOf };

  if (q.figure === 'deal-estimate' || q.figure === 'deal-paid') {
    const dealId = need(q.dealId, 'dealId', q.figure);
    const deal = snapshot.index.dealsById.get(dealId);
    if (!deal) throw new ApiFailure('not_found', `No deal ${dealId} in this account`, 'open the explanation from the deal card');
    if (q.figure === 'deal-estimate') {
      if (outcomeOf(snapshot.index, deal) !== 'open') throw new ApiFailure('bad_request', `Deal ${dealId} is closed: there is nothing to estimate`, 'ask for figure=deal-paid');
      const estimate = await estimateFor(ctx, subject.userId, dealId).catch(() => undefined);
      if (!estimate) throw new ApiFailure('not_found', `Deal ${dealId} would not pay ${subject.name} anything under a current plan`, 'check the deal\'s owner and splits, and the payee\'s plan assignment');
      return {
        ...base,
        title: `If ${deal.name} closes on ${deal.closeDate}`,
        period: estimate.period,
        source: 'estimate',
        total: { kind: 'money', ...moneyView(estimate.commission, estimate.currency) },
        lines: estimate.lines.map((l) => fromPayoutLine(l, estimate.currency, estimate.period, snapshot.plans, measureLookup(ctx))),
        notes: ['The estimate runs the same engine on the same data with this deal marked won; true-ups on earlier deals appear as their own lines.', RESIDUAL_NOTE],
      };
    }
    const period = periodContaining(deal.closeDate, periodKindFor(snapshot, subject.userId), snapshot.data.calendar);
    const paid = await dealPaid(ctx, subject.userId, period.id, dealId);
    return {
      ...base,
      title: `What ${deal.name} paid`,
      period: period.id,
      source: 'ledger',
      total: { kind: 'money', ...moneyView(paid.total, paid.currency) },
      lines: paid.lines.map(fromLedger),
      notes: [RESIDUAL_NOTE],
    };
  }

  const period = currentPeriod(ctx, subject.userId, q.period);

  if (q.figure === 'earnings-to-date') {
    const ledger = await ledgerFor(ctx, subject.userId, period.id);
    return { ...base, title: `Earnings for ${period.id}`, period: period.id, source: 'ledger', total: { kind: 'money', ...moneyView(ledger.total, ledger.currency) }, lines: ledger.lines.map(fromLedger), notes: [RESIDUAL_NOTE, 'Lines at zero were paid before and reversed (a deal reopened or was removed); they stay listed for the record.'] };
  }

  if (q.figure === 'earnings-projected') {
    const p = await projectionFor(ctx, subject.userId, period);
    const ledger = await ledgerFor(ctx, subject.userId, period.id);
    const estimateLines: ExplanationLine[] = p.estimates.flatMap((e) => e.lines.map((l) => fromPayoutLine(l, e.currency, e.period, snapshot.plans, measureLookup(ctx))));
    return {
      ...base,
      title: `Projected earnings for ${period.id}`,
      period: period.id,
      source: 'estimate',
      total: { kind: 'money', ...moneyView(p.projected, p.currency) },
      lines: [...ledger.lines.map(fromLedger), ...estimateLines],
      notes: [`Earned so far ${moneyView(p.toDate, p.currency).display}, plus ${p.estimates.length} open deal(s) expected to close in ${period.id}, each estimated as if the ones closing before it had closed too.`, RESIDUAL_NOTE],
    };
  }

  if (q.figure === 'attainment') {
    const planId = need(q.planId, 'planId', q.figure);
    const componentId = need(q.componentId, 'componentId', q.figure);
    const statement = await statementOf(ctx, period, subject.userId);
    const summary = statement?.attainment.find((s) => s.planId === planId && s.componentId === componentId);
    if (!statement || !summary) throw new ApiFailure('not_found', `${subject.name} has no attainment on ${planId}/${componentId} in ${period.id}`, 'use the explain link on the card');
    const component = snapshot.plans.find((p) => p.id === planId)?.components.find((c) => c.id === componentId);
    const measure = component ? measureKey(component.measure) : summary.measure;
    const lines = statement.lines.filter((l) => l.provenance?.planId === planId && l.provenance.componentId === componentId && l.provenance.creditedValue !== undefined && l.kind === 'commission');
    const currency = snapshot.plans.find((p) => p.id === planId)?.currency ?? statement.currency;
    return {
      ...base,
      title: `Attainment on ${component?.name ?? componentId}, ${period.id}`,
      period: period.id,
      source: 'ledger',
      total: summary.attainment === undefined ? null : { kind: 'percent', ...percentView(summary.attainment) },
      lines: lines.map((l) => fromPayoutLine(l, statement.currency, period.id, snapshot.plans, measureLookup(ctx))),
      notes: [
        `Credited ${quantityView(summary.credited, summary.measure, currency).display}${summary.quota === undefined ? ' with no quota' : ` against a quota of ${quantityView(summary.quota, summary.measure, currency).display}`}${summary.attainment === undefined ? '' : ` = ${percentView(summary.attainment).display}`}.`,
        ...(measure !== summary.measure ? [`Pay is measured in ${measure}; attainment in ${summary.measure}.`] : []),
      ],
    };
  }

  // KPI: the deals behind it, from the KPI module's own drill-down.
  const kpi = need(q.kpi, 'kpi', q.figure);
  const report = await kpisFor(ctx, subject.userId, period);
  const definition = KPI_DEFINITIONS.find((k) => k.id === kpi)!;
  const value = definition.value(report);
  const dealLine = (kind: string) => (d: CreditedDeal): ExplanationLine => ({
    key: `deal:${d.deal.id}`,
    kind,
    period: period.id,
    date: d.deal.closeDate,
    amount: null,
    credited: d.credited === undefined ? null : { kind: 'money', ...moneyView(d.credited, report.currency) },
    explanation: `${d.deal.name}: ${moneyView(d.deal.amount, d.deal.currency).display} in ${d.stage.name}, credit share ${d.share.times(100).toString()} %${d.credited === undefined ? ' (no FX rate: left out of amounts)' : ''}`,
    cause: null,
    dealId: d.deal.id,
    dealName: d.deal.name,
  });
  const deals = report.deals;
  const lines = kpi === 'pipeline-coverage' ? deals.open.map(dealLine('deal-open')) : kpi === 'win-rate' ? [...deals.won.map(dealLine('deal-won')), ...deals.lost.map(dealLine('deal-lost'))] : kpi === 'activities' ? [] : deals.won.map(dealLine('deal-won'));
  return {
    ...base,
    title: `${definition.label}, ${period.id}`,
    period: period.id,
    source: 'kpi',
    total: value === undefined ? null : definition.view(value, report),
    lines,
    notes: report.problems.map((p) => `${p.message} (${p.fix})`),
  };
}
