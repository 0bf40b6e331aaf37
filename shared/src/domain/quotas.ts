import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { IsoDate } from '../time/iso-date.js';
import type { PeriodId } from '../time/period.js';
import type { ActivityType } from './activities.js';
import type { QuotaId, TeamId, UserId } from './ids.js';

/** What a quota (and an attainment) is measured in. */
export type Measure =
  | { readonly kind: 'revenue' }
  | { readonly kind: 'deal-count' }
  | { readonly kind: 'activity'; readonly activityType: ActivityType };

export function measureKey(m: Measure): string {
  return m.kind === 'activity' ? `activity:${m.activityType}` : m.kind;
}

export type QuotaOwner = { readonly userId: UserId } | { readonly teamId: TeamId };

/**
 * A target for one person or team over one period. Versions are effective-dated: the
 * engine uses the highest version whose `effectiveFrom` is on or before the as-of date,
 * so a quota change never silently rewrites what was already known.
 */
export interface Quota {
  readonly id: QuotaId;
  readonly owner: QuotaOwner;
  readonly measure: Measure;
  readonly period: PeriodId;
  readonly target: Decimal;
  /** For revenue quotas. */
  readonly currency: CurrencyCode | undefined;
  /** Seasonal weights by month id ("2026-07": "0.3"); missing means "by days". */
  readonly phasing: ReadonlyMap<PeriodId, Decimal> | undefined;
  readonly version: number;
  readonly effectiveFrom: IsoDate;
}
