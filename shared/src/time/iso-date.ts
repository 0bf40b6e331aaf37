/**
 * Calendar dates as 'YYYY-MM-DD' strings. Commission periods are about calendar days in
 * the tenant's business calendar, not instants, so a date carries no time zone. ISO
 * strings compare correctly as strings, which keeps sorting cheap and deterministic.
 */
export type IsoDate = string & { readonly __brand: 'IsoDate' };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Answers for strings seen before. A data file repeats a few hundred distinct dates across
 * a million records; the cache is bounded so a long-lived process cannot grow it forever.
 */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string, compute: (key: string) => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const value = compute(key);
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

const CACHE_LIMIT = 50_000;
const parsedDates = new BoundedCache<IsoDate | undefined>(CACHE_LIMIT);
const datesOf = new BoundedCache<IsoDate | undefined>(CACHE_LIMIT);
const epochDays = new BoundedCache<number>(CACHE_LIMIT);

export function parseIsoDate(text: string): IsoDate | undefined {
  return parsedDates.get(text, parseIsoDateUncached);
}

function parseIsoDateUncached(text: string): IsoDate | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return date.toISOString().slice(0, 10) === text ? (text as IsoDate) : undefined;
}

/** The calendar date of an ISO timestamp or date ("2026-07-03T10:00:00Z" → 2026-07-03, in UTC). */
export function dateOf(timestampOrDate: string): IsoDate | undefined {
  // Plain dates repeat across records; timestamps rarely do, so only the former are cached.
  return timestampOrDate.length === 10 ? datesOf.get(timestampOrDate, dateOfUncached) : dateOfUncached(timestampOrDate);
}

function dateOfUncached(timestampOrDate: string): IsoDate | undefined {
  if (ISO_DATE.test(timestampOrDate)) return parseIsoDate(timestampOrDate);
  const ms = Date.parse(timestampOrDate);
  return Number.isNaN(ms) ? undefined : (new Date(ms).toISOString().slice(0, 10) as IsoDate);
}

export function toEpochDay(date: IsoDate): number {
  return epochDays.get(date, epochDayUncached);
}

function epochDayUncached(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromEpochDay(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10) as IsoDate;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function ymd(year: number, month: number, day: number): IsoDate {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10) as IsoDate;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}
