import { z } from 'zod';

/**
 * The JSON the card API returns: the contract between the backend and the HubSpot and
 * Salesforce cards. Version 1. Changes here must stay backwards compatible (add optional
 * fields; never rename, retype or remove one), because cards already installed in a CRM
 * keep calling the old shape until the customer upgrades.
 *
 * Money is never a JS number: `amount` is an exact decimal string (rounded to the
 * currency's minor unit where the engine rounds a payout line; exact otherwise), with its
 * ISO currency and a display string for people. Chart points carry a `y` number for
 * plotting only, next to the exact string.
 *
 * Every path in an `href` is relative to the API origin (e.g. "/api/cards/v1/explain?…"):
 * a HubSpot card prefixes its permitted https origin, the Salesforce Apex controller its
 * Named Credential ("callout:SPM_Backend" + href).
 */

export const CARD_API_VERSION = 1 as const;
export const CARD_API_BASE = '/api/cards/v1' as const;

// ---------------------------------------------------------------- values

export const MoneyViewSchema = z.object({
  /** Exact decimal string, e.g. "1234.50", "-80.00". */
  amount: z.string(),
  /** ISO 4217 code. */
  currency: z.string(),
  /** "USD 1,234.50". */
  display: z.string(),
});
export type MoneyView = z.infer<typeof MoneyViewSchema>;

export const PercentViewSchema = z.object({
  /** Percent as an exact decimal string: "85.5" means 85.5 %. */
  value: z.string(),
  /** "85.5 %" (two decimals at most). */
  display: z.string(),
});
export type PercentView = z.infer<typeof PercentViewSchema>;

/** A count, in units that are not money ("3 deals", "12 calls", "41 days"). */
export const CountViewSchema = z.object({
  value: z.string(),
  /** Singular unit: "deal", "call", "day", "activity". */
  unit: z.string(),
  display: z.string(),
});
export type CountView = z.infer<typeof CountViewSchema>;

/** A ratio that is neither money nor percent: pipeline coverage "2.4×". */
export const RatioViewSchema = z.object({ value: z.string(), display: z.string() });
export type RatioView = z.infer<typeof RatioViewSchema>;

/** What a tier or quota is measured in: money for revenue measures, units for count and activity measures. */
export const QuantityViewSchema = z.discriminatedUnion('kind', [
  MoneyViewSchema.extend({ kind: z.literal('money') }),
  CountViewSchema.extend({ kind: z.literal('count') }),
]);
export type QuantityView = z.infer<typeof QuantityViewSchema>;

/** Any single figure a KPI can take. */
export const FigureValueSchema = z.discriminatedUnion('kind', [
  MoneyViewSchema.extend({ kind: z.literal('money') }),
  PercentViewSchema.extend({ kind: z.literal('percent') }),
  CountViewSchema.extend({ kind: z.literal('count') }),
  RatioViewSchema.extend({ kind: z.literal('ratio') }),
]);
export type FigureValue = z.infer<typeof FigureValueSchema>;

// ---------------------------------------------------------------- explanations

export const EXPLAINED_FIGURES = [
  'deal-estimate', // what an open deal pays the payee if it closes
  'deal-paid', // what a won deal paid (ledger lines for that deal)
  'earnings-to-date', // the payee's ledger total for a period
  'earnings-projected', // to-date plus estimates of open deals closing in the period
  'attainment', // credited quota value behind an attainment %
  'kpi', // the deals behind a KPI (win rate, coverage, average deal size…)
] as const;
export type ExplainedFigure = (typeof EXPLAINED_FIGURES)[number];

/** "Why is this my number": GET `href` returns an ExplanationView. */
export const ExplanationLinkSchema = z.object({
  figure: z.enum(EXPLAINED_FIGURES),
  href: z.string(),
  label: z.string(),
});
export type ExplanationLink = z.infer<typeof ExplanationLinkSchema>;

