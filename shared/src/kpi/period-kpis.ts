import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import { activityCounts, type ActivityCounts } from './activity-counts.js';
import { averageDealSize, type AverageDealSize } from './average-deal-size.js';
import { creditShares } from './credit-share.js';
import type { KpiContext } from './kpi-context.js';
import { periodDeals, tally, type PeriodDeals } from './period-deals.js';
import { pipelineCoverage, type PipelineCoverage } from './pipeline-coverage.js';
import { ProblemLog, type KpiProblem } from './problems.js';
import { quotaAttainment, revenueQuota, type QuotaAttainment } from './quota-attainment.js';
import { salesCycle, type SalesCycle } from './sales-cycle.js';
import { stageConversion, type PipelineConversion } from './stage-conversion.js';
import { resolveSubject, type KpiSubject, type SubjectScope } from './subject.js';
import { weightedForecast, type WeightedForecast } from './weighted-forecast.js';
import { winRate, type WinRate } from './win-rate.js';

/** Every KPI of one subject for one period; amounts are in the tenant's home currency. */
export interface PeriodKpis {
  readonly period: Period;
  readonly quotaAttainment: QuotaAttainment;
  readonly pipelineCoverage: PipelineCoverage;
  readonly winRate: WinRate;
  readonly averageDealSize: AverageDealSize;
  readonly salesCycle: SalesCycle;
  readonly stageConversion: readonly PipelineConversion[];
  readonly activities: ActivityCounts;
  readonly weightedForecast: WeightedForecast;
  /** The deals behind the deal KPIs, with share, FX rate and credited amount each, for drill-down. */
  readonly deals: PeriodDeals;
  /** Records these KPIs could not value; the numbers above leave them out. */
  readonly problems: readonly KpiProblem[];
}

export function periodKpis(index: TenantIndex, subject: KpiSubject, period: Period, asOf: IsoDate): { scope: SubjectScope; kpis: PeriodKpis } {
  const problems = new ProblemLog();
  const scope = resolveSubject(index, subject, problems);
  const ctx: KpiContext = { index, period, asOf, scope, shareOf: creditShares(index, scope, problems), currency: index.data.tenant.currency, problems };
  const deals = periodDeals(ctx);
  const won = tally(deals.won).amount;
  const quota = revenueQuota(ctx);
  const conversion = stageConversion(ctx);
  const activities = activityCounts(ctx);
  const kpis: PeriodKpis = {
    period,
    quotaAttainment: quotaAttainment(won, quota),
    pipelineCoverage: pipelineCoverage(deals.open, won, quota?.forPeriod),
    winRate: winRate(deals.won, deals.lost),
    averageDealSize: averageDealSize(deals.won),
    salesCycle: salesCycle(deals.won),
    stageConversion: conversion,
    activities,
    weightedForecast: weightedForecast(won, deals.open),
    deals,
    // Only after every KPI above has had its chance to log a problem.
    problems: problems.list(),
  };
  return { scope, kpis };
}
