import { HUNDRED, ONE, ZERO, compact, compare, type Decimal } from '../money/decimal.js';
import { displayMoney } from '../money/money.js';
import { rescaled } from '../money/scaled.js';
import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import { measureKey, type Measure } from '../domain/quotas.js';
import type { Component, CreditKind, Plan, PlanAssignment } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import { contains, type Period } from '../time/period.js';
import { componentPayer, type CreditEvent, type RawLine } from './component-lines.js';
import { RunningCap } from './running-cap.js';
import { datedRecords, rangeIn, type DealColumns } from './dated-records.js';
import { LazyWords } from './explain.js';
import { activityCredits, dealCredits, withRollups, type DealCredit } from './credits.js';
import { effectiveQuota, findQuota, type QuotaLookup } from './quota-target.js';
import type { AttainmentSummary, EngineException, FxUse, Provenance } from './statement.js';
import type { TenantIndex } from './tenant-index.js';
import { attainmentPercent } from './tiers.js';

/** A plan line of a payee's period, with the plan it came from. */
export type PlanLine = RawLine;

export interface PayeePeriodLines {
  readonly payeeId: UserId;
  readonly plans: readonly Plan[];
  readonly lines: readonly PlanLine[];
  readonly attainment: readonly AttainmentSummary[];
}

export interface PeriodLinesResult {
  readonly byPayee: ReadonlyMap<UserId, PayeePeriodLines>;
  readonly exceptions: readonly EngineException[];
}

