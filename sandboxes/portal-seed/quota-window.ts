import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { resolvePeriod, type FiscalCalendar, type Period, type PeriodId } from '../../shared/src/time/period.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';

/** A quota's period as the [start, end) dates CRMs store on goal/quota records. */
export function quotaWindow(dataset: RawDataset, period: string): { start: string; end: string } {
  const calendar: FiscalCalendar = {
    fiscalYearStartMonth: dataset.calendar?.fiscalYearStartMonth ?? 1,
    customPeriods: (dataset.calendar?.customPeriods ?? []).map((p): Period => ({ id: p.id as PeriodId, kind: 'custom', start: p.start as IsoDate, end: p.end as IsoDate })),
  };
  const resolved = resolvePeriod(period, calendar);
  if (!resolved) throw new RangeError(`quota period "${period}" is not a period id (use e.g. 2026-Q3, 2026-07, 2026 or a custom period id)`);
  return { start: resolved.start, end: resolved.end };
}
