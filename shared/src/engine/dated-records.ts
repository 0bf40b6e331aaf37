import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import type { CurrencyCode } from '../money/currency.js';
import { SharedStrings } from '../input/shared-strings.js';
import { toScaled } from '../money/scaled.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import { directCredits, type DealCredit } from './credits.js';
import type { EngineException } from './statement.js';
import { outcomeOf, type TenantIndex } from './tenant-index.js';

/**
 * The records statements are paid on, sorted once per tenant index by (date, id) — the
 * order every component pays in — so each period finds its records as one slice by binary
 * search instead of scanning (and re-sorting) every record of the tenant.
 */
export interface DatedRecords {
  /** Positions in `data.deals` of the closed-won deals, by (close date, id); equal keys keep their input order. */
  readonly wonDealPositions: readonly number[];
  /** What crediting reads of the deals, by position in `data.deals`. */
  readonly deals: DealColumns;
  /** The direct credits of each won deal with splits (or why it credits nobody), by position. */
  readonly splitCredits: ReadonlyMap<number, readonly DealCredit[] | EngineException>;
  /** Deals in a stage their pipeline does not have, with their positions, in input order. */
  readonly unknownStage: readonly { readonly deal: Deal; readonly position: number }[];
  /** Completed activities by (date, id); equal keys keep their input order. */
  readonly completedActivities: readonly Activity[];
}

/**
 * The fields of the deals that crediting reads, as columns by input position (amounts,
 * currencies and splits only of won deals and deals in an unknown stage). A big tenant's deal objects lie scattered over
 * a heap of gigabytes, and deals are credited and paid in date order, not in the order they
 * were allocated: every read of a deal, its amount and its amount's digits waited on memory,
 * several times per deal and payee. The columns are filled in one pass in input order (the
 * order the objects lie in); crediting reads them once per deal and lays what paying needs
 * beside each payee's pairs (period-lines.ts, PairColumns). Deals credited whole in the plan
 * currency are paid without reading the deal; the rest (splits, foreign currencies, filters,
 * other measures) read it as before, and so do provenance and the first credits of an owner.
 */
export interface DealColumns {
  /** Close dates, one string object per distinct date (so equal dates compare without reading them). */
  readonly closeDates: readonly IsoDate[];
  readonly ids: readonly string[];
  /** Index into `ownerIds`. */
  readonly owner: Int32Array;
  readonly ownerIds: readonly UserId[];
  /** 1 where the deal has no splits. */
  readonly unsplit: Uint8Array;
  /** Index into `currencies`. */
  readonly currency: Uint16Array;
  readonly currencies: readonly CurrencyCode[];
  /** The amount in units of 10^-places (exact), or NaN where it is not a safe integer of them. */
  readonly units: Float64Array;
  /** The amount's decimal places (at most 255, which is more than any credit scale). */
  readonly places: Uint8Array;
}

const built = new WeakMap<TenantIndex, DatedRecords>();

/** The index's records by date, built on first use and kept as long as the index. */
export function datedRecords(index: TenantIndex): DatedRecords {
  let records = built.get(index);
  if (!records) {
    records = buildDatedRecords(index);
    built.set(index, records);
  }
  return records;
}