/** Of each plan id, the highest version in force during the period and paying on its cadence. */
export function plansInForce(plans: readonly Plan[], period: Period): Plan[] {
  const best = new Map<string, Plan>();
  for (const plan of plans) {
    if (plan.periodKind !== period.kind) continue;
    if (plan.effectiveFrom >= period.end || (plan.effectiveTo !== undefined && plan.effectiveTo <= period.start)) continue;
    const current = best.get(plan.id);
    if (!current || plan.version > current.version) best.set(plan.id, plan);
  }
  return [...best.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function assignmentCovers(a: PlanAssignment, date: IsoDate): boolean {
  return date >= a.from && (a.to === undefined || date < a.to);
}

/** Whether the assignment covers every day of the period, so every record of the period is on it. */
function coversPeriod(a: PlanAssignment, period: Period): boolean {
  return a.from <= period.start && (a.to === undefined || a.to >= period.end);
}

/** What the per-record loop asks of a component, worked out once per period instead of per record. */
interface ComponentFacts {
  readonly component: Component;
  readonly paysOnActivities: boolean;
  readonly quotaKinds: KindSet;
  readonly payoutKinds: KindSet;
  readonly rollupLevels: number;
  /** No pipeline, property or amount filter: every deal matches. */
  readonly matchesAll: boolean;
  readonly properties: readonly (readonly [string, readonly string[]])[];
  readonly needsQuota: boolean;
  /** Quota and payout credit measure the same thing: a record's value for one is its value for the other. */
  readonly sameMeasure: boolean;
}

type KindSet = Readonly<Record<CreditKind, boolean>>;

function kindSet(kinds: readonly CreditKind[]): KindSet {
  return { revenue: kinds.includes('revenue'), overlay: kinds.includes('overlay'), rollup: kinds.includes('rollup') };
}

function componentFacts(component: Component): ComponentFacts {
  const f = component.filter;
  const properties = Object.entries(f.properties);
  return {
    component,
    paysOnActivities: component.measure.kind === 'activity',
    quotaKinds: kindSet(component.credit.quota),
    payoutKinds: kindSet(component.credit.payout),
    rollupLevels: component.credit.rollupLevels,
    matchesAll: !f.pipelines && properties.length === 0 && f.minAmount === undefined,
    properties,
    needsQuota: (component.type === 'commission' && component.tiers.basis === 'attainment') || component.type === 'attainment-bonus' || component.gate !== undefined,
    sameMeasure: measureKey(component.measure) === measureKey(component.quotaMeasure),
  };
}

function matchesFilter(facts: ComponentFacts, deal: Deal, valueInPlan: Decimal): boolean {
  if (facts.matchesAll) return true;
  const f = facts.component.filter;
  if (f.pipelines && !f.pipelines.includes(deal.pipelineId)) return false;
  for (const [property, allowed] of facts.properties) {
    const actual = deal.properties[property];
    if (actual === undefined || !allowed.includes(actual)) return false;
  }
  return f.minAmount === undefined || valueInPlan.greaterThanOrEqualTo(f.minAmount);
}

function valueOf(measure: Measure, deal: Deal | undefined, activity: Activity | undefined, dealValue: Decimal, share: Decimal): Decimal {
  // Whole credit is the common case; skipping the multiplication by one matters at a million deals.
  if (measure.kind === 'revenue') return deal ? (share === ONE ? dealValue : dealValue.times(share)) : ZERO;
  if (measure.kind === 'deal-count') return deal ? share : ZERO;
  return activity && activity.type === measure.activityType ? share : ZERO;
}

function counts(kinds: KindSet, credit: DealCredit, rollupLevels: number): boolean {
  return kinds[credit.kind] && (credit.kind !== 'rollup' || credit.level <= rollupLevels);
}

/** Share → credit percent; whole credit (the shared ONE) is 100 without a multiplication. */
function percentOf(share: Decimal): Decimal {
  return share === ONE ? HUNDRED : compact(share.times(100));
}

const NO_VIAS: readonly UserId[] = Object.freeze([]);

/** What one record's credits add up to for one payee under one component; reused from record to record. */
class CreditTally {
  quotaValue = ZERO;
  payoutValue = ZERO;
  payoutShare = ZERO;
  primary: DealCredit | undefined;
  /** The reports the payout credits came through: the first, and all of them once there are two or more. */
  via: UserId | undefined;
  vias: UserId[] | undefined;
  private fact!: ComponentFacts;
  private deal: Deal | undefined;
  private activity: Activity | undefined;
  private value = ZERO;

  start(fact: ComponentFacts, deal: Deal | undefined, activity: Activity | undefined, value: Decimal): void {
    this.fact = fact;
    this.deal = deal;
    this.activity = activity;
    this.value = value;
    this.quotaValue = ZERO;
    this.payoutValue = ZERO;
    this.payoutShare = ZERO;
    this.primary = undefined;
    this.via = undefined;
    this.vias = undefined;
  }

  add(credit: DealCredit): void {
    const { fact, deal, activity, value } = this;
    let quotaValue: Decimal | undefined;
    if (counts(fact.quotaKinds, credit, fact.rollupLevels)) {
      quotaValue = valueOf(fact.component.quotaMeasure, deal, activity, value, credit.share);
      this.quotaValue = this.quotaValue.isZero() ? quotaValue : this.quotaValue.plus(quotaValue);
    }
    if (counts(fact.payoutKinds, credit, fact.rollupLevels)) {
      // A split share's product is worked out once when it is the same for both.
      const v = quotaValue !== undefined && fact.sameMeasure ? quotaValue : valueOf(fact.component.measure, deal, activity, value, credit.share);
      if (v.isZero()) return;
      this.payoutValue = this.payoutValue.isZero() ? v : this.payoutValue.plus(v);
      this.payoutShare = this.payoutShare.isZero() ? credit.share : this.payoutShare.plus(credit.share);
      this.primary ??= credit;
      if (credit.via === undefined || credit.via === this.via || this.vias?.includes(credit.via)) return;
      if (this.via === undefined) this.via = credit.via;
      else (this.vias ??= [this.via]).push(credit.via);
    }
  }
}

type CreditInfo = NonNullable<Provenance['credit']>;

/**
 * A line's credit as provenance states it. Whole credits (the ONE share) are the same
 * for every line of a kind and report, so they are shared rather than built per line.
 */
class CreditProvenance {
  /** Whole credits by kind, then by the report they came through ('' for none). */
  private readonly whole = new Map<CreditKind, Map<string, CreditInfo>>();

  of(kind: CreditKind, share: Decimal, via: UserId | undefined): CreditInfo {
    if (share !== ONE) return { kind, percent: percentOf(share), via };
    let byVia = this.whole.get(kind);
    if (!byVia) this.whole.set(kind, (byVia = new Map()));
    let info = byVia.get(via ?? '');
    if (!info) byVia.set(via ?? '', (info = { kind, percent: HUNDRED, via }));
    return info;
  }
}

/** A won deal by its position in the data (see DealColumns), an activity, or credits. */
type CreditedItem = number | Activity | DealCredit | DealCredit[];

/**
 * A payee's credited records of the period, flat: each record (a won deal's position
 * in the data, or an activity),
 * then its credit, or all its credits when the payee is credited on it more than once (a
 * manager over two split reps): the pairs at `items[from..to)`. Every payee's pairs lie
 * in one list shared by the period, laid out by payee: a big tenant's quarter has a
 * million of them, and a growing list per payee (or an object per record) would be
 * copied by every collection it outlived.
 */
interface CreditedRecords {
  readonly items: readonly CreditedItem[];
  /** What is read of each pair's record, pair p being items[2p] and items[2p + 1]. */
  readonly pairs: PairColumns;
  readonly from: number;
  readonly to: number;
}

/**
 * What a payee's pass reads of each credited record, beside its pair: read from the deal
 * columns once per record while crediting, then in order by each payee credited on it
 * (the deal columns are in input order, and a payee's deals are scattered over them).
 */
class PairColumns {
  /** The deal's amount in units of 10^-places (DealColumns.units); NaN for an activity. */
  readonly units: Float64Array;
  readonly places: Uint8Array;
  /** DealColumns.currency; -1 for an activity. */
  readonly currency: Int32Array;
  readonly ids: string[];
  readonly dates: IsoDate[];
  readonly deals: (Deal | undefined)[];

  constructor(n: number) {
    this.units = new Float64Array(n);
    this.places = new Uint8Array(n);
    this.currency = new Int32Array(n);
    this.ids = new Array<string>(n);
    this.dates = new Array<IsoDate>(n);
    this.deals = new Array<Deal | undefined>(n);
  }

  copy(p: number, to: PairColumns, q: number): void {
    to.units[q] = this.units[p]!;
    to.places[q] = this.places[p]!;
    to.currency[q] = this.currency[p]!;
    to.ids[q] = this.ids[p]!;
    to.dates[q] = this.dates[p]!;
    to.deals[q] = this.deals[p];
  }
}

const NO_RECORDS: CreditedRecords = { items: [], pairs: new PairColumns(0), from: 0, to: 0 };

/** The records (with their credits) dated while the assignment holds. */
function coveredBy(assignment: PlanAssignment, records: CreditedRecords): CreditedRecords {
  const { items, pairs, to } = records;
  const kept: number[] = [];
  for (let i = records.from; i < to; i += 2) if (assignmentCovers(assignment, pairs.dates[i >> 1]!)) kept.push(i);
  const out: CreditedItem[] = [];
  const outPairs = new PairColumns(kept.length);
  for (const i of kept) {
    pairs.copy(i >> 1, outPairs, out.length >> 1);
    out.push(items[i]!, items[i + 1]!);
  }
  return { items: out, pairs: outPairs, from: 0, to: out.length };
}

/**
 * The won deals and completed activities of the period (closed on or before `asOf`) that
 * credit an assigned payee, per payee, each payee's list in (date, id) order. Problems
 * with records are added to `exceptions` in input order.
 */
function creditedRecords(index: TenantIndex, period: Period, asOf: IsoDate, assigned: ReadonlySet<UserId>, rollupLevels: number, exceptions: EngineException[]): Map<UserId, CreditedRecords> {
  // Two passes over the period's records: the first finds each record's credits and counts
  // the pairs per payee, the second writes each pair at its payee's next place. A payee's
  // place and the last record it was credited on are numbers in typed arrays, so neither
  // pass reads back what it wrote (which, scattered over a million pairs, would wait on memory).
  const payees = [...assigned];
  const slotOf = new Map<UserId, number>();
  for (let s = 0; s < payees.length; s++) slotOf.set(payees[s]!, s);
  const periodRecords: (number | Activity)[] = [];
  /** Per record, the payee slot of each of its credits (-2 for a payee not assigned), then -1. */
  let slots = new Int32Array(1024);
  let slotsEnd = 0;
  const recordCredits: DealCredit[][] = [];
  const pairs = new Int32Array(payees.length);
  const lastRecord = new Int32Array(payees.length).fill(-1);
  const slotsOf = (credits: readonly DealCredit[]): Int32Array => {
    const out = new Int32Array(credits.length);
    for (let c = 0; c < credits.length; c++) out[c] = slotOf.get(credits[c]!.payeeId) ?? -2;
    return out;
  };
  /** `creditSlots`: each credit's payee slot, when the caller knows them (the credits of unsplit deals are shared, and so are their slots). */
  const add = (credits: DealCredit[], record: number | Activity, creditSlots: Int32Array): void => {
    const k = periodRecords.length;
    periodRecords.push(record);
    recordCredits.push(credits);
    if (slotsEnd + credits.length + 1 > slots.length) {
      const grown = new Int32Array(Math.max(slots.length * 2, slotsEnd + credits.length + 1));
      grown.set(slots);
      slots = grown;
    }
    for (let c = 0; c < creditSlots.length; c++) {
      const slot = creditSlots[c]!;
      slots[slotsEnd++] = slot;
      // A payee credited twice on one record (two reports' roll-ups) has one pair for it.
      if (slot < 0 || lastRecord[slot] === k) continue;
      lastRecord[slot] = k;
      pairs[slot]!++;
    }
    slots[slotsEnd++] = -1;
  };
  const dated = datedRecords(index);
  const problems: { position: number; exception: EngineException }[] = [];
  for (const { deal, position } of dated.unknownStage) {
    if (!contains(period, deal.closeDate) || deal.closeDate > asOf) continue;
    problems.push({ position, exception: { code: 'unknown_stage', recordId: deal.id, message: `Deal ${deal.id} is in stage "${deal.stageId}", which pipeline "${deal.pipelineId}" does not have`, fix: 'sync the pipeline definitions again, or correct the deal\'s stage' } });
  }
  const columns = dated.deals;
  const positions = dated.wonDealPositions;
  const activities = dated.completedActivities;
  const unsplit = new UnsplitCredits(index, rollupLevels, columns, slotsOf);
  let [d, dealsEnd] = rangeIn(positions, (position) => columns.closeDates[position]!, period, asOf);
  let [a, activitiesEnd] = rangeIn(activities, (activity) => activity.occurredAt, period, asOf);
  // Deals and activities merge in (date, id) order, a deal first on a tie: each payee's list comes out sorted.
  while (d < dealsEnd || a < activitiesEnd) {
    const activity = a < activitiesEnd ? activities[a]! : undefined;
    const position = d < dealsEnd ? positions[d]! : -1;
    if (position >= 0 && (!activity || !activityFirst(activity, columns.closeDates[position]!, columns.ids[position]!))) {
      if (columns.unsplit[position] === 1) {
        const shared = unsplit.of(position);
        add(shared.credits, position, shared.slots);
      } else {
        const direct = dated.splitCredits.get(position)!;
        if ('code' in direct) problems.push({ position, exception: direct });
        else {
          const credits = withRollups(direct, columns.closeDates[position]!, index.hierarchy, rollupLevels);
          add(credits, position, slotsOf(credits));
        }
      }
      d++;
    } else {
      const credits = activityCredits(activity!, index.hierarchy, rollupLevels);
      add(credits, activity!, slotsOf(credits));
      a++;
    }
  }
  problems.sort((x, y) => x.position - y.position);
  for (const p of problems) exceptions.push(p.exception);

  const next = new Int32Array(payees.length);
  let total = 0;
  for (let s = 0; s < payees.length; s++) {
    next[s] = total;
    total += 2 * pairs[s]!;
  }
  const items = new Array<CreditedItem>(total);
  const columnsOut = new PairColumns(total >> 1);
  const records = new Map<UserId, CreditedRecords>();
  for (let s = 0; s < payees.length; s++) records.set(payees[s]!, { items, pairs: columnsOut, from: next[s]!, to: next[s]! + 2 * pairs[s]! });
  lastRecord.fill(-1);
  const deals = index.data.deals;
  let at = 0;
  for (let k = 0; k < periodRecords.length; k++) {
    const record = periodRecords[k]!;
    const credits = recordCredits[k]!;
    const isDeal = typeof record === 'number';
    const units = isDeal ? columns.units[record]! : NaN;
    const places = isDeal ? columns.places[record]! : 0;
    const currency = isDeal ? columns.currency[record]! : -1;
    const id = isDeal ? columns.ids[record]! : record.id;
    const date = isDeal ? columns.closeDates[record]! : record.occurredAt;
    const deal = isDeal ? deals[record]! : undefined;
    for (let c = 0; slots[at] !== -1; c++) {
      const slot = slots[at++]!;
      if (slot < 0) continue;
      const credit = credits[c]!;
      if (lastRecord[slot] === k) {
        const place = next[slot]! - 1;
        const last = items[place] as DealCredit | DealCredit[];
        if (Array.isArray(last)) last.push(credit);
        else items[place] = [last, credit];
        continue;
      }
      lastRecord[slot] = k;
      const place = next[slot]!;
      items[place] = record;
      items[place + 1] = credit;
      const q = place >> 1;
      columnsOut.units[q] = units;
      columnsOut.places[q] = places;
      columnsOut.currency[q] = currency;
      columnsOut.ids[q] = id;
      columnsOut.dates[q] = date;
      columnsOut.deals[q] = deal;
      next[slot]! += 2;
    }
    at++;
  }
  return records;
}

/**
 * The credits of deals without splits (nearly all of them): the owner's, and the
 * roll-ups to their managers. They depend only on the owner and the chain of managers
 * above them, which changes only on the dates their reporting lines start or end; so the
 * owner's deals share one list while the chain holds, rather than each building one (and
 * asking the hierarchy again).
 */
class UnsplitCredits {
  /** By owner index (DealColumns.owner): the credits while the owner's chain holds, and their payees' slots. */
  private readonly byOwner: ({ readonly credits: DealCredit[]; readonly slots: Int32Array; readonly from: IsoDate | undefined; readonly to: IsoDate | undefined } | undefined)[];

  constructor(
    private readonly index: TenantIndex,
    private readonly rollupLevels: number,
    private readonly columns: DealColumns,
    private readonly slotsOf: (credits: readonly DealCredit[]) => Int32Array,
  ) {
    this.byOwner = new Array(columns.ownerIds.length).fill(undefined);
  }

  /** The credits of the unsplit deal at `position` in the data. */
  of(position: number): { readonly credits: DealCredit[]; readonly slots: Int32Array } {
    const date = this.columns.closeDates[position]!;
    const owner = this.columns.owner[position]!;
    const known = this.byOwner[owner];
    if (known && (known.from === undefined || date >= known.from) && (known.to === undefined || date < known.to)) return known;
    const { hierarchy } = this.index;
    const credits = dealCredits(this.index.data.deals[position]!, hierarchy, this.rollupLevels) as DealCredit[];
    // The people whose manager was looked up: the owner and each manager found, except the last when the chain is full.
    const asked = [this.columns.ownerIds[owner]!];
    for (let i = 1; i < credits.length && asked.length < this.rollupLevels; i++) asked.push(credits[i]!.payeeId);
    const { from, to } = hierarchy.unchangedAround(asked, date);
    const entry = { credits, slots: this.slotsOf(credits), from, to };
    this.byOwner[owner] = entry;
    return entry;
  }
}

/**
 * How an engine run does its arithmetic: 'scaled' pays commissions in integers of the
 * fewest decimal units that hold the payee's credit values exactly (money/scaled.ts),
 * falling back to decimal.js wherever a value does not fit; 'decimal' uses decimal.js
 * throughout. Both give the same figures to the last digit (test/engine/scaled-engine.test.ts);
 * 'decimal' is the reference.
 */
export type Arithmetic = 'scaled' | 'decimal';

/** Credit values beyond this many decimals (long FX rates times split shares) are paid in decimals. */
const MAX_CREDIT_SCALE = 12;

/** The decimals the payee's credit values under `plan` need: each record's value in the plan currency plus the decimals of the payee's share of it. */
function creditScaleOf(records: CreditedRecords, plan: Plan, paysOnDeals: boolean, planCurrency: number, valueOf: (position: number, plan: Plan) => { value: Decimal } | undefined): number {
  const { items, pairs, to } = records;
  let scale = 0;
  for (let i = records.from; i < to; i += 2) {
    const record = items[i] as number | Activity;
    let places = 0;
    if (typeof record === 'number' && paysOnDeals) {
      if (pairs.currency[i >> 1] === planCurrency) places = pairs.places[i >> 1]!;
      else places = valueOf(record, plan)?.value.decimalPlaces() ?? 0;
    }
    const credits = items[i + 1] as DealCredit | DealCredit[];
    if (Array.isArray(credits)) {
      let most = 0;
      for (const credit of credits) if (credit.share !== ONE) most = Math.max(most, credit.share.decimalPlaces());
      places += most;
    } else if (credits.share !== ONE) places += credits.share.decimalPlaces();
    if (places > scale) scale = places;
  }
  return Math.min(scale, MAX_CREDIT_SCALE);
}

/**
 * Every plan line of every payee for one period, computed from scratch from the data as
 * known on `asOf`: credits, quotas, tiers, gates, component and plan caps.
 */
export function periodLines(index: TenantIndex, plans: readonly Plan[], period: Period, asOf: IsoDate, onlyPayees?: ReadonlySet<UserId>, arithmetic: Arithmetic = 'scaled'): PeriodLinesResult {
  const exceptions: EngineException[] = [];
  const active = plansInForce(plans, period);
  const assigned = new Set<UserId>();
  for (const plan of active) for (const a of plan.payees) if (!onlyPayees || onlyPayees.has(a.userId)) assigned.add(a.userId);
  let rollupLevels = 0;
  for (const plan of active) for (const c of plan.components) if (c.credit.quota.includes('rollup') || c.credit.payout.includes('rollup')) rollupLevels = Math.max(rollupLevels, c.credit.rollupLevels);

  const records = creditedRecords(index, period, asOf, assigned, rollupLevels, exceptions);
  const columns = datedRecords(index).deals;
  const deals = index.data.deals;

  const quotaLookup: QuotaLookup = { ...index.quotas, fx: index.fx, asOf };
  const byPayee = new Map<UserId, { plans: Plan[]; lines: PlanLine[]; attainment: AttainmentSummary[] }>();
  // Conversions by plan currency, then the deal's position (a number: finding it reads nothing of the deal).
  const dealValueCache = new Map<string, Map<number, { value: Decimal; fx: FxUse | undefined } | undefined>>();
  /** The value of the deal at `position` in another currency than its own (converted at its close date), or undefined when no rate is known. */
  const convertedValue = (position: number, plan: Plan): { value: Decimal; fx: FxUse | undefined } | undefined => {
    let cache = dealValueCache.get(plan.currency);
    if (!cache) dealValueCache.set(plan.currency, (cache = new Map()));
    if (cache.has(position)) return cache.get(position);
    const deal = deals[position]!;
    const fx = index.fx.lookup(deal.currency, plan.currency, deal.closeDate);
    let result: { value: Decimal; fx: FxUse | undefined } | undefined;
    if (fx === undefined) {
      exceptions.push({ code: 'missing_fx_rate', recordId: deal.id, message: `No ${deal.currency}→${plan.currency} rate on or before ${deal.closeDate} to credit deal ${deal.id} under plan ${plan.id}`, fix: `add an FX rate from ${deal.currency} to ${plan.currency} dated on or before ${deal.closeDate}` });
      result = undefined;
    } else result = fx === 'same' ? { value: deal.amount, fx: undefined } : { value: compact(deal.amount.times(fx.rate)), fx };
    cache.set(position, result);
    return result;
  };

  const tally = new CreditTally();
  const creditInfo = new CreditProvenance();
  for (const plan of active) {
    const facts = plan.components.map(componentFacts);
    const paysOnDeals = facts.some((f) => !f.paysOnActivities);
    const planCurrency = columns.currencies.indexOf(plan.currency);
    for (const assignment of plan.payees) {
      if (!assigned.has(assignment.userId)) continue;
      if (assignment.from >= period.end || (assignment.to !== undefined && assignment.to <= period.start)) continue;
      const user = index.users.get(assignment.userId);
      const all = records.get(assignment.userId) ?? NO_RECORDS;
      const mine = coversPeriod(assignment, period) ? all : coveredBy(assignment, all);
      const creditScale = arithmetic === 'scaled' ? creditScaleOf(mine, plan, paysOnDeals, planCurrency, convertedValue) : undefined;
      const planLines: PlanLine[] = [];
      const summaries: AttainmentSummary[] = [];
      for (let componentIndex = 0; componentIndex < facts.length; componentIndex++) {
        const fact = facts[componentIndex]!;
        const component = fact.component;
        // The quota comes first, so each record is paid as it is read (a missing quota pays nothing,
        // but records are still valued: a missing exchange rate is reported either way).
        const quotaRecord = findQuota(quotaLookup, assignment.userId, component.quotaMeasure, period, index.data.calendar);
        const quota = quotaRecord && effectiveQuota(quotaLookup, quotaRecord, plan, assignment, user, period, index.data.calendar);
        const missingQuota = fact.needsQuota && (!quota || quota.effectiveTarget.isZero());
        const payer = missingQuota ? undefined : componentPayer(plan, componentIndex, quota, creditScale);
        // Deals credited whole in the plan currency are paid from the columns (see DealColumns).
        const wholeDeals = creditScale !== undefined && fact.matchesAll && component.measure.kind === 'revenue' && component.quotaMeasure.kind === 'revenue' && payer?.acceptWholeDeal !== undefined;
        const { items, pairs, to } = mine;
        for (let i = mine.from; i < to; i += 2) {
          const record = items[i] as number | Activity;
          const credits = items[i + 1] as DealCredit | DealCredit[];
          const q = i >> 1;
          // An activity has no currency (-1), nor has a plan currency that no deal is in (-1 too): only deals can match.
          const inPlanCurrency = typeof record === 'number' && pairs.currency[q] === planCurrency;
          if (wholeDeals && inPlanCurrency && !Array.isArray(credits) && credits.share === ONE) {
            const credit = rescaled(pairs.units[q]!, pairs.places[q]!, creditScale!);
            if (credit === 0) continue; // a zero amount: nothing to credit or pay, as below
            if (!Number.isNaN(credit) && counts(fact.quotaKinds, credits, fact.rollupLevels) && counts(fact.payoutKinds, credits, fact.rollupLevels)) {
              payer!.acceptWholeDeal!(new WholeDealEvent(pairs.ids[q]!, pairs.dates[q]!, pairs.deals[q]!, creditInfo.of(credits.kind, ONE, credits.via), credits.via === undefined ? NO_VIAS : [credits.via]), credit);
              continue;
            }
          }
          const deal = pairs.deals[q];
          const activity = deal ? undefined : (record as Activity);
          let value = ZERO;
          let fx: FxUse | undefined;
          if (deal) {
            if (fact.paysOnActivities) continue;
            if (inPlanCurrency) value = deal.amount;
            else {
              const valued = convertedValue(record as number, plan);
              if (!valued) continue;
              value = valued.value;
              fx = valued.fx;
            }
            if (!payer || !matchesFilter(fact, deal, value)) continue;
          } else if (!fact.paysOnActivities || !payer) continue;
          tally.start(fact, deal, activity, value);
          if (Array.isArray(credits)) for (const credit of credits) tally.add(credit);
          else tally.add(credits);
          if (tally.quotaValue.isZero() && tally.payoutValue.isZero()) continue;
          const { via, vias } = tally;
          payer.accept({
            recordId: pairs.ids[q]!,
            date: pairs.dates[q]!,
            deal,
            activity,
            quotaValue: tally.quotaValue,
            payoutValue: tally.payoutValue,
            payoutShare: tally.payoutShare,
            // Several credits on one deal (a manager over two split reps) are described as their total.
            credit: tally.primary && creditInfo.of(tally.primary.kind, tally.payoutShare, vias ? undefined : via),
            vias: vias ?? (via === undefined ? NO_VIAS : [via]),
            creditFx: fx,
          });
        }
        if (!payer) {
          exceptions.push({
            code: 'missing_quota',
            recordId: `${assignment.userId}/${plan.id}/${component.id}`,
            message: `${user?.name ?? assignment.userId} has no ${measureKey(component.quotaMeasure)} quota for ${period.id} (needed by ${component.name} in plan ${plan.id})${quotaRecord ? ' that converts to the plan currency or is above zero' : ''}; the component pays nothing for them until it does`,
            fix: `add a ${measureKey(component.quotaMeasure)} quota for ${assignment.userId} covering ${period.id}${quotaRecord ? ', with an FX rate into the plan currency' : ''}`,
          });
          continue;
        }
        const result = payer.finish();
        for (const line of result.lines) planLines.push(line);
        summaries.push({
          planId: plan.id,
          componentId: component.id,
          measure: measureKey(component.quotaMeasure),
          quota: quota?.effectiveTarget,
          credited: result.credited,
          attainment: attainmentPercent(result.credited, quota?.effectiveTarget),
        });
      }
      let entry = byPayee.get(assignment.userId);
      if (!entry) {
        entry = { plans: [], lines: [], attainment: [] };
        byPayee.set(assignment.userId, entry);
      }
      entry.plans.push(plan);
      for (const line of applyPeriodCap(plan, planLines)) entry.lines.push(line);
      for (const summary of summaries) entry.attainment.push(summary);
    }
  }
  const result = new Map<UserId, PayeePeriodLines>();
  for (const [payeeId, entry] of byPayee) result.set(payeeId, { payeeId, ...entry });
  return { byPayee: result, exceptions: dedupeExceptions(exceptions) };
}

/**
 * A deal credited whole to the payee, in the plan currency: its decimal values (the deal's
 * amount) are read only if the component goes on in decimals.
 */
class WholeDealEvent implements CreditEvent {
  readonly activity = undefined;
  readonly creditFx = undefined;
  readonly payoutShare = ONE;

  constructor(
    readonly recordId: string,
    readonly date: IsoDate,
    readonly deal: Deal,
    readonly credit: CreditInfo,
    readonly vias: readonly UserId[],
  ) {}

  get quotaValue(): Decimal {
    return this.deal.amount;
  }

  get payoutValue(): Decimal {
    return this.deal.amount;
  }
}

function activityFirst(activity: Activity, dealDate: IsoDate, dealId: string): boolean {
  if (activity.occurredAt !== dealDate) return activity.occurredAt < dealDate;
  return (activity.id as string) < dealId;
}

export function compareLines(a: RawLine, b: RawLine): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.componentIndex !== b.componentIndex) return a.componentIndex - b.componentIndex;
  // One component's keys are "plan|component|kind|rest" and no kind's name begins another's, so
  // kind then rest orders them as the keys would, without reading the keys (joined strings, slow to compare).
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  // A component makes its lines of one kind in the order it is paid its records, (date, id), and
  // the rest of their keys is that id: so the order it made them in is the order of their keys,
  // and comparing it does not read the ids (strings scattered over the heap). Not for bonuses,
  // whose rest is the threshold, made in the plan's order.
  if (a.kind !== 'bonus') return a.order - b.order;
  const ra = a.keyRest;
  const rb = b.keyRest;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** The plan-wide cap across components, applied after each component's own cap, in line order. */
function applyPeriodCap(plan: Plan, lines: PlanLine[]): PlanLine[] {
  // `lines` is this payee's fresh list: sorted in place.
  const sorted = lines.sort(compareLines);
  if (plan.periodCap === undefined) return sorted;
  const cap = plan.periodCap;
  const running = new RunningCap(cap);
  for (const line of sorted) {
    const payable = running.take(line.payable);
    if (payable === line.payable || compare(payable, line.payable) === 0) continue;
    line.capTo(payable, new LazyWords(() => ` Plan cap: ${plan.name} pays at most ${displayMoney({ amount: cap, currency: plan.currency }, plan.rounding)} a period, so this line pays ${displayMoney({ amount: payable, currency: plan.currency }, plan.rounding)}.`));
  }
  return sorted;
}

function dedupeExceptions(list: EngineException[]): EngineException[] {
  const seen = new Map<string, EngineException>();
  for (const e of list) seen.set(`${e.code}|${e.recordId}|${e.message}`, e);
  return [...seen.values()].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.code < b.code ? -1 : 1));
}
