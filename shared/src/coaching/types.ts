import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Dataset } from '../domain/dataset.js';
import type { ActivityId, ComponentId, DealId, PipelineId, PlanId, StageId, UserId } from '../domain/ids.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { Plan } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period, PeriodId } from '../time/period.js';
import type { MarginalRate } from './marginal-rate.js';

export const COACHING_RULES = ['stalled-deal', 'low-coverage', 'weak-stage-conversion', 'next-tier-within-reach'] as const;
export type CoachingRule = (typeof COACHING_RULES)[number];

export interface CoachingOptions {
  /** Days without a completed activity on a deal after which it counts as stalled (default 14). */
  readonly stalledDays?: number;
  /** Open pipeline wanted, as a multiple of the quota still to win (default 3). */
  readonly coverageTarget?: Decimal;
  /** Share-weighted deals that must have reached a stage before its conversion is judged (default 3). */
  readonly minStageDeals?: Decimal;
}

export interface CoachingInput {
  readonly plans: readonly Plan[];
  readonly data: Dataset;
  /** A prebuilt index of `data`, reused for statements and KPIs. */
  readonly index?: TenantIndex;
  readonly managerId: UserId;
  readonly period: Period;
  /** Everything is judged as known on this day; never "now". */
  readonly asOf: IsoDate;
  readonly options?: CoachingOptions;
}

interface PromptBase<R extends CoachingRule, E> {
  /** Stable across runs for the same rule, rep, subject (deal, stage or tier) and period, so storage can upsert. */
  readonly id: string;
  readonly rule: R;
  /** The manager the prompts were asked for (not part of `id`). */
  readonly managerId: UserId;
  readonly repId: UserId;
  readonly dealId: DealId | undefined;
  readonly periodId: PeriodId;
  /** Short: fits a CRM task subject. */
  readonly title: string;
  /** One or two plain sentences a manager can act on. */
  readonly message: string;
  readonly evidence: E;
  /** The rep's pay currency, which `impact` and `score` are in. */
  readonly currency: CurrencyCode;
  /** Commission at stake, rounded to the pay currency's minor unit. */
  readonly impact: Decimal;
  /** 0..1. */
  readonly likelihood: Decimal;
  /** impact × likelihood, rounded to the pay currency's minor unit: the expected commission at stake. */
  readonly score: Decimal;
}

export interface StalledDealEvidence {
  readonly dealId: DealId;
  readonly dealName: string;
  readonly stageId: StageId;
  readonly stageName: string;
  readonly probability: Decimal;
  readonly amount: Decimal;
  readonly dealCurrency: CurrencyCode;
  /** The rep's revenue share of the deal, 0..1. */
  readonly creditShare: Decimal;
  readonly expectedCloseDate: IsoDate;
  /** The expected close date has passed; the estimate assumes it closes on `asOf` instead. */
  readonly overdue: boolean;
  readonly estimatedCloseDate: IsoDate;
  readonly lastActivityDate: IsoDate | undefined;
  readonly lastActivityId: ActivityId | undefined;
  /** The last completed activity's date, or the deal's creation date when it never had one. */
  readonly quietSince: IsoDate;
  readonly daysSinceActivity: number;
  readonly stalledDays: number;
  /** What closing the deal would add to the rep's plan lines (estimateOpenDeals, this deal alone). */
  readonly commission: Decimal;
  /** What it would add to the statement total after draws and netting. */
  readonly netPay: Decimal;
}

export interface LowCoverageEvidence {
  /** Amounts in `homeCurrency`, from the KPI module's pipelineCoverage. */
  readonly homeCurrency: CurrencyCode;
  readonly openPipeline: Decimal;
  readonly openDeals: Decimal;
  readonly quota: Decimal;
  readonly wonSoFar: Decimal;
  readonly remaining: Decimal;
  readonly coverage: Decimal;
  readonly coverageTarget: Decimal;
  /** coverageTarget × remaining. */
  readonly targetPipeline: Decimal;
  /** targetPipeline − openPipeline. */
  readonly missingPipeline: Decimal;
  readonly marginalRate: MarginalRate;
}

export interface WeakStageConversionEvidence {
  readonly pipelineId: PipelineId;
  readonly pipelineName: string;
  readonly stageId: StageId;
  readonly stageName: string;
  readonly nextStageId: StageId;
  readonly nextStageName: string;
  /** Share-weighted deals of the rep that reached the stage in the period. */
  readonly reached: Decimal;
  readonly advanced: Decimal;
  readonly conversion: Decimal;
  /** Median conversion at this stage across the manager's reports who had one. */
  readonly teamMedian: Decimal;
  readonly teamMembersCompared: number;
  readonly minStageDeals: Decimal;
  /** (teamMedian − conversion) × reached. */
  readonly missingAdvances: Decimal;
  readonly homeCurrency: CurrencyCode;
  /** The rep's average won deal size in the period, else the team median of those averages. */
  readonly averageDealSize: Decimal | undefined;
  readonly dealSizeSource: 'rep' | 'team-median' | undefined;
  /** missingAdvances × averageDealSize. */
  readonly missingValue: Decimal;
  /** The chance a deal that reached the next stage is won: the next stage's probability. */
  readonly nextStageProbability: Decimal;
  readonly marginalRate: MarginalRate;
}

export interface NextTierDeal {
  readonly dealId: DealId;
  readonly dealName: string;
  readonly stageName: string;
  readonly probability: Decimal;
  readonly amount: Decimal;
  readonly dealCurrency: CurrencyCode;
  readonly closeDate: IsoDate;
  /** The rep's credited amount in the home currency × probability: the ranking key. */
  readonly weight: Decimal;
  /** Estimated commission if it closes, after the deals listed before it (estimateOpenDeals' declared order). */
  readonly commission: Decimal;
}

export interface NextTierEvidence {
  readonly planId: PlanId;
  readonly componentId: ComponentId;
  /** What the tier is measured in: "revenue", "deal-count", "activity:call"… */
  readonly measure: string;
  readonly tier: number;
  /** Attainment % at which the tier starts. */
  readonly atAttainment: Decimal;
  readonly currentAttainment: Decimal | undefined;
  /** In the plan currency for revenue, in units otherwise. */
  readonly creditNeeded: Decimal;
  readonly creditCurrency: CurrencyCode;
  /** The deals that get there, in declared order (expected close date, then id). */
  readonly deals: readonly NextTierDeal[];
  readonly attainmentAfter: Decimal;
  /** How many open deals of the rep, closing in the period, were considered. */
  readonly openDealsConsidered: number;
}

export type StalledDealPrompt = PromptBase<'stalled-deal', StalledDealEvidence>;
export type LowCoveragePrompt = PromptBase<'low-coverage', LowCoverageEvidence>;
export type WeakStageConversionPrompt = PromptBase<'weak-stage-conversion', WeakStageConversionEvidence>;
export type NextTierPrompt = PromptBase<'next-tier-within-reach', NextTierEvidence>;

export type CoachingPrompt = StalledDealPrompt | LowCoveragePrompt | WeakStageConversionPrompt | NextTierPrompt;
