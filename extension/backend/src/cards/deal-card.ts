import type { DealId, UserId } from '../../../../shared/src/domain/ids.js';
import type { Deal } from '../../../../shared/src/domain/deals.js';
import { measureKey } from '../../../../shared/src/domain/quotas.js';
import { dealCredits } from '../../../../shared/src/engine/credits.js';
import { estimateOpenDeals, nextTierGap, type DealEstimate } from '../../../../shared/src/engine/estimator.js';
import { commissionLineFor } from '../../../../shared/src/engine/statement.js';
import { outcomeOf } from '../../../../shared/src/engine/tenant-index.js';
import { periodContaining } from '../../../../shared/src/time/period.js';
import { ApiFailure } from '../http/api-failure.js';
import { assertCanSee, dealPaid, freshnessOf, periodKindFor, statementOf, type CardContext } from './card-context.js';
import { fromLedger, fromPayoutLine } from './explanation-lines.js';
import { attainmentViews, explainLink, moneyView, nextTierView } from './format.js';
import { CARD_API_VERSION, type DealCardView, type PersonRef } from './view-models.js';

export function measureLookup(ctx: CardContext): (planId: string, componentId: string) => string | undefined {
  return (planId, componentId) => {
    const component = ctx.snapshot.plans.find((p) => p.id === planId)?.components.find((c) => c.id === componentId);
    return component && measureKey(component.measure);
  };
}

/** The estimate for one open deal alone, on the data as it stands: what closing it adds. */
export function estimateFor(ctx: CardContext, payeeId: string, dealId: string): Promise<DealEstimate | undefined> {
  const { snapshot, asOf } = ctx;
  return snapshot.remember(`estimate|${payeeId}|${dealId}|${asOf}`, () => estimateOpenDeals({ plans: snapshot.plans, data: snapshot.data, payeeId: payeeId as UserId, asOf, dealIds: [dealId as DealId], locked: snapshot.locked, index: snapshot.index })[0]);
}

/**
 * The deal card: for the viewing rep (or, for a manager or admin, the rep asked for),
 * what this deal pays if it closes, or what it paid, and where it leaves attainment.
 */
export async function dealCard(ctx: CardContext, dealId: string, payeeId: string | undefined): Promise<DealCardView> {
  const deal = ctx.snapshot.index.dealsById.get(dealId);
  if (!deal) throw new ApiFailure('not_found', `No deal ${dealId} in this account`, 'open the card on a deal that has synced (new deals appear after the next sync)');
  // An admin with no figures of their own (the installer, often) sees what the deal pays its owner.
  const ownFigures = ctx.snapshot.index.users.has(ctx.viewer.userId as UserId);
  const payee = assertCanSee(ctx, payeeId ?? (ownFigures || !ctx.viewer.roles.includes('admin') ? ctx.viewer.userId : deal.ownerId));
  // Cached without `viewer` (who asks) and `freshness` (read on each request); both are added here, once.
  const card = await ctx.snapshot.remember(`card|deal|${dealId}|${payee.userId}|${ctx.asOf}`, () => buildDealCard(ctx, deal, payee));
  return { ...card, viewer: ctx.viewer, freshness: freshnessOf(ctx) };
}

async function buildDealCard(ctx: CardContext, deal: Deal, payee: PersonRef): Promise<Omit<DealCardView, 'viewer' | 'freshness'>> {
  const { snapshot } = ctx;
  const stage = snapshot.index.stages.get(deal.pipelineId)?.get(deal.stageId);
  const status = outcomeOf(snapshot.index, deal) ?? 'open';
  const base: Pick<DealCardView, 'kind' | 'version' | 'payee' | 'deal'> = {
    kind: 'deal',
    version: CARD_API_VERSION,
    payee,
    deal: { id: deal.id, name: deal.name, status, stageName: stage?.name ?? deal.stageId, closeDate: deal.closeDate, amount: moneyView(deal.amount, deal.currency) },
  };
  const empty = { period: null, commission: null, netPay: null, lines: [], attainment: { now: [], afterClose: null }, landsInTier: null, nextTier: null, explain: null };
  const credits = dealCredits(deal, snapshot.index.hierarchy, 10);
  if (!Array.isArray(credits) || !credits.some((c) => c.payeeId === payee.userId)) return { ...base, ...empty, outcome: 'not-credited' };
  const plan = snapshot.plans.find((p) => p.payees.some((a) => a.userId === payee.userId));
  if (!plan) return { ...base, ...empty, outcome: 'no-plan' };
  const period = periodContaining(deal.closeDate, periodKindFor(snapshot, payee.userId), snapshot.data.calendar);
  const measureOf = measureLookup(ctx);

  if (status === 'open') {
    const estimate = await estimateFor(ctx, payee.userId, deal.id);
    if (!estimate) return { ...base, ...empty, outcome: 'no-plan' };
    return {
      ...base,
      outcome: 'estimate',
      period: estimate.period,
      commission: moneyView(estimate.commission, estimate.currency),
      netPay: moneyView(estimate.netPay, estimate.currency),
      lines: estimate.lines.map((l) => fromPayoutLine(l, estimate.currency, estimate.period, snapshot.plans, measureOf)),
      attainment: {
        now: attainmentViews(estimate.attainmentBefore, snapshot.plans, payee.userId, estimate.period),
        afterClose: attainmentViews(estimate.attainmentAfter, snapshot.plans, payee.userId, estimate.period),
      },
      landsInTier: estimate.landsInTier ?? null,
      nextTier: nextTierView(estimate.nextTier, estimate.attainmentAfter, snapshot.plans),
      explain: explainLink('deal-estimate', 'How is this estimate worked out?', { dealId: deal.id, userId: payee.userId }),
    };
  }

  // Won or lost: what the ledger holds for this deal in its period (a lost deal may carry a clawback).
  const paid = await dealPaid(ctx, payee.userId, period.id, deal.id);
  const statement = await statementOf(ctx, period, payee.userId);
  const own = statement && commissionLineFor(statement.lines, deal.id);
  const slices = own?.provenance?.slices ?? [];
  const attainment = statement?.attainment ?? [];
  return {
    ...base,
    outcome: 'paid',
    period: period.id,
    commission: moneyView(paid.total, paid.currency),
    netPay: null,
    lines: paid.lines.map(fromLedger),
    attainment: { now: attainmentViews(attainment, snapshot.plans, payee.userId, period.id), afterClose: null },
    landsInTier: slices.length ? Math.max(...slices.map((s) => s.tier)) : null,
    nextTier: nextTierView(nextTierGap(snapshot.plans, attainment), attainment, snapshot.plans),
    explain: explainLink('deal-paid', 'What did this deal pay me?', { dealId: deal.id, userId: payee.userId }),
  };
}
