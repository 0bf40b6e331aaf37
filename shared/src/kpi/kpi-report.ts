import type { CurrencyCode } from '../money/currency.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import { periodKpis, type PeriodKpis } from './period-kpis.js';
import type { KpiSubject } from './subject.js';
import { kpiTrend, type KpiTrend } from './trend.js';

// Callers need only this module: the report's parts and the cards' median helper.
export { teamMedian } from './median.js';
export type { KpiSubject } from './subject.js';
export type { PeriodKpis } from './period-kpis.js';
export type { KpiProblem, KpiProblemCode } from './problems.js';
export type { KpiTrend } from './trend.js';

export interface KpiInput {
  readonly index: TenantIndex;
  readonly period: Period;
  /** Nothing dated after this day is used: deals created or closed, activities, quota versions, FX rates. */
  readonly asOf: IsoDate;
  readonly subject: KpiSubject;
  /** When given, the same KPIs for it (same `asOf`) and the change since. */
  readonly previousPeriod?: Period | undefined;
}

export interface KpiReport extends PeriodKpis {
  readonly subject: KpiSubject;
  readonly subjectName: string;
  readonly asOf: IsoDate;
  /** The tenant's home currency, which every amount in the report is in. */
  readonly currency: CurrencyCode;
  readonly trend: KpiTrend | undefined;
}

/** The KPI cards' one entry point: pure, so the same input always gives the same report. */
export function computeKpis(input: KpiInput): KpiReport {
  const { index, period, asOf, subject, previousPeriod } = input;
  const current = periodKpis(index, subject, period, asOf);
  const trend = previousPeriod === undefined ? undefined : kpiTrend(current.kpis, periodKpis(index, subject, previousPeriod, asOf).kpis);
  return { ...current.kpis, subject, subjectName: current.scope.name, asOf, currency: index.data.tenant.currency, trend };
}
