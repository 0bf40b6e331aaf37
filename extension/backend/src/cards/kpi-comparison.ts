import { Decimal, HUNDRED } from '../../../../shared/src/money/decimal.js';
import { teamMedian, type KpiReport } from '../../../../shared/src/kpi/kpi-report.js';
import { wasMemberOn } from '../../../../shared/src/kpi/subject.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import type { Period } from '../../../../shared/src/time/period.js';
import { kpisFor, type CardContext } from './card-context.js';
import { countView, explainLink, moneyView, percentView, ratioView } from './format.js';
import type { FigureValue, KpiComparison, KpiId } from './view-models.js';

interface KpiDefinition {
  readonly id: KpiId;
  readonly label: string;
  readonly higherIsBetter: boolean;
  value(report: KpiReport): Decimal | undefined;
  view(value: Decimal, report: KpiReport): FigureValue;
}

export const KPI_DEFINITIONS: readonly KpiDefinition[] = [
  { id: 'quota-attainment', label: 'Quota attainment', higherIsBetter: true, value: (r) => r.quotaAttainment.attainment?.times(HUNDRED), view: (v) => ({ kind: 'percent', ...percentView(v) }) },
  { id: 'pipeline-coverage', label: 'Pipeline coverage', higherIsBetter: true, value: (r) => r.pipelineCoverage.coverage, view: (v) => ({ kind: 'ratio', ...ratioView(v) }) },
  { id: 'win-rate', label: 'Win rate', higherIsBetter: true, value: (r) => r.winRate.byCount?.times(HUNDRED), view: (v) => ({ kind: 'percent', ...percentView(v) }) },
  { id: 'average-deal-size', label: 'Average deal size', higherIsBetter: true, value: (r) => r.averageDealSize.average, view: (v, r) => ({ kind: 'money', ...moneyView(v, r.currency) }) },
  { id: 'sales-cycle', label: 'Sales cycle', higherIsBetter: false, value: (r) => r.salesCycle.averageDays, view: (v) => ({ kind: 'count', ...countView(v, 'day') }) },
  { id: 'activities', label: 'Completed activities', higherIsBetter: true, value: (r) => new Decimal(r.activities.total.count), view: (v) => ({ kind: 'count', ...countView(v, 'activity') }) },
];

/** Everyone on the rep's teams on the as-of day, the rep included: the median is the team's. */
export function teamPeers(ctx: CardContext, userId: string): string[] {
  const peers = new Set<string>();
  for (const team of ctx.snapshot.data.teams) {
    if (!wasMemberOn(team, userId as UserId, ctx.asOf)) continue;
    for (const m of team.members) if (wasMemberOn(team, m.userId, ctx.asOf)) peers.add(m.userId);
  }
  return [...peers].sort();
}

export async function kpiComparisons(ctx: CardContext, userId: string, period: Period): Promise<KpiComparison[]> {
  const report = await kpisFor(ctx, userId, period);
  const peers = teamPeers(ctx, userId);
  const peerReports = await Promise.all(peers.map((p) => kpisFor(ctx, p, period)));
  return KPI_DEFINITIONS.map((k) => {
    const value = k.value(report);
    const values = peerReports.map((r) => k.value(r)).filter((v): v is Decimal => v !== undefined);
    const median = peers.length > 1 ? teamMedian(values) : undefined;
    let versusMedian: KpiComparison['versusMedian'] = null;
    if (value !== undefined && median !== undefined) {
      const c = value.comparedTo(median);
      versusMedian = c === 0 ? 'equal' : (c > 0) === k.higherIsBetter ? 'better' : 'worse';
    }
    return {
      id: k.id,
      label: k.label,
      value: value === undefined ? null : k.view(value, report),
      teamMedian: median === undefined ? null : k.view(median, report),
      versusMedian,
      explain: explainLink('kpi', `What is behind my ${k.label.toLowerCase()}?`, { userId, period: period.id, kpi: k.id }),
    };
  });
}
