import type { Decimal } from '../money/decimal.js';
import type { PeriodKpis } from './period-kpis.js';

/** The previous period's KPIs and how far the current period moved from them (current − previous). */
export interface KpiTrend {
  readonly previous: PeriodKpis;
  /** In attainment fractions: 0.2 = 20 percentage points. Undefined unless both periods have one. */
  readonly attainment: Decimal | undefined;
  readonly wonAmount: Decimal;
  readonly winRateByCount: Decimal | undefined;
  readonly winRateByAmount: Decimal | undefined;
}

function delta(current: Decimal | undefined, previous: Decimal | undefined): Decimal | undefined {
  return current === undefined || previous === undefined ? undefined : current.minus(previous);
}

export function kpiTrend(current: PeriodKpis, previous: PeriodKpis): KpiTrend {
  return {
    previous,
    attainment: delta(current.quotaAttainment.attainment, previous.quotaAttainment.attainment),
    wonAmount: current.quotaAttainment.won.minus(previous.quotaAttainment.won),
    winRateByCount: delta(current.winRate.byCount, previous.winRate.byCount),
    winRateByAmount: delta(current.winRate.byAmount, previous.winRate.byAmount),
  };
}