/** One line behind a figure: a payout/ledger line, or a deal behind a KPI. */
export const ExplanationLineSchema = z.object({
  /** Stable line key (ledger line key, or "deal:<id>" for KPI deals). */
  key: z.string(),
  /** Payout line kind ("commission", "true-up", "clawback"…) or "deal-won" / "deal-lost" / "deal-open". */
  kind: z.string(),
  period: z.string().nullable(),
  date: z.string().nullable(),
  /** What the line pays (null for KPI deal lines). */
  amount: MoneyViewSchema.nullable(),
  /** Credit this line gave towards quota or the KPI (revenue in money, count measures in units). */
  credited: QuantityViewSchema.nullable(),
  /** The engine's sentence: credit, attainment, tier and rate, checkable with a calculator. */
  explanation: z.string(),
  /** For adjustments and clawbacks: why the number moved ("deal-edited", "attainment-shift"…). */
  cause: z.string().nullable(),
  dealId: z.string().nullable(),
  dealName: z.string().nullable(),
});
export type ExplanationLine = z.infer<typeof ExplanationLineSchema>;

export const ExplanationViewSchema = z.object({
  kind: z.literal('explanation'),
  version: z.literal(CARD_API_VERSION),
  figure: z.enum(EXPLAINED_FIGURES),
  title: z.string(),
  subjectId: z.string(),
  subjectName: z.string(),
  period: z.string().nullable(),
  /** Where the lines come from: the payout ledger (what was written by a statement run), the estimator, or KPI drill-down. */
  source: z.enum(['ledger', 'estimate', 'kpi']),
  /** The figure the lines add up to (money figures); for percent/ratio figures the headline value. */
  total: FigureValueSchema.nullable(),
  lines: z.array(ExplanationLineSchema),
  /** Plain sentences about how the lines add up (rounding residual, FX, what is excluded). */
  notes: z.array(z.string()),
  asOf: z.string(),
});
export type ExplanationView = z.infer<typeof ExplanationViewSchema>;

// ---------------------------------------------------------------- shared card parts

