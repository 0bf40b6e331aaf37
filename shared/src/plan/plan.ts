import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { RoundingMode } from '../money/rounding.js';
import type { ComponentId, PlanId, UserId } from '../domain/ids.js';
import type { Measure } from '../domain/quotas.js';
import type { IsoDate } from '../time/iso-date.js';
import type { PeriodKind } from '../time/period.js';

/**
 * A compensation plan, as parsed from its document (docs/plans.md). Plans are versioned
 * and effective-dated; every payout line records the plan id and version it came from.
 */
export interface Plan {
  readonly id: PlanId;
  readonly version: number;
  readonly name: string;
  /** [from, to) in which the plan pays; `to` undefined means open-ended. */
  readonly effectiveFrom: IsoDate;
  readonly effectiveTo: IsoDate | undefined;
  readonly periodKind: PeriodKind;
  /** The currency credited values are converted into and components compute in. */
  readonly currency: CurrencyCode;
  readonly rounding: RoundingMode;
  readonly proration: ProrationMethod;
  readonly clawback: ClawbackPolicy;
  readonly payees: readonly PlanAssignment[];
  readonly components: readonly Component[];
  /** Maximum paid per payee per period across all components (calculation currency). */
  readonly periodCap: Decimal | undefined;
}

/** How a quota shrinks when someone is on the plan for part of a period. */
export type ProrationMethod = 'days' | 'phasing';

export interface ClawbackPolicy {
  /**
   * `original`: reverse the line's original calculation (before caps and gates; draws and
   * guarantee top-ups are never clawed back). `paid`: reverse only what the line actually paid.
   */
  readonly basis: 'original' | 'paid';
  /** `carry-forward`: a negative statement pays zero and the balance is recovered from later pay. `immediate`: the statement goes negative. */
  readonly netting: 'carry-forward' | 'immediate';
}

export interface PlanAssignment {
  readonly userId: UserId;
  readonly from: IsoDate;
  readonly to: IsoDate | undefined;
  /** Quota factor per tenure month from the user's start date (month 1 first); 1 after the list ends. */
  readonly ramp: readonly Decimal[];
  readonly draw: DrawTerms | undefined;
}

export const DRAW_TYPES = ['recoverable', 'recoverable-guarantee', 'non-recoverable-guarantee', 'non-recoverable'] as const;
export type DrawType = (typeof DRAW_TYPES)[number];

export interface DrawTerms {
  readonly type: DrawType;
  /** Per period, in the payee's pay currency. */
  readonly amount: Decimal;
  readonly from: IsoDate;
  readonly to: IsoDate | undefined;
  /** Most recovered in one period (recoverable types). */
  readonly recoveryCap: Decimal | undefined;
}

export const CREDIT_KINDS = ['revenue', 'overlay', 'rollup'] as const;
/** revenue: owner or revenue split; overlay: overlay split; rollup: credit passed up the manager hierarchy from a report's revenue credit. */
export type CreditKind = (typeof CREDIT_KINDS)[number];

export interface CreditRule {
  /** Credit kinds that count toward attainment (quota credit). */
  readonly quota: readonly CreditKind[];
  /** Credit kinds the component pays on (payout credit). */
  readonly payout: readonly CreditKind[];
  /** How many levels up a rollup reaches (1 = first-line manager). */
  readonly rollupLevels: number;
}

export interface DealFilter {
  readonly pipelines: readonly string[] | undefined;
  /** Every listed property must equal one of the listed values. */
  readonly properties: Readonly<Record<string, readonly string[]>>;
  /** Minimum deal amount in the plan currency. */
  readonly minAmount: Decimal | undefined;
}

export type TierMode = 'retroactive' | 'marginal' | 'hybrid';

export interface TierRow {
  /** Upper bound (attainment % or amount, by `basis`); undefined for the open-ended last tier. */
  readonly upTo: Decimal | undefined;
  /** Rate for the tier (a fraction of credited value for revenue, an amount per unit for counts). */
  readonly rate: Decimal;
  /** Where the rate came from when written as a multiplier of the base rate. */
  readonly multiplier: Decimal | undefined;
}

export interface TierTable {
  readonly mode: TierMode;
  readonly basis: 'attainment' | 'amount';
  /** Hybrid: value below this bound is paid retroactively, value above it marginally. */
  readonly marginalFrom: Decimal | undefined;
  /** In the marginal region, whether a deal that crosses a bound is split across tiers or paid whole at the rate where it lands. */
  readonly straddle: 'split' | 'whole';
  readonly rows: readonly TierRow[];
}

interface ComponentBase {
  readonly id: ComponentId;
  readonly name: string;
  readonly measure: Measure;
  /** The quota attainment is measured against; defaults to `measure`. */
  readonly quotaMeasure: Measure;
  readonly credit: CreditRule;
  readonly filter: DealFilter;
  /** Nothing is paid until attainment reaches this % of quota; then everything withheld is released. */
  readonly gate: Decimal | undefined;
  /** Most the component pays per payee per period (calculation currency). */
  readonly cap: Decimal | undefined;
}

export interface CommissionComponent extends ComponentBase {
  readonly type: 'commission';
  readonly tiers: TierTable;
}

export interface SpiffComponent extends ComponentBase {
  readonly type: 'spiff';
  /** A fixed amount per qualifying deal (scaled by the payee's credit share) … */
  readonly amount: Decimal | undefined;
  /** … or a rate on the credited value. */
  readonly rate: Decimal | undefined;
  readonly frequency: 'every-deal' | 'once-per-period';
}

export interface BonusThreshold {
  readonly attainment: Decimal;
  readonly amount: Decimal;
}

export interface AttainmentBonusComponent extends ComponentBase {
  readonly type: 'attainment-bonus';
  readonly thresholds: readonly BonusThreshold[];
}

export type Component = CommissionComponent | SpiffComponent | AttainmentBonusComponent;
