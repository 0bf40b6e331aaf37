import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../shared/src/domain/dataset.js';
import type { Deal } from '../../shared/src/domain/deals.js';
import type { DealId, UserId } from '../../shared/src/domain/ids.js';
import { dealCredits } from '../../shared/src/engine/credits.js';
import { estimateOpenDeals, nextTierGap, type DealEstimate, type EstimateInput } from '../../shared/src/engine/estimator.js';
import { plansInForce } from '../../shared/src/engine/period-lines.js';
import { runStatements, type LockedPeriod } from '../../shared/src/engine/run.js';
import type { AttainmentSummary, Statement } from '../../shared/src/engine/statement.js';
import { lineToJson } from '../../shared/src/engine/statement-json.js';
import { indexTenant, outcomeOf, type TenantIndex } from '../../shared/src/engine/tenant-index.js';
import { payeeShare, shareIndex } from '../../shared/src/engine/payee-scope.js';
import { parseDataset } from '../../shared/src/input/dataset.schema.js';
import { ZERO, type Decimal } from '../../shared/src/money/decimal.js';
import type { Plan } from '../../shared/src/plan/plan.js';
import { parsePlan } from '../../shared/src/plan/plan.schema.js';
import { generatePlans, generateTenant } from '../../shared/src/synthetic/index.js';
import { maxDate, type IsoDate } from '../../shared/src/time/iso-date.js';
import { periodContaining, type PeriodId } from '../../shared/src/time/period.js';

/**
 * The estimator runs each "before" and "after" on the payee's share of the data, reuses
 * the index it is given and the previous "after" as the next "before". None of that may
 * change a number: every estimate must equal the straightforward computation below (the
 * estimator as it was: the whole engine on the whole tenant, twice per deal).
 */
const PLAN_KINDS = new Set(['commission', 'true-up', 'gate-release', 'spiff', 'bonus']);

function referenceEstimates(input: EstimateInput): DealEstimate[] {
  const baseIndex = indexTenant(input.data);
  const credits = (deal: Deal): boolean => {
    const c = dealCredits(deal, baseIndex.hierarchy, 10);
    return Array.isArray(c) && c.some((x) => x.payeeId === input.payeeId);
  };
  const candidates = input.data.deals
    .filter((d) => (input.dealIds ? input.dealIds.includes(d.id) : true))
    .filter((d) => outcomeOf(baseIndex, d) === 'open')
    .filter(credits)
    .sort((a, b) => (a.closeDate !== b.closeDate ? (a.closeDate < b.closeDate ? -1 : 1) : a.id < b.id ? -1 : 1));
  let deals = [...input.data.deals];
  const out: DealEstimate[] = [];
  for (const deal of candidates) {
    const plan = input.plans.find((p) => p.payees.some((a) => a.userId === input.payeeId) && plansInForce([p], periodContaining(deal.closeDate, p.periodKind, input.data.calendar)).length > 0);
    if (!plan) continue;
    const period = periodContaining(deal.closeDate, plan.periodKind, input.data.calendar);
    const asOf = maxDate(input.asOf, deal.closeDate);
    const wonStage = baseIndex.wonStageByPipeline.get(deal.pipelineId);
    if (!wonStage) continue;
    const run = (d: readonly Deal[]): Statement | undefined =>
      runStatements({ plans: input.plans, data: { ...input.data, deals: d }, period: period.id, asOf, payees: new Set([input.payeeId]), ...(input.locked ? { locked: input.locked } : {}) }).statements.find((s) => s.payeeId === input.payeeId);
    const before = run(deals);
    const withDeal = deals.map((d) => (d.id === deal.id ? { ...d, stageId: wonStage.id } : d));
    const after = run(withDeal);
    deals = withDeal;
    if (!after) continue;
    const planTotal = (s: Statement | undefined): Decimal => (s?.lines ?? []).filter((l) => PLAN_KINDS.has(l.kind)).reduce((t, l) => t.plus(l.amount), ZERO);
    const beforeLines = new Map((before?.lines ?? []).map((l) => [l.key, l]));
    const own = after.lines.find((l) => l.kind === 'commission' && l.provenance?.deal?.id === deal.id);
    const slices = own?.provenance?.slices ?? [];
    out.push({
      dealId: deal.id,
      payeeId: input.payeeId,
      period: period.id,
      closeDate: deal.closeDate,
      currency: after.currency,
      commission: planTotal(after).minus(planTotal(before)),
      netPay: after.total.minus(before?.total ?? ZERO),
      attainmentBefore: before?.attainment ?? [],
      attainmentAfter: after.attainment,
      landsInTier: slices.length ? Math.max(...slices.map((s) => s.tier)) : undefined,
      nextTier: nextTierGap(input.plans, after.attainment),
      lines: after.lines.filter((l) => !beforeLines.get(l.key)?.amount.equals(l.amount)),
    });
  }
  return out;
}

