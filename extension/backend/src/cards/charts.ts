import { Decimal, HUNDRED, ZERO } from '../../../../shared/src/money/decimal.js';
import type { Period } from '../../../../shared/src/time/period.js';
import { assertCanSee, currentPeriod, kpisFor, statementsFor, type CardContext } from './card-context.js';
import { chartPoint } from './format.js';
import { reportsOf } from './manager-card.js';
import { CARD_API_VERSION, type ChartId, type ChartView } from './view-models.js';

const BANDS: ReadonlyArray<{ label: string; below: Decimal | undefined }> = [
  { label: '< 50 %', below: HUNDRED.times('0.5') },
  { label: '50–80 %', below: HUNDRED.times('0.8') },
  { label: '80–100 %', below: HUNDRED },
  { label: '100–120 %', below: HUNDRED.times('1.2') },
  { label: '≥ 120 %', below: undefined },
];

async function attainmentTrend(ctx: CardContext, userId: string, period: Period): Promise<ChartView> {
  const run = await statementsFor(ctx, period);
  const data = (run?.history ?? []).slice(-8).flatMap((h) => {
    const summaries = h.statements.find((s) => s.payeeId === userId)?.attainment ?? [];
    return summaries.filter((s) => s.attainment !== undefined).map((s) => chartPoint(h.period.id, s.attainment!, `${s.planId}/${s.componentId}`));
  });
  return { kind: 'chart', version: CARD_API_VERSION, id: 'attainment-trend', type: 'line', title: 'Attainment by period', xLabel: 'Period', yLabel: 'Attainment (%)', yUnit: 'percent', currency: null, data };
}

/** How many of the manager's reports sit in each attainment band (KPI attainment: won revenue ÷ revenue quota). */
async function teamDistribution(ctx: CardContext, managerId: string, period: Period): Promise<ChartView> {
  const counts = new Map(BANDS.map((b) => [b.label, 0]));
  for (const userId of reportsOf(ctx, managerId)) {
    const attainment = (await kpisFor(ctx, userId, period)).quotaAttainment.attainment;
    if (attainment === undefined) continue;
    const percent = attainment.times(HUNDRED);
    const band = BANDS.find((b) => b.below === undefined || percent.lessThan(b.below))!;
    counts.set(band.label, counts.get(band.label)! + 1);
  }
  const data = BANDS.map((b) => chartPoint(b.label, new Decimal(counts.get(b.label)!)));
  return { kind: 'chart', version: CARD_API_VERSION, id: 'team-distribution', type: 'bar', title: 'Team attainment distribution', xLabel: 'Attainment', yLabel: 'Reps', yUnit: 'count', currency: null, data };
}

/** Open pipeline expected to close in the period, by stage: a manager's reports together, or one rep. */
async function pipelineByStage(ctx: CardContext, userId: string, period: Period): Promise<ChartView> {
  const reports = reportsOf(ctx, userId);
  const people = reports.length > 0 ? reports : [userId];
  const byStage = new Map<string, Decimal>();
  for (const person of people) {
    for (const d of (await kpisFor(ctx, person, period)).deals.open) {
      if (d.credited === undefined) continue;
      byStage.set(d.stage.name, (byStage.get(d.stage.name) ?? ZERO).plus(d.credited));
    }
  }
  const order = new Map(ctx.snapshot.data.pipelines.flatMap((p) => p.stages.map((s) => [s.name, s.order] as const)));
  const data = [...byStage].sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0)).map(([stage, amount]) => chartPoint(stage, amount));
  const currency = ctx.snapshot.data.tenant.currency;
  return { kind: 'chart', version: CARD_API_VERSION, id: 'pipeline-by-stage', type: 'bar', title: 'Open pipeline by stage', xLabel: 'Stage', yLabel: `Credited amount (${currency})`, yUnit: 'money', currency, data };
}

export async function chart(ctx: CardContext, id: ChartId, userId: string | undefined, periodId: string | undefined): Promise<ChartView> {
  const subject = assertCanSee(ctx, userId ?? ctx.viewer.userId);
  const anchor = id === 'attainment-trend' ? subject.userId : (reportsOf(ctx, subject.userId)[0] ?? subject.userId);
  const period = currentPeriod(ctx, anchor, periodId);
  if (id === 'attainment-trend') return attainmentTrend(ctx, subject.userId, period);
  if (id === 'team-distribution') return teamDistribution(ctx, subject.userId, period);
  return pipelineByStage(ctx, subject.userId, period);
}
