import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { IsoDate } from '../time/iso-date.js';
import type { DealId, PipelineId, StageId, UserId } from './ids.js';

export const STAGE_OUTCOMES = ['open', 'won', 'lost'] as const;
export type StageOutcome = (typeof STAGE_OUTCOMES)[number];

export interface Stage {
  readonly id: StageId;
  readonly name: string;
  /** Position in the pipeline; conversion KPIs walk stages in this order. */
  readonly order: number;
  /** Win probability (0..1) used by the weighted forecast. */
  readonly probability: Decimal;
  readonly outcome: StageOutcome;
}

export interface Pipeline {
  readonly id: PipelineId;
  readonly name: string;
  readonly stages: readonly Stage[];
}

export const SPLIT_TYPES = ['revenue', 'overlay'] as const;
export type SplitType = (typeof SPLIT_TYPES)[number];

/**
 * Revenue splits share the deal (they must total 100 %); overlay splits credit extra
 * people (SEs, specialists) on top and may total anything.
 */
export interface Split {
  readonly userId: UserId;
  readonly type: SplitType;
  /** Percent, "50" = 50 %. */
  readonly percent: Decimal;
}

export interface StageChange {
  readonly stageId: StageId;
  readonly enteredAt: IsoDate;
}

export interface Deal {
  readonly id: DealId;
  readonly name: string;
  readonly pipelineId: PipelineId;
  readonly stageId: StageId;
  readonly amount: Decimal;
  readonly currency: CurrencyCode;
  /** The actual close date for closed deals, the expected one for open deals. */
  readonly closeDate: IsoDate;
  readonly createdDate: IsoDate;
  readonly ownerId: UserId;
  /** Empty means "the owner has 100 % revenue credit". */
  readonly splits: readonly Split[];
  /** Free-form CRM properties (deal type, product line…) that plan filters can match. */
  readonly properties: Readonly<Record<string, string>>;
  readonly stageHistory: readonly StageChange[];
  /** The source system's modification stamp; provenance on every line that uses the deal. */
  readonly sourceVersion: string;
}
