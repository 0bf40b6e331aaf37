import { addDays, daysBetween, maxDate, minDate, parseIsoDate, ymd, type IsoDate } from './iso-date.js';

/**
 * A commission period: [start, end) in calendar days. `end` is exclusive so that periods
 * tile without gaps and a date belongs to exactly one of them.
 */
export interface Period {
  readonly id: PeriodId;
  readonly kind: PeriodKind;
  readonly start: IsoDate;
  readonly end: IsoDate;
}
export type PeriodId = string & { readonly __brand: 'PeriodId' };
export const PERIOD_KINDS = ['week', 'month', 'quarter', 'year', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/**
 * A business calendar. Fiscal years may start in any month; a fiscal year is named by
 * the calendar year in which it *ends* (FY2027 starting 2026-02-01 is "2027"), the
 * common US convention. Custom periods (4-4-5 and the like) are listed explicitly.
 */
export interface FiscalCalendar {
  readonly fiscalYearStartMonth: number;
  readonly customPeriods: readonly Period[];
}

export const CALENDAR_YEAR: FiscalCalendar = { fiscalYearStartMonth: 1, customPeriods: [] };

export function contains(period: Pick<Period, 'start' | 'end'>, date: IsoDate): boolean {
  return date >= period.start && date < period.end;
}

export function periodDays(period: Pick<Period, 'start' | 'end'>): number {
  return daysBetween(period.start, period.end);
}

/** Days of `period` that fall inside [from, to). */
export function overlapDays(period: Pick<Period, 'start' | 'end'>, from: IsoDate, to: IsoDate | undefined): number {
  const start = maxDate(period.start, from);
  const end = to === undefined ? period.end : minDate(period.end, to);
  return Math.max(0, daysBetween(start, end));
}

function fiscalYearStart(calendar: FiscalCalendar, fiscalYear: number): IsoDate {
  // FY N ends in calendar year N; with a January start it is simply calendar year N.
  const startYear = calendar.fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1;
  return ymd(startYear, calendar.fiscalYearStartMonth, 1);
}

function monthsAfter(date: IsoDate, months: number): IsoDate {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return ymd(y, m + months, 1);
}

const MONTH_ID = /^(\d{4})-(\d{2})$/;
const QUARTER_ID = /^(\d{4})-Q([1-4])$/;
const YEAR_ID = /^(\d{4})$/;
const WEEK_ID = /^(\d{4})-W(\d{2})$/;

/** Monday of ISO week 1: the week that holds the year's first Thursday. */
function isoWeekOneMonday(year: number): IsoDate {
  const jan4 = ymd(year, 1, 4);
  const weekday = (new Date(`${jan4}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(jan4, -weekday);
}


/**
 * Resolves a period id in a calendar: "2026-W27" (an ISO week), "2026-07" (a calendar month), "2026-Q3" (the third
 * fiscal quarter of FY2026), "2026" (FY2026), or the id of a custom period.
 *
 * Answers are cached per calendar (the engine resolves the same quota periods for every
 * payee in every period), so the same id gives the same Period object.
 */
export function resolvePeriod(id: string, calendar: FiscalCalendar = CALENDAR_YEAR): Period | undefined {
  let cache = resolved.get(calendar);
  if (!cache) {
    cache = new Map();
    resolved.set(calendar, cache);
  }
  if (cache.has(id)) return cache.get(id);
  const period = resolveUncached(id, calendar);
  // Ids come from documents people write; a bound keeps a long-lived process from collecting typos forever.
  if (cache.size >= MAX_CACHED_IDS) cache.clear();
  cache.set(id, period);
  return period;
}

const MAX_CACHED_IDS = 10_000;
const resolved = new WeakMap<FiscalCalendar, Map<string, Period | undefined>>();

function resolveUncached(id: string, calendar: FiscalCalendar): Period | undefined {
  const custom = calendar.customPeriods.find((p) => p.id === id);
  if (custom) return custom;
  let m = MONTH_ID.exec(id);
  if (m) {
    const start = parseIsoDate(`${m[1]}-${m[2]}-01`);
    return start ? { id: id as PeriodId, kind: 'month', start, end: monthsAfter(start, 1) } : undefined;
  }
  m = WEEK_ID.exec(id);
  if (m) {
    const week = Number(m[2]);
    const start = addDays(isoWeekOneMonday(Number(m[1])), (week - 1) * 7);
    if (week < 1 || periodContaining(start, 'week').id !== id) return undefined;
    return { id: id as PeriodId, kind: 'week', start, end: addDays(start, 7) };
  }
  m = QUARTER_ID.exec(id);
  if (m) {
    const start = monthsAfter(fiscalYearStart(calendar, Number(m[1])), (Number(m[2]) - 1) * 3);
    return { id: id as PeriodId, kind: 'quarter', start, end: monthsAfter(start, 3) };
  }
  m = YEAR_ID.exec(id);
  if (m) {
    const start = fiscalYearStart(calendar, Number(m[1]));
    return { id: id as PeriodId, kind: 'year', start, end: monthsAfter(start, 12) };
  }
  return undefined;
}

/** The period of `kind` that contains `date`. */
export function periodContaining(date: IsoDate, kind: PeriodKind, calendar: FiscalCalendar = CALENDAR_YEAR): Period {
  if (kind === 'custom') {
    const custom = calendar.customPeriods.find((p) => contains(p, date));
    if (!custom) throw new RangeError(`No custom period contains ${date}; add one to the calendar`);
    return custom;
  }
  if (kind === 'week') {
    const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
    const monday = addDays(date, -weekday);
    // The ISO year is the year of the week's Thursday.
    const isoYear = Number(addDays(monday, 3).slice(0, 4));
    const week = Math.floor(daysBetween(isoWeekOneMonday(isoYear), monday) / 7) + 1;
    return { id: `${isoYear}-W${String(week).padStart(2, '0')}` as PeriodId, kind: 'week', start: monday, end: addDays(monday, 7) };
  }
  const [y, mo] = date.split('-').map(Number) as [number, number];
  if (kind === 'month') return resolvePeriod(`${y}-${String(mo).padStart(2, '0')}`, calendar)!;
  const monthIndexInFy = (mo - calendar.fiscalYearStartMonth + 12) % 12;
  const fiscalYear = calendar.fiscalYearStartMonth === 1 || mo < calendar.fiscalYearStartMonth ? y : y + 1;
  if (kind === 'year') return resolvePeriod(String(fiscalYear), calendar)!;
  return resolvePeriod(`${fiscalYear}-Q${Math.floor(monthIndexInFy / 3) + 1}`, calendar)!;
}

export function nextPeriod(period: Period, calendar: FiscalCalendar = CALENDAR_YEAR): Period {
  return periodContaining(period.end, period.kind, calendar);
}

/** The calendar months (as month periods) that a period touches, in order. Cached: every payee's quota walks the same months. */
export function monthsOf(period: Pick<Period, 'start' | 'end'>): readonly Period[] {
  const key = `${period.start}|${period.end}`;
  let months = monthsCache.get(key);
  if (!months) {
    const list: Period[] = [];
    months = list;
    let cursor = periodContaining(period.start, 'month');
    while (cursor.start < period.end) {
      list.push(cursor);
      cursor = resolvePeriod(periodContaining(cursor.end, 'month').id)!;
    }
    if (monthsCache.size >= MAX_CACHED_IDS) monthsCache.clear();
    monthsCache.set(key, months);
  }
  return months;
}

const monthsCache = new Map<string, readonly Period[]>();

/** The last day that belongs to the period. */
export function lastDay(period: Pick<Period, 'end'>): IsoDate {
  return addDays(period.end, -1);
}