/** Every field as text, so two estimates compare equal exactly when every figure and explanation does. */
function plain(estimates: readonly DealEstimate[]): unknown {
  const attainment = (list: readonly AttainmentSummary[]) => list.map((a) => ({ ...a, quota: a.quota?.toString(), credited: a.credited.toString(), attainment: a.attainment?.toString() }));
  return estimates.map((e) => ({
    ...e,
    commission: e.commission.toString(),
    netPay: e.netPay.toString(),
    attainmentBefore: attainment(e.attainmentBefore),
    attainmentAfter: attainment(e.attainmentAfter),
    nextTier: e.nextTier && { ...e.nextTier, atAttainment: e.nextTier.atAttainment.toString(), creditNeeded: e.nextTier.creditNeeded.toString() },
    lines: e.lines.map((l) => lineToJson(l, e)),
  }));
}

interface Tenant {
  readonly data: Dataset;
  readonly plans: readonly Plan[];
  readonly index: TenantIndex;
}

/**
 * A generated tenant and its generated plans (reps: hybrid tiers, a cap, new-hire guarantees;
 * first-line managers: one level of roll-up), plus what the generator leaves out: the reps
 * are also paid per completed meeting (so records other than deals are in play), and the VP
 * on roll-up credit two levels deep (their managers' reps' deals).
 */
function tenant(seed: number, reps: number, deals: number): Tenant {
  const doc = generateTenant({ seed, reps, deals, year: 2026, activitiesPerDeal: 1 });
  const data = parseDataset(doc);
  const [ae, manager, ...rest] = generatePlans(doc, 2026);
  const flm = manager!.payees[0]!.user;
  const vp = doc.managers!.find((l) => l.userId === flm)!.managerId!;
  const withMeetings = { ...ae!, components: [...ae!.components, { id: 'meetings', type: 'spiff' as const, measure: 'activity:meeting', amount: '25' }] };
  const vpPlan = { ...manager!, id: 'vp-rollup', name: 'VP 2026', payees: [{ user: vp }], components: [{ ...manager!.components[0]!, id: 'org-bookings', credit: { quota: ['rollup' as const], payout: ['rollup' as const], rollupLevels: 2 } }] };
  const plans = [withMeetings, manager!, vpPlan, ...rest].map((p) => parsePlan(p));
  return { data, plans, index: indexTenant(data) };
}

/** Payees on a plan with at least one open deal crediting them, reps and managers alike. */
function payeesWithOpenDeals(t: Tenant): UserId[] {
  const onPlan = new Set(t.plans.flatMap((p) => p.payees.map((a) => a.userId)));
  const found = new Set<UserId>();
  for (const deal of t.data.deals) {
    if (outcomeOf(t.index, deal) !== 'open') continue;
    const c = dealCredits(deal, t.index.hierarchy, 10);
    if (Array.isArray(c)) for (const x of c) if (onPlan.has(x.payeeId)) found.add(x.payeeId);
  }
  return [...found].sort();
}

