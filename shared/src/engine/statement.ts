import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { ActivityId, ComponentId, DealId, PlanId, QuotaId, TenantId, UserId } from '../domain/ids.js';
import type { CreditKind } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period, PeriodId } from '../time/period.js';

export const LINE_KINDS = [
  'commission', // pay on a credited deal or activity
  'true-up', // retroactive tier reached: the rate difference on earlier credit
  'gate-release', // a gate opened: what was withheld is paid
  'spiff',
  'bonus', // attainment bonus
  'adjustment', // a change to a locked period, paid in this one
  'clawback', // a paid deal that is no longer won (lost, deleted, moved out of closed-won)
  'draw', // draw advance or guarantee top-up
  'draw-recovery',
  'carry-forward', // a negative balance carried to the next period (netting)
  'balance-recovery', // recovery of a carried balance
] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export const CHANGE_CAUSES = [
  'deal-added',
  'deal-removed',
  'deal-edited',
  'plan-changed',
  'quota-changed',
  'fx-changed',
  'attainment-shift', // other deals moved this one's tier (retro true-up, marginal slices)
  'clawback',
  'draw',
  'netting',
] as const;
export type ChangeCause = (typeof CHANGE_CAUSES)[number];

export interface TierSlice {
  readonly tier: number;
  /** In the tier basis (attainment % or amount). */
  readonly from: Decimal;
  readonly to: Decimal;
  /** Payout credit paid at this tier's rate. */
  readonly value: Decimal;
  readonly rate: Decimal;
  readonly amount: Decimal;
}

export interface FxUse {
  readonly from: CurrencyCode;
  readonly to: CurrencyCode;
  readonly rate: Decimal;
  readonly date: IsoDate;
  readonly source: string;
}

/** Everything needed to re-derive a line by hand. Amounts are exact (unrounded) unless named otherwise. */
export interface Provenance {
  readonly planId: PlanId;
  readonly planVersion: number;
  readonly componentId: ComponentId | undefined;
  readonly deal: { readonly id: DealId; readonly name: string; readonly version: string; readonly amount: Decimal; readonly currency: CurrencyCode; readonly closeDate: IsoDate } | undefined;
  readonly activityId: ActivityId | undefined;
  readonly credit: { readonly kind: CreditKind; readonly percent: Decimal; readonly via: UserId | undefined } | undefined;
  /** Deal currency → plan currency, at the deal's close date. */
  readonly creditFx: FxUse | undefined;
  /** Payout credit in the plan currency (or units for count measures). */
  readonly creditedValue: Decimal | undefined;
  readonly quota: { readonly id: QuotaId; readonly version: number; readonly target: Decimal; readonly effectiveTarget: Decimal } | undefined;
  /** Attainment % before and after this line's credit. */
  readonly attainmentBefore: Decimal | undefined;
  readonly attainmentAfter: Decimal | undefined;
  readonly slices: readonly TierSlice[];
  /** The line before caps, gates and rounding, in the plan currency. */
  readonly calculated: Decimal;
  readonly capped: boolean;
  readonly withheld: boolean;
  /** Plan currency → pay currency, at the period's last day. */
  readonly payFx: FxUse | undefined;
}

export interface PayoutLine {
  /** Stable within a payee's period: the same deal, rule and kind give the same key in every run. */
  readonly key: string;
  readonly kind: LineKind;
  readonly date: IsoDate;
  /** Rounded once, in the statement currency. */
  readonly amount: Decimal;
  /** The exact amount before that rounding; `exact − amount` is the residual. */
  readonly exact: Decimal;
  /** What the line would pay before caps and gates, in the statement currency (exact). */
  readonly uncapped: Decimal;
  readonly explanation: string;
  readonly provenance: Provenance | undefined;
  /** For adjustment and clawback lines: the locked period they correct, and why. */
  readonly adjusts: { readonly period: PeriodId; readonly key: string; readonly cause: ChangeCause } | undefined;
}

export interface AttainmentSummary {
  readonly planId: PlanId;
  readonly componentId: ComponentId;
  readonly measure: string;
  readonly quota: Decimal | undefined;
  readonly credited: Decimal;
  readonly attainment: Decimal | undefined;
}

/** Balances carried between a payee's periods. Both are amounts the payee owes (≥ 0). */
export interface Balances {
  readonly draw: Decimal;
  readonly carried: Decimal;
}

export interface Statement {
  readonly tenantId: TenantId;
  readonly payeeId: UserId;
  readonly payeeName: string;
  readonly period: Period;
  readonly asOf: IsoDate;
  readonly currency: CurrencyCode;
  readonly lines: readonly PayoutLine[];
  readonly total: Decimal;
  /** Sum of every line's rounding residual (exact − amount). */
  readonly residual: Decimal;
  readonly attainment: readonly AttainmentSummary[];
  readonly opening: Balances;
  readonly closing: Balances;
}

/** A problem with one record that the engine refused to pay on, instead of guessing. */
export interface EngineException {
  readonly code: 'revenue_splits_not_100' | 'missing_quota' | 'missing_fx_rate' | 'unknown_stage';
  readonly recordId: string;
  /** The period being computed when it was found. */
  readonly period?: PeriodId;
  readonly message: string;
  readonly fix: string;
}

/**
 * The commission line that pays `dealId` (its first, when several components pay on it).
 * A commission line's key ends in "|<deal id>", so keys pick the candidates and only they
 * have their provenance built: provenance is worked out on read (PlanPayoutLine), and
 * reading it for every line of a long statement to find one deal would build them all.
 */
export function commissionLineFor(lines: readonly PayoutLine[], dealId: string): PayoutLine | undefined {
  const suffix = `|${dealId}`;
  return lines.find((l) => l.kind === 'commission' && l.key.endsWith(suffix) && l.provenance?.deal?.id === dealId);
}