export const ROLES = ['rep', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PersonRefSchema = z.object({ userId: z.string(), name: z.string() });
export type PersonRef = z.infer<typeof PersonRefSchema>;

export const ViewerSchema = PersonRefSchema.extend({ roles: z.array(z.enum(ROLES)) });
export type Viewer = z.infer<typeof ViewerSchema>;

export const PeriodViewSchema = z.object({
  id: z.string(),
  /** Inclusive first day. */
  start: z.string(),
  /** Exclusive end day. */
  end: z.string(),
});
export type PeriodView = z.infer<typeof PeriodViewSchema>;

export const FreshnessSchema = z.object({
  /** The engine's as-of day for every figure on the card (YYYY-MM-DD). */
  asOf: z.string(),
  /** When the last statement run finished (ISO timestamp), null before the first. */
  lastStatementRunAt: z.string().nullable(),
  /** When CRM data last synced (the newest sync cursor), null before the first sync. */
  lastSyncAt: z.string().nullable(),
  /** The first sync of a CRM object is still running: figures may move shortly. */
  syncPending: z.boolean(),
  recomputePending: z.boolean(),
  /**
   * The CRM objects whose sync has failed since it last succeeded (the worker gave up on it),
   * with the first clause of the error for an admin (null for anyone else: a CRM's error can
   * quote record values and org details); empty while every sync works. Figures keep their
   * "as of" time but miss whatever changed in these objects since. An answer without it (an
   * older backend) parses as none failing.
   */
  syncFailing: z.array(z.object({ object: z.string(), reason: z.string().nullable() })).default([]),
  /**
   * The card footer, shown as it is: "As of 28 Nov 2026 10:05 UTC"; while a sync fails
   * "… · sync failing: deals — <reason>" to an admin (and "; also failing: users" when more fail),
   * "… · sync failing: deals, users — these figures may be out of date; …" to others; otherwise
   * while a sync or recompute is pending "… · sync in progress: these figures may change in
   * a few minutes" (or "· recalculating: …").
   */
  display: z.string(),
});
export type Freshness = z.infer<typeof FreshnessSchema>;

/** Attainment on one plan component. */
export const AttainmentViewSchema = z.object({
  planId: z.string(),
  componentId: z.string(),
  /** "revenue", "deal-count", "activity:call"… */
  measure: z.string(),
  quota: QuantityViewSchema.nullable(),
  credited: QuantityViewSchema,
  /** Null without a quota above zero (never a fake 0 %). */
  attainment: PercentViewSchema.nullable(),
  explain: ExplanationLinkSchema,
});
export type AttainmentView = z.infer<typeof AttainmentViewSchema>;

export const NextTierViewSchema = z.object({
  planId: z.string(),
  componentId: z.string(),
  tier: z.number().int(),
  /** Attainment % at which that tier starts. */
  atAttainment: PercentViewSchema,
  /** Quota credit still needed to reach it. */
  creditNeeded: QuantityViewSchema,
});
export type NextTierView = z.infer<typeof NextTierViewSchema>;

export const ChartPointSchema = z.object({
  /** Category on the x axis (period id, stage name, rep name, attainment band). */
  x: z.string(),
  /** For plotting only: exact value rounded to 2 places; never do arithmetic on it. */
  y: z.number(),
  /** The exact value as a decimal string. */
  yExact: z.string(),
  /** Series name when the chart groups by colour. */
  series: z.string().optional(),
});
export type ChartPoint = z.infer<typeof ChartPointSchema>;

export const CHART_IDS = ['attainment-trend', 'team-distribution', 'pipeline-by-stage'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export const ChartViewSchema = z.object({
  kind: z.literal('chart'),
  version: z.literal(CARD_API_VERSION),
  id: z.enum(CHART_IDS),
  type: z.enum(['bar', 'line']),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  /** What `y` is: a percent (85.5 = 85.5 %), money in `currency`, or a count. */
  yUnit: z.enum(['percent', 'money', 'count']),
  currency: z.string().nullable(),
  data: z.array(ChartPointSchema),
});
export type ChartView = z.infer<typeof ChartViewSchema>;

// ---------------------------------------------------------------- deal card

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;

/**
 * Who the card API takes the caller for, and how fresh the tenant's figures are: what the
 * HubSpot settings page's "Check the connection" shows. It needs no figures of the caller's
 * own, so an admin who is not a rep (the installer, often) is "connected" too.
 */
export const MeViewSchema = z.object({
  kind: z.literal('me'),
  version: z.literal(CARD_API_VERSION),
  viewer: ViewerSchema,
  freshness: FreshnessSchema,
});
export type MeView = z.infer<typeof MeViewSchema>;

export const DealCardViewSchema = z.object({
  kind: z.literal('deal'),
  version: z.literal(CARD_API_VERSION),
  viewer: ViewerSchema,
  /** Whose pay the card shows: the viewer, or (managers, admins) the rep asked for. */
  payee: PersonRefSchema,
  deal: z.object({
    id: z.string(),
    name: z.string(),
    status: z.enum(DEAL_STATUSES),
    stageName: z.string(),
    closeDate: z.string(),
    amount: MoneyViewSchema,
  }),
  /**
   * estimate: open deal, what it pays if it closes on its expected date;
   * paid: won deal, what the ledger holds for it;
   * not-credited: the payee gets no credit on this deal (not owner, split or manager);
   * no-plan: credited, but no plan pays the payee in the deal's period.
   */
  outcome: z.enum(['estimate', 'paid', 'not-credited', 'no-plan']),
  /** The period the deal pays in. */
  period: z.string().nullable(),
  /** Change in plan lines (commission, true-ups, spiffs, bonuses): estimate or paid. */
  commission: MoneyViewSchema.nullable(),
  /** Change in the statement total after draws and netting (may be smaller under a guarantee). */
  netPay: MoneyViewSchema.nullable(),
  /** The payout lines behind `commission`, with the engine's explanation each. */
  lines: z.array(ExplanationLineSchema),
  attainment: z.object({
    now: z.array(AttainmentViewSchema),
    /** For an open deal: attainment if it closes; null otherwise. */
    afterClose: z.array(AttainmentViewSchema).nullable(),
  }),
  /** The tier the deal's own commission lands in (highest slice); null when not tiered. */
  landsInTier: z.number().int().nullable(),
  /** The next tier above where attainment stands (after the deal, for an estimate), and the credit needed. */
  nextTier: NextTierViewSchema.nullable(),
  explain: ExplanationLinkSchema.nullable(),
  freshness: FreshnessSchema,
});
export type DealCardView = z.infer<typeof DealCardViewSchema>;

// ---------------------------------------------------------------- rep card

export const KPI_IDS = ['quota-attainment', 'pipeline-coverage', 'win-rate', 'average-deal-size', 'sales-cycle', 'activities'] as const;
export type KpiId = (typeof KPI_IDS)[number];

export const KpiComparisonSchema = z.object({
  id: z.enum(KPI_IDS),
  label: z.string(),
  value: FigureValueSchema.nullable(),
  /** Median of the rep's team peers (same team, same period); null without peers or values. */
  teamMedian: FigureValueSchema.nullable(),
  /** Relative to the median, where higher is better except sales cycle. */
  versusMedian: z.enum(['better', 'worse', 'equal']).nullable(),
  explain: ExplanationLinkSchema,
});
export type KpiComparison = z.infer<typeof KpiComparisonSchema>;

export const TrendPointSchema = z.object({
  period: z.string(),
  attainment: PercentViewSchema.nullable(),
  earnings: MoneyViewSchema,
});
export type TrendPoint = z.infer<typeof TrendPointSchema>;

export const RepCardViewSchema = z.object({
  kind: z.literal('rep'),
  version: z.literal(CARD_API_VERSION),
  viewer: ViewerSchema,
  rep: PersonRefSchema,
  period: PeriodViewSchema,
  /** The rep's pay currency (statement currency); KPIs are in the tenant's home currency. */
  currency: z.string(),
  attainment: z.array(AttainmentViewSchema),
  earnings: z.object({
    /** The ledger total for the period (what statement runs have written). */
    toDate: MoneyViewSchema,
    /** toDate + what open deals closing in the period would add if all close as expected. */
    projected: MoneyViewSchema,
    /** toDate + each open deal's estimate × its stage probability. */
    likely: MoneyViewSchema,
    explainToDate: ExplanationLinkSchema,
    explainProjected: ExplanationLinkSchema,
  }),
  nextTier: NextTierViewSchema.nullable(),
  kpis: z.array(KpiComparisonSchema),
  /** Oldest first; the current period last. */
  trend: z.array(TrendPointSchema),
  charts: z.object({ attainmentTrend: z.string(), pipelineByStage: z.string() }),
  freshness: FreshnessSchema,
});
export type RepCardView = z.infer<typeof RepCardViewSchema>;

// ---------------------------------------------------------------- manager card

export const TeamMemberRowSchema = z.object({
  rank: z.number().int(),
  rep: PersonRefSchema,
  attainment: PercentViewSchema.nullable(),
  coverage: RatioViewSchema.nullable(),
  winRate: PercentViewSchema.nullable(),
  activities: CountViewSchema,
  earnings: MoneyViewSchema,
  explain: z.object({ attainment: ExplanationLinkSchema, earnings: ExplanationLinkSchema }),
});
export type TeamMemberRow = z.infer<typeof TeamMemberRowSchema>;

export const PROMPT_STATUSES = ['open', 'dismissed', 'actioned', 'resolved'] as const;

export const CoachingPromptViewSchema = z.object({
  id: z.string(),
  rule: z.string(),
  rep: PersonRefSchema,
  dealId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  /** Commission at stake. */
  impact: MoneyViewSchema,
  /** 0..1 as a decimal string. */
  likelihood: z.string(),
  /** impact × likelihood: the expected commission at stake, the ranking key. */
  score: MoneyViewSchema,
  status: z.enum(PROMPT_STATUSES),
  /** The signals behind the prompt as label/value pairs for display. */
  evidence: z.array(z.object({ label: z.string(), value: z.string() })),
  /** POST here with CreateCoachingTaskRequest to turn the prompt into a CRM task. */
  createTask: z.object({ method: z.literal('POST'), href: z.string() }),
});
export type CoachingPromptView = z.infer<typeof CoachingPromptViewSchema>;

export const ManagerCardViewSchema = z.object({
  kind: z.literal('manager'),
  version: z.literal(CARD_API_VERSION),
  viewer: ViewerSchema,
  manager: PersonRefSchema,
  period: PeriodViewSchema,
  /** The tenant's home currency (team KPIs and earnings totals). */
  currency: z.string(),
  rankedBy: z.literal('attainment'),
  team: z.array(TeamMemberRowSchema),
  prompts: z.array(CoachingPromptViewSchema),
  charts: z.object({ teamDistribution: z.string(), pipelineByStage: z.string() }),
  freshness: FreshnessSchema,
});
export type ManagerCardView = z.infer<typeof ManagerCardViewSchema>;

// ---------------------------------------------------------------- coaching task action

export const CreateCoachingTaskRequestSchema = z.object({
  /** Client-chosen, unique per intended task (a UUID): a retried request with the same key returns the same task. */
  idempotencyKey: z.string().min(8).max(200),
  /** YYYY-MM-DD. */
  dueDate: z.iso.date().optional(),
});
export type CreateCoachingTaskRequest = z.infer<typeof CreateCoachingTaskRequestSchema>;

export const CoachingTaskViewSchema = z.object({
  kind: z.literal('coaching-task'),
  version: z.literal(CARD_API_VERSION),
  task: z.object({
    id: z.string(),
    promptId: z.string(),
    status: z.enum(['pending', 'created', 'failed']),
    /** False when the task already existed (retry or second click): nothing new was created. */
    created: z.boolean(),
  }),
});
export type CoachingTaskView = z.infer<typeof CoachingTaskViewSchema>;

// ---------------------------------------------------------------- errors

export const ERROR_CODES = [
  'bad_request', // 400: input failed validation; `fix` says what to send
  'unauthenticated', // 401: missing, forged or stale signature / credential / session
  'forbidden', // 403: authenticated, but not allowed to see this person's figures
  'not_found', // 404: no such record in the caller's tenant
  'conflict', // 409: idempotency key reused for a different request; a workflow step out of order (locked period, plan version taken)
  'invalid_input', // 422: a document a person wrote (plan draft, dispute) breaks its rules; `issues` lists each problem
  'not_ready', // 503: the tenant has no data or statements yet
  'internal', // 500: our fault; the message carries a request id
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    fix: z.string().optional(),
    /** Per-field problems (bad_request, invalid_input): where, what is wrong, what to do; a plan draft's also carry their line. */
    issues: z.array(z.object({ path: z.string(), message: z.string(), fix: z.string(), line: z.number().int().optional() })).optional(),
    requestId: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

// ---------------------------------------------------------------- routes (for card authors)

/**
 * Card API routes, relative to the API origin. The person a card is about is named by
 * `subjectId` (never `userId`: HubSpot appends its own `userId`, the viewer's HubSpot
 * user id, to every hubspot.fetch URL). HubSpot cards add nothing else (HubSpot
 * appends portalId, userId, userEmail, appId and signs); Salesforce Apex sends the
 * credential header from the External Credential plus `X-SPM-SF-User` (UserInfo.getUserId()).
 */
export const CARD_ROUTES = {
  me: `${CARD_API_BASE}/me`,
  /** ?payeeId= optional (managers/admins), defaults to the viewer (an admin with no figures of their own: the deal's owner). */
  deal: (dealId: string) => `${CARD_API_BASE}/deals/${encodeURIComponent(dealId)}`,
  /** Without userId: the viewer's own card. */
  rep: (userId?: string) => `${CARD_API_BASE}/rep${userId ? `?subjectId=${encodeURIComponent(userId)}` : ''}`,
  manager: (managerId?: string) => `${CARD_API_BASE}/manager${managerId ? `?managerId=${encodeURIComponent(managerId)}` : ''}`,
  createCoachingTask: (promptId: string) => `${CARD_API_BASE}/manager/prompts/${encodeURIComponent(promptId)}/tasks`,
  chart: (id: ChartId, subjectId?: string) => `${CARD_API_BASE}/charts/${id}${subjectId ? `?subjectId=${encodeURIComponent(subjectId)}` : ''}`,
  explain: `${CARD_API_BASE}/explain`,
} as const;
