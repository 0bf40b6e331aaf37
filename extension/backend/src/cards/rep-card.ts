import type { Decimal } from '../../../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../../../shared/src/money/currency.js';
import { roundAmount } from '../../../../shared/src/money/rounding.js';
import type { DealId, UserId } from '../../../../shared/src/domain/ids.js';
import { dealCredits } from '../../../../shared/src/engine/credits.js';
import { estimateOpenDeals, nextTierGap, type DealEstimate } from '../../../../shared/src/engine/estimator.js';
import type { AttainmentSummary } from '../../../../shared/src/engine/statement.js';
import { outcomeOf } from '../../../../shared/src/engine/tenant-index.js';
import { contains, type Period } from '../../../../shared/src/time/period.js';
import { assertCanSee, currentPeriod, freshnessOf, ledgerFor, stageProbability, statementOf, statementsFor, type CardContext } from './card-context.js';
import { attainmentViews, explainLink, moneyView, nextTierView, percentView } from './format.js';
import { kpiComparisons } from './kpi-comparison.js';
import { CARD_ROUTES, CARD_API_VERSION, type PercentView, type PersonRef, type RepCardView, type TrendPoint } from './view-models.js';

const TREND_PERIODS = 4;

/** The open deals credited to the payee whose expected close date falls in the period, in the estimator's declared order. */
export function openDealsClosingIn(ctx: CardContext, payeeId: string, period: Period): DealId[] {
  const { index } = ctx.snapshot;
  return ctx.snapshot.data.deals
    .filter((d) => contains(period, d.closeDate) && outcomeOf(index, d) === 'open')
    .filter((d) => {
      const credits = dealCredits(d, index.hierarchy, 10);
      return Array.isArray(credits) && credits.some((c) => c.payeeId === payeeId);
    })
    .map((d) => d.id);
}

/**
 * Every open deal closing in the period, estimated in the declared order (each assumes
 * the earlier ones closed), so the estimates add up to the combined outcome.
 */
export function periodEstimates(ctx: CardContext, payeeId: string, period: Period): Promise<DealEstimate[]> {
  const { snapshot, asOf } = ctx;
  return snapshot.remember(`estimates|${payeeId}|${period.id}|${asOf}`, () => {
    const dealIds = openDealsClosingIn(ctx, payeeId, period);
    if (dealIds.length === 0 || !snapshot.plans.some((p) => p.payees.some((a) => a.userId === payeeId))) return [];
    return estimateOpenDeals({ plans: snapshot.plans, data: snapshot.data, payeeId: payeeId as UserId, asOf, dealIds, locked: snapshot.locked, index: snapshot.index }).filter((e) => e.period === period.id);
  });
}

export interface Projection {
  readonly toDate: Decimal;
  readonly projected: Decimal;
  readonly likely: Decimal;
  readonly currency: string;
  readonly estimates: readonly DealEstimate[];
}

export async function projectionFor(ctx: CardContext, payeeId: string, period: Period): Promise<Projection> {
  const ledger = await ledgerFor(ctx, payeeId, period.id);
  const estimates = await periodEstimates(ctx, payeeId, period);
  let projected = ledger.total;
  let likely = ledger.total;
  for (const e of estimates) {
    const deal = ctx.snapshot.index.dealsById.get(e.dealId)!;
    projected = projected.plus(e.netPay);
    likely = likely.plus(e.netPay.times(stageProbability(ctx, deal.pipelineId, deal.stageId)));
  }
  return { toDate: ledger.total, projected, likely, currency: estimates[0]?.currency ?? ledger.currency, estimates };
}

/** The attainment shown as the headline: the first revenue component, else the first with a quota. */
export function headlineAttainment(summaries: readonly AttainmentSummary[]): PercentView | null {
  const pick = summaries.find((s) => s.measure === 'revenue' && s.attainment !== undefined) ?? summaries.find((s) => s.attainment !== undefined);
  return pick?.attainment === undefined ? null : percentView(pick.attainment);
}

export async function trendFor(ctx: CardContext, userId: string, period: Period): Promise<TrendPoint[]> {
  const run = await statementsFor(ctx, period);
  if (!run) return [];
  const periods = run.history.slice(-TREND_PERIODS);
  return Promise.all(
    periods.map(async (h) => {
      const statement = h.statements.find((s) => s.payeeId === userId);
      const ledger = await ledgerFor(ctx, userId, h.period.id);
      return { period: h.period.id, attainment: headlineAttainment(statement?.attainment ?? []), earnings: moneyView(ledger.total, ledger.currency) };
    }),
  );
}

export async function repCard(ctx: CardContext, userId: string | undefined, periodId: string | undefined): Promise<RepCardView> {
  const rep = assertCanSee(ctx, userId ?? ctx.viewer.userId);
  const period = currentPeriod(ctx, rep.userId, periodId);
  // The card is a function of the snapshot, the subject, the period and the day, so it is cached without
  // `viewer` (who asks) and `freshness` (read on each request); both are added here, once.
  const card = await ctx.snapshot.remember(`card|rep|${rep.userId}|${period.id}|${ctx.asOf}`, () => buildRepCard(ctx, rep, period));
  return { ...card, viewer: ctx.viewer, freshness: freshnessOf(ctx) };
}

async function buildRepCard(ctx: CardContext, rep: PersonRef, period: Period): Promise<Omit<RepCardView, 'viewer' | 'freshness'>> {
  const [statement, projection, kpis, trend] = await Promise.all([statementOf(ctx, period, rep.userId), projectionFor(ctx, rep.userId, period), kpiComparisons(ctx, rep.userId, period), trendFor(ctx, rep.userId, period)]);
  const attainment = statement?.attainment ?? [];
  const currency = statement?.currency ?? projection.currency;
  const params = { userId: rep.userId, period: period.id };
  return {
    kind: 'rep',
    version: CARD_API_VERSION,
    rep,
    period: { id: period.id, start: period.start, end: period.end },
    currency,
    attainment: attainmentViews(attainment, ctx.snapshot.plans, rep.userId, period.id),
    earnings: {
      toDate: moneyView(projection.toDate, currency),
      projected: moneyView(projection.projected, currency),
      // Probability-weighted, so rounded once here to the currency's minor unit (half-even).
      likely: moneyView(roundAmount(projection.likely, currency as CurrencyCode, 'half-even'), currency),
      explainToDate: explainLink('earnings-to-date', 'Why is this what I have earned?', params),
      explainProjected: explainLink('earnings-projected', 'What would my open deals add?', params),
    },
    nextTier: nextTierView(nextTierGap(ctx.snapshot.plans, attainment), attainment, ctx.snapshot.plans),
    kpis,
    trend,
    charts: { attainmentTrend: CARD_ROUTES.chart('attainment-trend', rep.userId), pipelineByStage: CARD_ROUTES.chart('pipeline-by-stage', rep.userId) },
  };
}