function openDealsOf(t: Tenant, payeeId: UserId): DealId[] {
  return t.data.deals
    .filter((d) => {
      const c = dealCredits(d, t.index.hierarchy, 10);
      return outcomeOf(t.index, d) === 'open' && Array.isArray(c) && c.some((x) => x.payeeId === payeeId);
    })
    .map((d) => d.id);
}

/** Compares fast and reference for every payee: all their open deals together, then a sample of deals one by one. */
function expectSameEstimates(t: Tenant, asOf: IsoDate, locked?: readonly LockedPeriod[]): number {
  let compared = 0;
  const withLocked = locked ? { locked } : {};
  for (const payeeId of payeesWithOpenDeals(t)) {
    const input = { plans: t.plans, data: t.data, payeeId, asOf, ...withLocked };
    const reference = referenceEstimates(input);
    expect(plain(estimateOpenDeals({ ...input, index: t.index })), `${payeeId}, all open deals`).toEqual(plain(reference));
    compared += reference.length;
    for (const dealId of openDealsOf(t, payeeId).filter((_, i) => i % 7 === 0)) {
      const one = { ...input, dealIds: [dealId] };
      expect(plain(estimateOpenDeals(one)), `${payeeId}, ${dealId} alone`).toEqual(plain(referenceEstimates(one)));
    }
  }
  return compared;
}

describe('estimator on a payee\'s share of the data', () => {
  it('gives every estimate the whole-tenant computation gives, for reps and managers, with draws, FX and roll-ups', () => {
    const t = tenant(7, 12, 360);
    // Mid-year: Q2 open deals already overdue (estimated as of today), Q3/Q4 ones in their own quarter.
    const compared = expectSameEstimates(t, '2026-05-20' as IsoDate);
    // A run that compares nothing would prove nothing: the tenant has dozens of open deals.
    expect(compared).toBeGreaterThan(50);
  });

  it('stays exact on another tenant and another day', () => {
    const t = tenant(23, 9, 240);
    expect(expectSameEstimates(t, '2026-09-30' as IsoDate)).toBeGreaterThan(20);
  });

  it('stays exact when nothing is won after today, and pay is converted, quotas are revised and FX rates published while the deals would close', () => {
    const t = tenant(31, 12, 360);
    const asOf = '2026-08-15' as IsoDate;
    // As a live tenant is: no deal is won after today. Then consecutive estimates in Q3 differ
    // only in their as-of day, and the estimator reuses one's "after" as the next "before"
    // unless a quota version or FX rate (monthly here) dated in between makes them differ.
    const openStage = (d: Deal) => t.data.pipelines.find((p) => p.id === d.pipelineId)!.stages.find((s) => s.outcome === 'open')!.id;
    const deals = t.data.deals.map((d) => (d.closeDate > asOf && outcomeOf(t.index, d) === 'won' ? { ...d, stageId: openStage(d) } : d));
    const activities = t.data.activities.map((a) => (a.occurredAt > asOf && a.status === 'completed' ? { ...a, status: 'scheduled' as const } : a));
    // Everyone is paid in EUR: a statement converts at the rate of its pay day (today, or the period's last day), and a rate is published each month.
    const home = t.data.tenant.currency;
    const foreign = t.data.fxRates.find((r) => r.to === home)!.from;
    const users = t.data.users.map((u) => ({ ...u, payCurrency: foreign }));
    // Every Q3 quota is raised 20 % from 10 September: estimates of deals closing after it are measured against the new target.
    const revised = t.data.quotas.filter((q) => q.period === '2026-Q3').map((q) => ({ ...q, version: q.version + 1, target: q.target.times('1.2'), effectiveFrom: '2026-09-10' as IsoDate }));
    const data = { ...t.data, deals, activities, users, quotas: [...t.data.quotas, ...revised] };
    expect(revised.length).toBeGreaterThan(10);
    expect(expectSameEstimates({ ...t, data, index: indexTenant(data) }, asOf)).toBeGreaterThan(50);
  });

  it('stays exact when locked periods are corrected: clawbacks, won deals moved to another rep, reopened deals', () => {
    const t = tenant(5, 10, 300);
    const asOf = '2026-07-15' as IsoDate;
    const lockedRun = runStatements({ plans: t.plans, data: t.data, period: '2026-Q1' as PeriodId, asOf: '2026-04-05' as IsoDate });
    const locked: LockedPeriod[] = [{ period: '2026-Q1' as PeriodId, statements: lockedRun.statements }];
    // After the lock, some Q1 wins are lost (clawbacks) and some are handed to another rep: still won,
    // no longer crediting the payee, which must be an edit rather than a clawback (that needs every deal of the tenant, not just the payee's).
    const q1Won = t.data.deals.filter((d) => d.closeDate < '2026-04-01' && outcomeOf(t.index, d) === 'won');
    const owners = [...new Set(t.data.deals.map((d) => d.ownerId))].sort();
    const stageOf = (d: Deal, outcome: 'lost' | 'open') => t.data.pipelines.find((p) => p.id === d.pipelineId)!.stages.find((s) => s.outcome === outcome)!.id;
    // Others are reopened and expected in Q2: estimating one as won turns its Q1 clawback into an edit.
    const deals = t.data.deals.map((d) => {
      const i = q1Won.indexOf(d);
      if (i < 0) return d;
      if (i % 9 === 0) return { ...d, stageId: stageOf(d, 'lost'), sourceVersion: `${d.sourceVersion}-lost` };
      if (i % 9 === 2) return { ...d, stageId: stageOf(d, 'open'), closeDate: '2026-05-10' as IsoDate, sourceVersion: `${d.sourceVersion}-reopened` };
      if (i % 9 === 4) return { ...d, ownerId: owners[(owners.indexOf(d.ownerId) + 1) % owners.length]!, splits: [], sourceVersion: `${d.sourceVersion}-moved` };
      return d;
    });
    const data = { ...t.data, deals };
    const edited: Tenant = { ...t, data, index: indexTenant(data) };
    const check = runStatements({ plans: t.plans, data, period: '2026-Q3' as PeriodId, asOf, locked });
    const causes = new Set(check.history.flatMap((h) => h.statements.flatMap((s) => s.lines.map((l) => l.adjusts?.cause)))).values();
    // The edit produces both kinds of correction, so the estimates below are compared with them in play.
    expect([...causes]).toEqual(expect.arrayContaining(['clawback', 'deal-edited']));
    expect(expectSameEstimates(edited, asOf, locked)).toBeGreaterThan(20);
  });
});

