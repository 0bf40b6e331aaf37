import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import { outcomeOf, type TenantIndex } from './tenant-index.js';

/**
 * The records statements are paid on, sorted once per tenant index by (date, id) — the
 * order every component pays in — so each period finds its records as one slice by binary
 * search instead of scanning (and re-sorting) every record of the tenant.
 */
export interface DatedRecords {
  /** Closed-won deals by (close date, id); equal keys keep their input order. */
  readonly wonDeals: readonly Deal[];
  /** Each won deal's position in `data.deals`: problems are reported in input order. */
  readonly wonDealPositions: readonly number[];
  /** 1 where the won deal has no splits (read here in input order, so the date-ordered pass need not). */
  readonly wonDealUnsplit: Uint8Array;
  /** Deals in a stage their pipeline does not have, with their positions, in input order. */
  readonly unknownStage: readonly { readonly deal: Deal; readonly position: number }[];
  /** Completed activities by (date, id); equal keys keep their input order. */
  readonly completedActivities: readonly Activity[];
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
  for (let position = 0; position < deals.length; position++) {
    const deal = deals[position]!;
    const outcome = outcomeOf(index, deal);
    if (outcome === undefined) unknownStage.push({ deal, position });
    else if (outcome === 'won') pushTo(wonByDate, deal.closeDate, position);
  }
  const wonDealPositions = sortedByDateThenId(wonByDate, (position) => deals[position]!.id, idsAscending(deals));
  const activities = index.data.activities;
  const completedByDate = new Map<IsoDate, number[]>();
  for (let position = 0; position < activities.length; position++) {
    const activity = activities[position]!;
    if (activity.status === 'completed') pushTo(completedByDate, activity.occurredAt, position);
  }
  const activityPositions = sortedByDateThenId(completedByDate, (position) => activities[position]!.id, idsAscending(activities));
  const unsplit = new Uint8Array(deals.length);
  for (let position = 0; position < deals.length; position++) if (deals[position]!.splits.length === 0) unsplit[position] = 1;
  return {
    wonDeals: wonDealPositions.map((position) => deals[position]!),
    wonDealPositions,
    wonDealUnsplit: Uint8Array.from(wonDealPositions, (position) => unsplit[position]!),
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
function idsAscending(records: readonly { readonly id: string }[]): boolean {
  for (let i = 1; i < records.length; i++) if (records[i - 1]!.id > records[i]!.id) return false;
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
