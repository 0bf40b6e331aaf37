import { Decimal } from '../../../../shared/src/money/decimal.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { assertCanSee, currentPeriod, freshnessOf, kpisFor, ledgerFor, type CardContext } from './card-context.js';
import { countView, explainLink, fractionView, moneyView, ratioView } from './format.js';
import { CARD_API_VERSION, CARD_ROUTES, PROMPT_STATUSES, type CoachingPromptView, type ManagerCardView, type TeamMemberRow } from './view-models.js';
import type { Period } from '../../../../shared/src/time/period.js';

/** Everyone below the manager in the hierarchy on the as-of day (direct and indirect). */
export function reportsOf(ctx: CardContext, managerId: string): UserId[] {
  return ctx.snapshot.reportsOf(managerId, ctx.asOf);
}

export async function teamRows(ctx: CardContext, managerId: string, period: Period): Promise<TeamMemberRow[]> {
  const rows = await Promise.all(
    reportsOf(ctx, managerId).map(async (userId) => {
      const [kpis, ledger] = await Promise.all([kpisFor(ctx, userId, period), ledgerFor(ctx, userId, period.id)]);
      const user = ctx.snapshot.index.users.get(userId);
      const attainment = kpis.quotaAttainment.attainment;
      const params = { userId, period: period.id };
      return {
        sortKey: attainment,
        row: {
          rank: 0,
          rep: { userId, name: user?.name ?? userId },
          attainment: attainment === undefined ? null : fractionView(attainment),
          coverage: kpis.pipelineCoverage.coverage === undefined ? null : ratioView(kpis.pipelineCoverage.coverage),
          winRate: kpis.winRate.byCount === undefined ? null : fractionView(kpis.winRate.byCount),
          activities: countView(kpis.activities.total.count, 'activity'),
          earnings: moneyView(ledger.total, ledger.currency),
          explain: { attainment: explainLink('kpi', 'What is behind this attainment?', { ...params, kpi: 'quota-attainment' }), earnings: explainLink('earnings-to-date', 'Why is this what they earned?', params) },
        } satisfies TeamMemberRow,
      };
    }),
  );
  // Highest attainment first; people without a quota last; ties by name so the order is stable.
  rows.sort((a, b) => compareDesc(a.sortKey, b.sortKey) || a.row.rep.name.localeCompare(b.row.rep.name));
  return rows.map((r, i) => ({ ...r.row, rank: i + 1 }));
}

function compareDesc(a: Decimal | undefined, b: Decimal | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return b.comparedTo(a);
}

interface StoredEvidence {
  readonly title?: string;
  readonly message?: string;
  readonly currency?: string;
  readonly evidence?: Record<string, unknown>;
}

/** The signals behind a prompt as label/value pairs: its scalar evidence fields, in stored order. */
function evidencePairs(evidence: Record<string, unknown> | undefined): Array<{ label: string; value: string }> {
  if (!evidence) return [];
  return Object.entries(evidence)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => ({ label: k.replace(/([A-Z])/g, ' $1').toLowerCase(), value: String(v) }));
}

/**
 * Prompts change with the coaching job, not with statement runs, so they are re-read at
 * most every `freshForMs` (the cache-check interval); acting on one forgets them at once.
 */
export function promptsFor(ctx: CardContext, managerId: string, period: Period, freshForMs: number): Promise<CoachingPromptView[]> {
  const bucket = freshForMs > 0 ? Math.floor(Date.now() / freshForMs) : `${Date.now()}-${Math.random()}`;
  return ctx.snapshot.remember(`prompts|${managerId}|${period.id}|${bucket}`, () => readPrompts(ctx, managerId, period));
}

export function forgetPrompts(ctx: CardContext, managerId: string): void {
  ctx.snapshot.forget(`prompts|${managerId}|`);
}

async function readPrompts(ctx: CardContext, managerId: string, period: Period): Promise<CoachingPromptView[]> {
  const rows = await ctx.db
    .selectFrom('coaching_prompts')
    .select(['id', 'rule', 'rep_id', 'deal_id', 'evidence', 'impact', 'likelihood', 'score', 'status'])
    .where('tenant_id', '=', ctx.snapshot.tenantId)
    .where('manager_id', '=', managerId)
    .where('period_id', '=', period.id)
    .where('status', 'in', ['open', 'actioned'])
    .execute();
  const visible = new Set<string>(reportsOf(ctx, managerId));
  return rows
    .filter((r) => visible.has(r.rep_id))
    .map((r) => {
      const e = (r.evidence ?? {}) as StoredEvidence;
      const currency = e.currency ?? ctx.snapshot.data.tenant.currency;
      const rep = ctx.snapshot.index.users.get(r.rep_id as UserId);
      return {
        id: r.id,
        rule: r.rule,
        rep: { userId: r.rep_id, name: rep?.name ?? r.rep_id },
        dealId: r.deal_id,
        title: e.title ?? r.rule,
        message: e.message ?? '',
        impact: moneyView(new Decimal(r.impact), currency),
        likelihood: r.likelihood,
        score: moneyView(new Decimal(r.score), currency),
        status: PROMPT_STATUSES.includes(r.status) ? r.status : 'open',
        evidence: evidencePairs(e.evidence),
        createTask: { method: 'POST' as const, href: CARD_ROUTES.createCoachingTask(r.id) },
      };
    })
    .sort((a, b) => new Decimal(b.score.amount).comparedTo(a.score.amount) || a.id.localeCompare(b.id));
}

export async function managerCard(ctx: CardContext, managerId: string | undefined, periodId: string | undefined, promptsFreshForMs: number): Promise<ManagerCardView> {
  const manager = assertCanSee(ctx, managerId ?? ctx.viewer.userId);
  const reports = reportsOf(ctx, manager.userId);
  // A manager on no plan is measured in the period kind their team is paid by.
  const period = currentPeriod(ctx, reports.find((r) => ctx.snapshot.plans.some((p) => p.payees.some((a) => a.userId === r))) ?? manager.userId, periodId);
  const team = await ctx.snapshot.remember(`card|team|${manager.userId}|${period.id}|${ctx.asOf}`, () => teamRows(ctx, manager.userId, period));
  const prompts = await promptsFor(ctx, manager.userId, period, promptsFreshForMs);
  return {
    kind: 'manager',
    version: CARD_API_VERSION,
    viewer: ctx.viewer,
    manager,
    period: { id: period.id, start: period.start, end: period.end },
    currency: ctx.snapshot.data.tenant.currency,
    rankedBy: 'attainment',
    team,
    prompts,
    charts: { teamDistribution: CARD_ROUTES.chart('team-distribution', manager.userId), pipelineByStage: CARD_ROUTES.chart('pipeline-by-stage', manager.userId) },
    freshness: freshnessOf(ctx),
  };
}