describe('a payee\'s share of the data', () => {
  const t = tenant(7, 12, 360);
  const rep = t.plans.find((p) => p.id === 'ae-commission')!.payees[0]!.userId;

  it('holds exactly the deals and activities that credit the payee', () => {
    const share = payeeShare(t.index, rep);
    const credits = (d: Deal): boolean => {
      const c = dealCredits(d, t.index.hierarchy, 10);
      return Array.isArray(c) && c.some((x) => x.payeeId === rep);
    };
    expect(share.deals.map((d) => d.id)).toEqual(t.data.deals.filter(credits).map((d) => d.id));
    expect(share.deals.length).toBeGreaterThan(0);
    expect(share.activities.length).toBeGreaterThan(0);
    expect(share.activities.every((a) => a.userId === rep)).toBe(true);
  });

  it('still looks up every deal of the tenant by id, with the estimated ones as estimated', () => {
    const share = payeeShare(t.index, rep);
    const other = t.data.deals.find((d) => !share.deals.includes(d))!;
    const mine = share.deals[0]!;
    const asWon = { ...mine, stageId: 'won' as never };
    const index = shareIndex(t.index, share.deals, share.activities, new Map([[mine.id as string, asWon]]));
    // Corrections to locked periods ask whether a deal the payee was once paid on is still won, wherever it now sits.
    expect(index.dealsById.get(other.id)).toBe(other);
    expect(index.dealsById.get(mine.id)).toBe(asWon);
    expect(index.dealsById.size).toBe(t.data.deals.length);
    expect(index.data.deals).toBe(share.deals);
  });
});