function buildDatedRecords(index: TenantIndex): DatedRecords {
  const deals = index.data.deals;
  const wonByDate = new Map<IsoDate, number[]>();
  const unknownStage: { deal: Deal; position: number }[] = [];
  const dates = new SharedStrings();
  const currencyIndex = new Map<string, number>();
  const ownerIndex = new Map<string, number>();
  const splitCredits = new Map<number, readonly DealCredit[] | EngineException>();
  const columns = {
    closeDates: [] as IsoDate[],
    ids: [] as string[],
    owner: new Int32Array(deals.length),
    ownerIds: [] as UserId[],
    unsplit: new Uint8Array(deals.length),
    currency: new Uint16Array(deals.length),
    currencies: [] as CurrencyCode[],
    units: new Float64Array(deals.length),
    places: new Uint8Array(deals.length),
  };
  // One pass in input order reads everything the periods need of a deal.
  for (let position = 0; position < deals.length; position++) {
    const deal = deals[position]!;
    const date = dates.of(deal.closeDate);
    columns.closeDates.push(date);
    columns.ids.push(deal.id);
    let owner = ownerIndex.get(deal.ownerId);
    if (owner === undefined) {
      owner = columns.ownerIds.push(deal.ownerId) - 1;
      ownerIndex.set(deal.ownerId, owner);
    }
    columns.owner[position] = owner;
    const outcome = outcomeOf(index, deal);
    if (outcome === undefined) unknownStage.push({ deal, position });
    else if (outcome === 'won') pushTo(wonByDate, date, position);
    else continue;
    if (deal.splits.length === 0) columns.unsplit[position] = 1;
    else if (outcome === 'won') splitCredits.set(position, directCredits(deal));
    let currency = currencyIndex.get(deal.currency);
    if (currency === undefined) {
      currency = columns.currencies.push(deal.currency) - 1;
      currencyIndex.set(deal.currency, currency);
    }
    columns.currency[position] = currency;
    const places = Math.min(deal.amount.decimalPlaces(), 255);
    columns.places[position] = places;
    columns.units[position] = toScaled(deal.amount, places);
  }
  const wonDealPositions = sortedByDateThenId(wonByDate, (position) => columns.ids[position]!, idsAscending(columns.ids));
  const activities = index.data.activities;
  const completedByDate = new Map<IsoDate, number[]>();
  for (let position = 0; position < activities.length; position++) {
    const activity = activities[position]!;
    if (activity.status === 'completed') pushTo(completedByDate, activity.occurredAt, position);
  }
  const activityPositions = sortedByDateThenId(completedByDate, (position) => activities[position]!.id, idsAscending(activities.map((a) => a.id)));
  return {
    wonDealPositions,
    deals: columns,
    splitCredits,
    unknownStage,
    completedActivities: activityPositions.map((position) => activities[position]!),
  };
}

function pushTo(byDate: Map<IsoDate, number[]>, date: IsoDate, position: number): void {
  const bucket = byDate.get(date);
  if (bucket) bucket.push(position);
  else byDate.set(date, [position]);
}

/**
 * Positions ordered by date, then id; a stable sort, so equal keys keep input order.
 * Buckets hold positions in input order, so when the input is in id order (as exports
 * usually are) they are sorted already and their ids need not be read again.
 */
function sortedByDateThenId(byDate: Map<IsoDate, number[]>, idOf: (position: number) => string, inputInIdOrder: boolean): number[] {
  const out: number[] = [];
  const byId = (a: number, b: number): number => {
    const ia = idOf(a);
    const ib = idOf(b);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
  for (const date of [...byDate.keys()].sort()) {
    const bucket = byDate.get(date)!;
    if (!inputInIdOrder && !isSorted(bucket, byId)) bucket.sort(byId);
    for (const position of bucket) out.push(position);
  }
  return out;
}

/** Whether ids never decrease along the list (read front to back, which is fast). */
function idsAscending(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i - 1]! > ids[i]!) return false;
  return true;
}

function isSorted(list: readonly number[], compare: (a: number, b: number) => number): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1]!, list[i]!) > 0) return false;
  return true;
}

/** [from, to) indices of the records dated inside `period` and on or before `asOf`, in a list sorted by date. */
export function rangeIn<T>(sorted: readonly T[], dateOf: (record: T) => IsoDate, period: Pick<Period, 'start' | 'end'>, asOf: IsoDate): [number, number] {
  const from = firstIndex(sorted, (record) => dateOf(record) >= period.start);
  const to = Math.min(
    firstIndex(sorted, (record) => dateOf(record) >= period.end),
    firstIndex(sorted, (record) => dateOf(record) > asOf),
  );
  return [from, Math.max(from, to)];
}

/** The first index whose record satisfies `past` (a predicate that is false, then true, along the list). */
function firstIndex<T>(sorted: readonly T[], past: (record: T) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (past(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
